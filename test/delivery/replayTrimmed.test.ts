import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../producers/kinesis/index.js';
import { CheckpointStore, listShards, streamCreatedMs } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { deliverOnce } from './support/deliverOnce.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('replaytrim', (k, d) => {
  kinesis = k;
  dir = d;
});

describe('replay of a pending range', () => {
  it('whose last record is gone (trimmed) does not hold the shard: it warns and delivers what follows', async () => {
    // Prepare: 20 records on one shard; a checkpoint after record 4 with a pending range ending at a
    // sequence number no record has any more (between records 9 and 10), as after a retention trim
    const stream = uniqueStream('replaytrim');
    await kinesis.createStream(stream, 1);
    const events = Array.from({ length: 20 }, (_, i) => gridEvent({ event_id: `t-${i}`, load_mw: i }));
    await putEvents(kinesis.client, stream, events);
    const { ShardIterator } = await kinesis.client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records } = await kinesis.client.send(new GetRecordsCommand({ ShardIterator, Limit: 100 }));
    const seqs = (Records ?? []).map((r) => r.SequenceNumber!);
    expect(seqs).toHaveLength(20);
    const missing = (BigInt(seqs[9]!) + 1n).toString();
    expect(BigInt(missing) < BigInt(seqs[10]!)).toBe(true);
    const retrier = createRetrier(KINESIS_RETRY_TEST_DEFAULTS);
    const [shard] = await listShards(kinesis.client, retrier, stream);
    const storage = new LocalLakeStorage(`${dir}/${stream}`);
    await new CheckpointStore(storage).write({
      stream,
      shardId: shard!.shardId,
      shardStartingSequenceNumber: shard!.startingSequenceNumber,
      streamCreatedMs: await streamCreatedMs(kinesis.client, retrier, stream),
      sequenceNumber: seqs[4]!,
      subSequenceNumber: null,
      finished: false,
      pending: { firstSequenceNumber: seqs[5]!, lastSequenceNumber: missing },
    });
    // Act
    const { warnings } = await deliverOnce(kinesis.client, storage, [
      { dataset: 'grid', streamName: stream },
    ]);
    await storage.close();
    // Assess: records 5..19 delivered once each, and the operator told why the replay was given up
    const rows = await duckRows(
      `select event_id from ${rawParquet(`${dir}/${stream}`, 'grid')} order by load_mw`,
    );
    expect(rows.map((r) => r.event_id)).toEqual(
      events.slice(5).map((e) => (e as { event_id: string }).event_id),
    );
    expect(warnings.some((w) => w.includes(`pending range up to ${missing} not found`))).toBe(true);
  });
});
