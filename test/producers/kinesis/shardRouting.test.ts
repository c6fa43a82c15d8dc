import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createRetrier } from '../../../common/index.js';
import { hashKeyOf, partitionKeyOf, ShardMap } from '../../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../../producers/kinesis/index.js';
import { eventOf } from '../../helpers/events.js';
import { uniqueStream, useEmbeddedKinesis } from '../../helpers/kinesis.js';
import { waitFor } from '../../helpers/waitFor.js';
import { type ReadBackRecord, readBack } from './readBack.js';

let kinesis: EmbeddedKinesis;

useEmbeddedKinesis((k) => {
  kinesis = k;
});

/** User records whose own key hashes outside the shard they were read from. */
async function misplaced(streamName: string, records: readonly ReadBackRecord[]): Promise<ReadBackRecord[]> {
  const shards = (await kinesis.client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const range = new Map(
    shards.map((s) => [
      s.ShardId!,
      [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)],
    ]),
  );
  return records.filter((r) => {
    const h = BigInt(`0x${hashKeyOf(r.partitionKey)}`);
    const [lo, hi] = range.get(r.shardId)!;
    return h < lo! || h > hi!;
  });
}

describe('ShardMap', () => {
  it('predicts the shard Kinesis picks for each partition key', async () => {
    // Prepare
    const streamName = uniqueStream('shardmap');
    await kinesis.createStream(streamName, 5);
    const keys = Array.from({ length: 300 }, (_, i) => `key-${i}-${'é'.repeat(i % 3)}`);
    // Act
    const map = await ShardMap.load(kinesis.client, streamName, createRetrier(KINESIS_RETRY_TEST_DEFAULTS));
    const out = await kinesis.client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from('x') })),
      }),
    );
    // Assess
    expect(map.size).toBe(5);
    expect(keys.map((k) => map.shardFor(k))).toEqual(out.Records!.map((r) => r.ShardId));
  });

  it('spreads each dataset over the shards with its partition keys', () => {
    const ranges = Array.from({ length: 4 }, (_, i) => {
      const size = 2n ** 128n / 4n;
      const hex = (n: bigint) => n.toString(16).padStart(32, '0');
      return {
        shardId: `s${i}`,
        startingHashKey: hex(size * BigInt(i)),
        endingHashKey: hex(i === 3 ? 2n ** 128n - 1n : size * BigInt(i + 1) - 1n),
      };
    });
    const map = new ShardMap(ranges);
    const trades = Array.from({ length: 400 }, (_, i) => eventOf('transactions', { trade_id: `TRD-${i}` }));
    const used = new Set(trades.map((e) => map.shardFor(partitionKeyOf('transactions', e))));
    expect(used.size).toBe(4);
  });
});

describe('KinesisSink across a resharding', () => {
  it('notices the split, reloads the shard map and routes later aggregates to the new shards', async () => {
    // Prepare
    const streamName = uniqueStream('reshard');
    await kinesis.createStream(streamName, 2);
    const sink = new KinesisSink({
      dataset: 'transactions',
      streamName,
      client: kinesis.client,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: null,
    });
    const put = async (n: number, phase: string) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const e = eventOf('transactions', { trade_id: `${phase}-${i % 97}` });
        ids.push(e.event_id);
        await sink.put(e);
      }
      await sink.flush();
      return ids;
    };
    await put(500, 'before');
    const shard0 = (await kinesis.client.send(new ListShardsCommand({ StreamName: streamName }))).Shards![0]!;
    const mid =
      (BigInt(shard0.HashKeyRange!.StartingHashKey!) + BigInt(shard0.HashKeyRange!.EndingHashKey!)) / 2n;
    // Act: split the first shard, then keep producing
    await kinesis.client.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: shard0.ShardId!,
        NewStartingHashKey: mid.toString(),
      }),
    );
    let active = false;
    for (let i = 0; i < 500 && !active; i++) {
      const d = await kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      active = d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    }
    const during = await put(500, 'during');
    await waitFor('the shard map reload', () => sink.counters.shardMapRefreshes > 0, 20_000, 5);
    const after = await put(500, 'after');
    const totals = await sink.close();
    const back = await readBack(kinesis.client, streamName);
    // Assess
    expect(active).toBe(true);
    expect(totals.sent).toBe(1_500);
    expect(new Set(back.map((r) => r.event.event_id)).size).toBe(1_500);
    const afterIds = new Set(after);
    const afterRecords = back.filter((r) => afterIds.has(r.event.event_id as string));
    expect(afterRecords).toHaveLength(500);
    expect(await misplaced(streamName, afterRecords)).toEqual([]);
    expect(new Set(afterRecords.map((r) => r.shardId)).size).toBe(3);
    expect(during).toHaveLength(500);
  });
});
