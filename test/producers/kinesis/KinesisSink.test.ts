import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createRetrier } from '../../../common/index.js';
import { hashKeyOf } from '../../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../../producers/kinesis/index.js';
import { contractFor, DATASETS, type Dataset } from '../../../schemas/index.js';
import { eventOf } from '../../helpers/events.js';
import { uniqueStream, useEmbeddedKinesis } from '../../helpers/kinesis.js';
import { readBack } from './readBack.js';

const N = 1_500;
let kinesis: EmbeddedKinesis;

useEmbeddedKinesis((k) => {
  kinesis = k;
});

/** Events with realistic key spread: many trade ids, settlement points and locations. */
function eventFor(dataset: Dataset, i: number) {
  switch (dataset) {
    case 'grid':
      return eventOf('grid', { settlement_point: `SP_${i % 61}` });
    case 'weather':
      return eventOf('weather', { location_id: `loc-${i % 23}` });
    default:
      return eventOf('transactions', { trade_id: `T-${Math.floor(i / 3)}` });
  }
}

describe.each(
  DATASETS.flatMap((dataset) => [
    { dataset, aggregate: true },
    { dataset, aggregate: false },
  ]),
)('KinesisSink into the embedded Kinesis: $dataset, aggregate=$aggregate', ({ dataset, aggregate }) => {
  it(`delivers exactly ${N} valid events, each on the shard its partition key maps to`, async () => {
    // Prepare
    const streamName = uniqueStream(`${dataset}-${aggregate ? 'agg' : 'plain'}`);
    await kinesis.createStream(streamName, 3);
    const sink = new KinesisSink({
      dataset,
      streamName,
      client: kinesis.client,
      aggregate,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: null,
    });
    const ids = new Set<string>();
    // Act
    for (let i = 0; i < N; i++) {
      const e = eventFor(dataset, i);
      ids.add(e.event_id);
      const outcome = await sink.put(e);
      expect(outcome.accepted).toBe(true);
    }
    const totals = await sink.close();
    const back = await readBack(kinesis.client, streamName);
    // Assess
    expect(totals).toMatchObject({ produced: N, accepted: N, sent: N, expired: 0, failed: 0, rejected: 0 });
    expect(totals.bufferedRecords).toBe(0);
    expect(back).toHaveLength(N);
    expect(new Set(back.map((r) => r.event.event_id))).toEqual(ids);
    const contract = contractFor(dataset);
    expect(back.filter((r) => !contract.isValid(r.event))).toEqual([]);
    if (aggregate) {
      expect(back.some((r) => r.aggregated)).toBe(true);
      expect(totals.kinesisRecords).toBeLessThan(N);
    } else {
      expect(back.every((r) => !r.aggregated)).toBe(true);
      expect(totals.kinesisRecords).toBe(N);
    }
    const shards = await kinesis.client.send(new ListShardsCommand({ StreamName: streamName }));
    const range = new Map(
      (shards.Shards ?? []).map((s) => [
        s.ShardId!,
        [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)] as const,
      ]),
    );
    const misplaced = back.filter((r) => {
      const h = BigInt(`0x${hashKeyOf(r.partitionKey)}`);
      const [lo, hi] = range.get(r.shardId)!;
      return h < lo || h > hi;
    });
    expect(misplaced).toEqual([]);
    expect(new Set(back.map((r) => r.shardId)).size).toBe(3);
  });
});

describe('KinesisSink onSettled', () => {
  it('reports every acknowledged record once with its put tag, and written-off records with their outcome', async () => {
    // Prepare
    const streamName = uniqueStream('settled');
    await kinesis.createStream(streamName, 2);
    const settled = new Map<string, string[]>();
    const tags = new Map<string, number>();
    const onSettled = (records: readonly { eventId: string; tag: number }[], outcome: string): void => {
      for (const r of records) {
        settled.set(r.eventId, [...(settled.get(r.eventId) ?? []), outcome]);
        tags.set(r.eventId, r.tag);
      }
    };
    const sink = new KinesisSink({
      dataset: 'grid',
      streamName,
      client: kinesis.client,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: null,
      onSettled,
    });
    const missing = new KinesisSink({
      dataset: 'grid',
      streamName: uniqueStream('settled-missing'),
      client: kinesis.client,
      aggregate: false,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: null,
      onSettled,
    });
    const sent = Array.from({ length: 300 }, (_, i) => eventFor('grid', i));
    const lost = eventFor('grid', 1);
    // Act
    for (const [i, e] of sent.entries()) await sink.put(e, 1_000_000_000_000 + i);
    await sink.close();
    await missing.put(lost);
    await missing.close();
    // Assess
    for (const e of sent) expect(settled.get(e.event_id)).toEqual(['acknowledged']);
    for (const [i, e] of sent.entries()) expect(tags.get(e.event_id)).toBe(1_000_000_000_000 + i);
    expect(settled.get(lost.event_id)).toEqual(['failed']);
    expect(tags.get(lost.event_id)).toBe(0);
    expect(settled.size).toBe(301);
  });
});
