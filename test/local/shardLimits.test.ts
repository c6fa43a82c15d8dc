import { PutRecordCommand, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { KINESIS_SHARD_WRITE_LIMITS } from '../../kinesis/index.js';
import { EmbeddedKinesis, ShardWriteLimiter } from '../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../producers/kinesis/index.js';
import { eventOf } from '../helpers/events.js';
import { uniqueStream } from '../helpers/kinesis.js';
import { readBack } from '../producers/kinesis/readBack.js';

/** A hash key in the first half of the key space (shard 0 of 2) and one in the second (shard 1). */
const SHARD_0_KEY = '1';
const SHARD_1_KEY = ((1n << 127n) + 1n).toString();

/** PutRecords entries of ~100-byte JSON records (readBack parses them) for one hash key. */
function entries(n: number, explicitHashKey: string) {
  return Array.from({ length: n }, (_, i) => ({
    Data: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(80) })),
    PartitionKey: `k${i}`,
    ExplicitHashKey: explicitHashKey,
  }));
}

function failed(records: readonly PutRecordsResultEntry[]): PutRecordsResultEntry[] {
  return records.filter((r) => r.ErrorCode !== undefined);
}

describe('ShardWriteLimiter', () => {
  it('admits 1,000 records a second per shard, then throttles until the window slides', () => {
    // Prepare: a clock the test moves
    let now = 10_000;
    const limiter = new ShardWriteLimiter(KINESIS_SHARD_WRITE_LIMITS, () => now);

    // Act
    const first = Array.from({ length: 1_200 }, () => limiter.admit('s/shard-0', 10));
    const other = limiter.admit('s/shard-1', 10);
    now += 500;
    const halfWay = limiter.admit('s/shard-0', 10);
    now += 500;
    const slid = Array.from({ length: 1_200 }, () => limiter.admit('s/shard-0', 10));

    // Assess
    expect(first.filter(Boolean)).toHaveLength(1_000);
    expect(first.slice(0, 1_000).every(Boolean)).toBe(true);
    expect(other).toBe(true);
    expect(halfWay).toBe(false);
    expect(slid.filter(Boolean)).toHaveLength(1_000);
    expect(limiter.stats()).toEqual({
      admittedRecords: 2_001,
      throttledRecords: 401,
      throttledByShard: { 's/shard-0': 401 },
    });
  });

  it('admits 1 MiB a second per shard: a record that would pass it is throttled, a smaller one fits', () => {
    let now = 0;
    const limiter = new ShardWriteLimiter(KINESIS_SHARD_WRITE_LIMITS, () => now);
    const big = 256 * 1024;

    expect([1, 2, 3, 4].map(() => limiter.admit('s/a', big - 10))).toEqual([true, true, true, true]);
    expect(limiter.admit('s/a', 100)).toBe(false);
    expect(limiter.admit('s/a', 40)).toBe(true);
    now += 1_000;
    expect(limiter.admit('s/a', big)).toBe(true);
  });

  it('refuses limits that are not positive', () => {
    expect(() => new ShardWriteLimiter({ bytesPerSecond: 0, recordsPerSecond: 1_000 })).toThrow(RangeError);
  });
});

describe('EmbeddedKinesis with enforceShardLimits', () => {
  /** Kinesis's limits. */
  let limited: EmbeddedKinesis;
  /** 5 records/s per shard: a burst throttles however slowly a loaded machine sends it. */
  let slow: EmbeddedKinesis;
  let open: EmbeddedKinesis;
  beforeAll(async () => {
    limited = await EmbeddedKinesis.start({ enforceShardLimits: true, retention: false });
    slow = await EmbeddedKinesis.start({ enforceShardLimits: { recordsPerSecond: 5 }, retention: false });
    open = await EmbeddedKinesis.start({ retention: false });
  });
  afterAll(async () => {
    await limited?.stop();
    await slow?.stop();
    await open?.stop();
  });

  it('answers records over a shard limit with ProvisionedThroughputExceededException per record, as AWS does', async () => {
    // Prepare: 2,000 records for shard 0 and 3 for shard 1, in PutRecords calls of 500 sent at once
    const stream = uniqueStream('limits');
    await slow.createStream(stream, 2);
    const calls = [...[0, 1, 2, 3].map(() => entries(500, SHARD_0_KEY)), entries(3, SHARD_1_KEY)];

    // Act: the burst, then single PutRecords to shard 0 until one is refused
    const out = await Promise.all(
      calls.map((Records) => slow.client.send(new PutRecordsCommand({ StreamName: stream, Records }))),
    );
    let putRecord: (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
    let putRecordsWritten = 0;
    for (let i = 0; i < 100 && putRecord === undefined; i++) {
      putRecord = await slow.client
        .send(
          new PutRecordCommand({
            StreamName: stream,
            Data: Buffer.from(JSON.stringify({ single: i })),
            PartitionKey: 'k',
            ExplicitHashKey: SHARD_0_KEY,
          }),
        )
        .then(
          () => {
            putRecordsWritten += 1;
            return undefined;
          },
          (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
        );
    }
    const stored = await readBack(slow.client, stream);

    // Assess: each answer lines up with its request; FailedRecordCount counts the throttled entries
    const all = out.flatMap((o) => o.Records ?? []);
    expect(all).toHaveLength(2_003);
    for (const o of out) expect(o.FailedRecordCount).toBe(failed(o.Records ?? []).length);
    const throttled = failed(all);
    expect(throttled.length).toBeGreaterThan(0);
    for (const t of throttled) {
      expect(t.ErrorCode).toBe('ProvisionedThroughputExceededException');
      expect(t.ErrorMessage).toMatch(
        new RegExp(
          `^Rate exceeded for shard shardId-000000000000 in stream ${stream} under account \\d+\\.$`,
        ),
      );
      expect(t.SequenceNumber).toBeUndefined();
    }
    // Shard 1 was under its limit: none of its records were throttled
    expect(failed(out[4]!.Records ?? [])).toEqual([]);
    // A whole PutRecord over the limit fails with the error AWS gives
    expect(putRecord?.name).toBe('ProvisionedThroughputExceededException');
    expect(putRecord?.$metadata?.httpStatusCode).toBe(400);
    // Throttled records were not written; the others were, where the answers said
    expect(stored).toHaveLength(2_003 - throttled.length + putRecordsWritten);
    const seqs = new Set(all.filter((r) => r.SequenceNumber).map((r) => r.SequenceNumber));
    const burstStored = stored.filter((r) => r.event.single === undefined);
    expect(new Set(burstStored.map((r) => r.sequenceNumber))).toEqual(seqs);
    expect(slow.shardLimits).toEqual({ recordsPerSecond: 5, bytesPerSecond: 1_048_576 });
    expect(slow.shardLimitStats()?.throttledByShard).toEqual({
      [`${stream}/shardId-000000000000`]: throttled.length + 1,
    });
  });

  it('is off by default: the same burst is written whole', async () => {
    const stream = uniqueStream('no-limits');
    await open.createStream(stream, 2);
    const out = await Promise.all(
      [0, 1, 2, 3].map(() =>
        open.client.send(new PutRecordsCommand({ StreamName: stream, Records: entries(500, SHARD_0_KEY) })),
      ),
    );
    expect(out.map((o) => o.FailedRecordCount)).toEqual([0, 0, 0, 0]);
    expect(open.shardLimits).toBeUndefined();
    expect(open.shardLimitStats()).toBeUndefined();
  });

  it('leaves kinesalite its own errors (an unknown stream)', async () => {
    const err = await limited.client
      .send(new PutRecordsCommand({ StreamName: uniqueStream('missing'), Records: entries(2, SHARD_0_KEY) }))
      .catch((e: Error) => e);
    expect((err as Error).name).toBe('ResourceNotFoundException');
  });

  it('throttles a KinesisSink burst above 1,000 records/s to one shard, and the sink still delivers every record', async () => {
    // Prepare: one shard, records not aggregated (each user record is a Kinesis record)
    const stream = uniqueStream('sink-limits');
    await limited.createStream(stream, 1);
    const before = limited.shardLimitStats()!.throttledRecords;
    const sink = new KinesisSink({
      dataset: 'grid',
      streamName: stream,
      client: limited.client,
      aggregate: false,
      defaults: SINK_TEST_DEFAULTS,
      recordTtlMs: 300_000,
      retrier: createRetrier({ ...KINESIS_RETRY_TEST_DEFAULTS, maxRetryTimeMs: 300_000 }),
      rejectFile: null,
    });
    const ids = new Set<string>();

    // Act: 8,000 records as fast as the sink takes them
    for (let i = 0; i < 8_000; i++) {
      const e = eventOf('grid', { settlement_point: `SP_${i % 40}` });
      ids.add(e.event_id);
      await sink.put(e);
    }
    const totals = await sink.close();
    const back = await readBack(limited.client, stream);

    // Assess: throttled by the emulator, retried by the sink, every record in the stream exactly once
    const throttledHere = limited.shardLimitStats()!.throttledRecords - before;
    expect(throttledHere).toBeGreaterThan(0);
    expect(totals.throttled).toBe(throttledHere);
    expect(totals).toMatchObject({ sent: 8_000, expired: 0, failed: 0 });
    expect(ids.size).toBe(8_000);
    expect(back).toHaveLength(8_000);
    expect(new Set(back.map((r) => r.event.event_id))).toEqual(ids);
  });
});
