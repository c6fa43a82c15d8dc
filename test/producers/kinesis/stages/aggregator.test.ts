import { describe, expect, it } from 'vitest';
import {
  deaggregate,
  isAggregated,
  KPL_OVERHEAD_BYTES,
  userRecordSize,
} from '../../../../kinesis/kplAggregation.js';
import type { ShardMap } from '../../../../kinesis/ShardMap.js';
import { Aggregator } from '../../../../producers/kinesis/Aggregator.js';
import type { SinkEntry } from '../../../../producers/kinesis/types.js';
import { bufferedRecord, evenShards } from './stageFixtures.js';

/** An aggregator whose entries land in `entries`. */
function aggregatorInto(
  entries: SinkEntry[],
  options: { aggregate?: boolean; maxAggregatedBytes?: number; map?: ShardMap } = {},
): Aggregator {
  const aggregator = new Aggregator({
    aggregate: options.aggregate ?? true,
    maxAggregatedBytes: options.maxAggregatedBytes ?? 51_200,
    emit: (e) => entries.push(e),
  });
  aggregator.useShardMap(options.map ?? evenShards(4));
  return aggregator;
}

const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);

describe('Aggregator', () => {
  it('routes each user record into the aggregate of the shard its own key maps to', () => {
    // Prepare
    const map = evenShards(4);
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { map });
    // Act
    for (let i = 0; i < 400; i++) aggregator.add(bufferedRecord(keys[i % keys.length]!, i));
    aggregator.flush();
    // Assess
    expect(entries.length).toBe(4);
    for (const entry of entries) {
      expect(isAggregated(entry.data)).toBe(true);
      expect(entry.users.every((u) => map.shardFor(u.partitionKey) === entry.predictedShard)).toBe(true);
      // The aggregate holds exactly its users, keys and data byte for byte, in order.
      const inside = deaggregate(entry.data, entry.partitionKey);
      expect(inside.map((r) => [r.partitionKey, Buffer.from(r.data).toString()])).toEqual(
        entry.users.map((u) => [u.partitionKey, u.data]),
      );
      expect(entry.partitionKey).toBe(entry.users[0]!.partitionKey);
      expect(entry.size).toBe(entry.data.length + entry.partitionKey.length);
    }
    expect(entries.flatMap((e) => e.users).length).toBe(400);
  });

  it('keeps the order of each partition key across sealed aggregates', () => {
    // Prepare: small aggregates, so each shard seals many
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { maxAggregatedBytes: 1_000 });
    const put = Array.from({ length: 600 }, (_, i) => bufferedRecord(keys[(i * 7) % 5]!, i));
    // Act
    for (const r of put) aggregator.add(r);
    aggregator.flush();
    // Assess: per key, the emitted sequence is the put sequence
    expect(entries.length).toBeGreaterThan(20);
    const emitted = entries.flatMap((e) => e.users);
    for (const key of keys.slice(0, 5)) {
      expect(emitted.filter((u) => u.partitionKey === key).map((u) => u.eventId)).toEqual(
        put.filter((u) => u.partitionKey === key).map((u) => u.eventId),
      );
    }
  });

  it('emits an aggregate as soon as the next record does not fit, never over the size limit', () => {
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { maxAggregatedBytes: 2_000, map: evenShards(1) });
    let emittedBeforeFlush = 0;
    for (let i = 0; i < 100; i++) {
      aggregator.add(bufferedRecord('one-key', i, { dataBytes: 150 }));
      emittedBeforeFlush = entries.length;
    }
    aggregator.flush();
    expect(emittedBeforeFlush).toBeGreaterThan(5);
    expect(entries.every((e) => e.data.length <= 2_000)).toBe(true);
    // Each sealed aggregate was full: the next record (same key, so no new key table entry) did not fit.
    const next = userRecordSize(150, undefined, 0);
    const full = entries.slice(0, -1);
    expect(full.every((e) => e.data.length + next > 2_000)).toBe(true);
    expect(entries.flatMap((e) => e.users.map((u) => u.eventId))).toEqual(
      Array.from({ length: 100 }, (_, i) => `e-${i}`),
    );
  });

  it('sends a lone record as a plain record, still with its predicted shard', () => {
    const entries: SinkEntry[] = [];
    const map = evenShards(4);
    const aggregator = aggregatorInto(entries, { map });
    const record = bufferedRecord('solo', 1);
    aggregator.add(record);
    aggregator.flush();
    expect(entries).toHaveLength(1);
    expect(isAggregated(entries[0]!.data)).toBe(false);
    expect(Buffer.from(entries[0]!.data).toString()).toBe(record.data);
    expect(entries[0]).toMatchObject({ size: record.size, predictedShard: map.shardFor('solo') });
  });

  it('aggregates a record only when it fits with the KPL framing (exact boundary)', () => {
    const aggregator = aggregatorInto([], { maxAggregatedBytes: 1_000 });
    const largest = 1_000 - KPL_OVERHEAD_BYTES - 8;
    expect(aggregator.aggregates(largest)).toBe(true);
    expect(aggregator.aggregates(largest + 1)).toBe(false);
    expect(aggregatorInto([], { aggregate: false }).aggregates(10)).toBe(false);
  });

  it('sends a record too big for an aggregate alone, at once, without a predicted shard', () => {
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { maxAggregatedBytes: 1_000 });
    const big = bufferedRecord('key-1', 1, { dataBytes: 1_200 });
    expect(aggregator.add(big)).toBe(true);
    expect(entries).toEqual([expect.objectContaining({ users: [big], predictedShard: undefined })]);
  });

  it('with aggregation off, emits every record alone, at once, in order', () => {
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { aggregate: false });
    const put = Array.from({ length: 10 }, (_, i) => bufferedRecord(keys[i]!, i));
    for (const r of put) expect(aggregator.add(r)).toBe(true);
    expect(entries.map((e) => e.users[0])).toEqual(put);
    expect(entries.every((e) => !isAggregated(e.data) && e.predictedShard === undefined)).toBe(true);
    expect(aggregator.pendingRecords).toBe(0);
  });

  it('sends a key no open shard holds alone and reports it (the map is stale)', () => {
    // Prepare: the map covers the lower half of the key space only
    const map = evenShards(2, 'half-', 0.5);
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { map });
    const unmapped = keys.find((k) => map.shardFor(k) === undefined)!;
    const mapped = keys.find((k) => map.shardFor(k) !== undefined)!;
    // Act
    const routed = [aggregator.add(bufferedRecord(mapped, 1)), aggregator.add(bufferedRecord(unmapped, 2))];
    // Assess
    expect(routed).toEqual([true, false]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ partitionKey: unmapped, predictedShard: undefined });
    expect(aggregator.pendingRecords).toBe(1);
  });

  it('on a new shard map, emits the aggregates built for the old one, then routes by the new one', () => {
    // Prepare
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { map: evenShards(2, 'old-') });
    for (let i = 0; i < 20; i++) aggregator.add(bufferedRecord(keys[i]!, i));
    // Act
    aggregator.useShardMap(evenShards(4, 'new-'));
    const emittedOnSwitch = entries.length;
    for (let i = 20; i < 40; i++) aggregator.add(bufferedRecord(keys[i]!, i));
    aggregator.flush();
    // Assess
    expect(emittedOnSwitch).toBe(2);
    expect(entries.slice(0, 2).every((e) => e.predictedShard?.startsWith('old-'))).toBe(true);
    expect(entries.slice(2).every((e) => e.predictedShard?.startsWith('new-'))).toBe(true);
    expect(entries.flatMap((e) => e.users).length).toBe(40);
  });

  it('drains the records still in aggregates without emitting them', () => {
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries);
    for (let i = 0; i < 12; i++) aggregator.add(bufferedRecord(keys[i]!, i));
    const drained = aggregator.drain();
    aggregator.flush();
    expect(drained.map((r) => r.eventId).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `e-${i}`).sort(),
    );
    expect(entries).toEqual([]);
    expect(aggregator.pendingRecords).toBe(0);
  });

  it('gives an aggregate the deadline of its oldest record', () => {
    const entries: SinkEntry[] = [];
    const aggregator = aggregatorInto(entries, { map: evenShards(1) });
    aggregator.add(bufferedRecord('k', 1, { deadline: 1_000 }));
    aggregator.add(bufferedRecord('k', 2, { deadline: 2_000 }));
    aggregator.flush();
    expect(entries[0]!.deadline).toBe(1_000);
  });
});
