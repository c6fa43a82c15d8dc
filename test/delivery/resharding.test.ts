import { DescribeStreamSummaryCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../producers/kinesis/index.js';
import { DeliveryWorker, type FlushInfo } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { waitFor } from '../helpers/waitFor.js';
import { TEST_TIMING } from './support/deliverOnce.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('reshard', (k, d) => {
  kinesis = k;
  dir = d;
});

const KEYS = 16;
/** Events of KEYS partition keys, `n` counting up per key (event_id `k<key>-<n>`). */
function eventsFrom(start: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const seq = start + i;
    return gridEvent({
      event_id: `k${seq % KEYS}-${Math.floor(seq / KEYS)}`,
      load_zone: `key-${seq % KEYS}`,
    });
  });
}

describe('resharding', () => {
  it('reads a split parent to its end before its children: nothing lost, order per partition key kept', async () => {
    // Prepare
    const stream = uniqueStream('split');
    await kinesis.createStream(stream, 1);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const flushes: FlushInfo[] = [];
    const worker = await DeliveryWorker.create({
      storage: lake,
      kinesis: kinesis.client,
      streams: [{ dataset: 'grid', streamName: stream }],
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      ...TEST_TIMING,
      maxRecordsPerCall: 200,
      onFlush: (f) => flushes.push(f),
    });
    const key = (e: object) => (e as { load_zone: string }).load_zone;
    const before = eventsFrom(0, 4_000);
    const after = eventsFrom(4_000, 4_000);
    // Act
    await worker.start();
    await putEvents(kinesis.client, stream, before.slice(0, 1_000), { partitionKey: key });
    await waitFor('first events delivered', () => (worker.stats().totals.delivered > 0 ? true : undefined));
    // A backlog on the parent right before the split, then the children get records at once.
    await putEvents(kinesis.client, stream, before.slice(1_000), { partitionKey: key });
    await kinesis.client.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await waitFor('split done', async () => {
      const d = await kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      return d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE' &&
        d.StreamDescriptionSummary.OpenShardCount === 2
        ? true
        : undefined;
    });
    await putEvents(kinesis.client, stream, after, { partitionKey: key });
    await waitFor(
      'all delivered',
      () => (worker.stats().totals.delivered >= 8_000 ? true : undefined),
      90_000,
    );
    await worker.waitUntilDrained();
    await worker.stop();
    const rows = await duckRows(
      `select event_id, parse_filename(filename) as file, file_row_number as rn from ${rawParquet(lake.location, 'grid').replace('filename = true', 'filename = true, file_row_number = true')}`,
    );
    // Assess
    expect(rows).toHaveLength(8_000);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(8_000);
    const commitOrder = new Map<string, number>();
    flushes.forEach((f, i) => {
      for (const k of f.dataObjects) commitOrder.set(k.split('/').pop()!, i);
    });
    const parentFlushes = flushes
      .map((f, i) => [f, i] as const)
      .filter(([f]) => f.shardId === 'shardId-000000000000');
    const childFlushes = flushes
      .map((f, i) => [f, i] as const)
      .filter(([f]) => f.shardId !== 'shardId-000000000000');
    expect(childFlushes.length).toBeGreaterThan(0);
    expect(Math.min(...childFlushes.map(([, i]) => i))).toBeGreaterThan(
      Math.max(...parentFlushes.map(([, i]) => i)),
    );
    const lakeOrder = [...rows].sort(
      (a, b) =>
        commitOrder.get(String(a.file))! - commitOrder.get(String(b.file))! || Number(a.rn) - Number(b.rn),
    );
    const lastN = new Map<string, number>();
    for (const r of lakeOrder) {
      const [k, n] = String(r.event_id).split('-') as [string, string];
      expect(Number(n)).toBeGreaterThan(lastN.get(k) ?? -1);
      lastN.set(k, Number(n));
    }
    const parent = JSON.parse(
      Buffer.from((await lake.getBytes(`_checkpoints/${stream}/shardId-000000000000.json`))!).toString(),
    );
    expect(parent).toMatchObject({ finished: true, pending: null });
  });
});
