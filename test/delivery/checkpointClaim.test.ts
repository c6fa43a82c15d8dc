import { describe, expect, it } from 'vitest';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import { CheckpointStore } from '../../stream-processors/delivery/CheckpointStore.js';
import { tempDir } from '../helpers/tempDir.js';

const fresh = {
  stream: 'grid',
  shardId: 'partition-0000',
  shardStartingSequenceNumber: 'kafka',
  streamCreatedMs: 0,
  sequenceNumber: null,
  subSequenceNumber: null,
  finished: false,
  pending: null,
};

describe('CheckpointStore.claim (a partition changing hands in a consumer group)', () => {
  it('gives every claimer its own higher epoch, keeps the pending range, and refuses the previous owner', async () => {
    // Prepare: owner A claims and leaves a pending range
    const store = new CheckpointStore(new LocalLakeStorage(tempDir('claim')));
    const a = await store.claim(fresh);
    await store.write(
      { ...fresh, sequenceNumber: '9', pending: { firstSequenceNumber: '10', lastSequenceNumber: '19' } },
      a.epoch,
    );
    // Act: B and C claim at once
    const [b, c] = await Promise.all([store.claim(fresh), store.claim(fresh)]);
    // Assess
    expect(a).toEqual({ checkpoint: undefined, epoch: 1 });
    expect(new Set([b.epoch, c.epoch])).toEqual(new Set([2, 3]));
    const newest = b.epoch > c.epoch ? b : c;
    expect(newest.checkpoint).toMatchObject({
      sequenceNumber: '9',
      pending: { firstSequenceNumber: '10', lastSequenceNumber: '19' },
    });
    await expect(store.write({ ...fresh, sequenceNumber: '19' }, a.epoch)).rejects.toThrow(
      /another worker took this stream over/,
    );
    await expect(store.write({ ...fresh, sequenceNumber: '19' }, Math.min(b.epoch, c.epoch))).rejects.toThrow(
      /LeaseLost|took this stream over/,
    );
    await store.write({ ...fresh, sequenceNumber: '19' }, newest.epoch);
    expect(await store.read('grid', 'partition-0000')).toMatchObject({
      sequenceNumber: '19',
      leaseEpoch: newest.epoch,
    });
  });
});
