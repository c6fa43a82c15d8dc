import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../kinesis/index.js';
import { DeliveryWorker, type FlushInfo, type SourceRecord } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';
import { duckRows, rawParquet } from './support/lakeKit.js';
import { type MemoryPartition, MemorySource } from './support/memorySource.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 22, 10, 0, 0);
const PER_PARTITION = 300;
/** Every 50th record is not JSON: error objects are named and replayed like data objects. */
const BAD_EVERY = 50;

/** Records at offsets 0..n-1; event times over two hours, so a batch writes two Parquet objects. */
function records(partition: string, n: number): SourceRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const event = gridEvent({
      event_id: `${partition}-${i}`,
      event_time: BASE + (i % 2) * HOUR + i,
      load_mw: i,
    });
    return {
      data: Buffer.from(i % BAD_EVERY === BAD_EVERY - 1 ? `not json ${i}` : JSON.stringify(event)),
      partitionKey: `pk-${i % 7}`,
      sequenceNumber: String(i),
      arrivalMs: BASE + 2 * HOUR + i * 10,
    };
  });
}

/** A closed partition and its child (read only once the parent is finished), like a Kinesis split. */
const PARTITIONS: MemoryPartition[] = [
  { id: 'p-0', records: records('p-0', PER_PARTITION), closed: true },
  { id: 'p-1', records: records('p-1', PER_PARTITION), parents: ['p-0'] },
];
const VALID = 2 * (PER_PARTITION - PER_PARTITION / BAD_EVERY);

/** A "kill" point: the n-th call of a hook throws, as if the process died there. */
type CrashAt = `${'intent' | 'object' | 'checkpoint'}:${number}`;

class Crash extends Error {}

/**
 * One worker run over the memory source until drained or crashed. Each run reads in chunks of another
 * size, so a restart would cut its batches elsewhere if the pending range did not pin the first one.
 */
async function run(lake: string, readSize: number, crashAt?: CrashAt) {
  const [stage, nth] = (crashAt ?? ':').split(':');
  const counts = { intent: 0, object: 0, checkpoint: 0 };
  const point = (name: keyof typeof counts): void => {
    counts[name]++;
    if (name === stage && counts[name] === Number(nth)) throw new Crash(`crash at ${crashAt}`);
  };
  const flushes: FlushInfo[] = [];
  const warnings: string[] = [];
  const storage = new LocalLakeStorage(lake);
  const source = new MemorySource(PARTITIONS, readSize);
  const worker = await DeliveryWorker.create({
    storage,
    streams: [{ dataset: 'grid', streamName: 'mem' }],
    source: () => source,
    retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
    // Only the size trigger cuts batches (after the read that brings 20 kB): no timing in the test.
    bufferIntervalMs: HOUR,
    bufferSizeBytes: 20_000,
    idlePollIntervalMs: 10,
    shardSyncIntervalMs: 100,
    onFlush: (f) => flushes.push(f),
    onWarning: (w) => warnings.push(w),
    hooks: {
      afterIntent: () => point('intent'),
      afterObject: () => point('object'),
      beforeCheckpoint: () => point('checkpoint'),
    },
  });
  let failure: unknown;
  await worker.start();
  try {
    await Promise.race([worker.waitUntilDrained(), worker.done]);
  } catch (err) {
    failure = err;
  } finally {
    await worker.stop();
    await storage.close();
  }
  return { crashed: (failure as Error | undefined)?.cause instanceof Crash, failure, flushes, warnings };
}

/** Keys of the lake's data and error objects. */
function objectKeys(lake: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(lake, path));
    }
  };
  for (const zone of ['raw', 'errors']) if (existsSync(join(lake, zone))) walk(join(lake, zone));
  return out.sort();
}

describe('delivery behind the source seam', () => {
  it('a non-Kinesis source through crashes and replays: every record once, under the names of its position range', async () => {
    // Prepare
    const lake = join(tempDir('seam'), 'lake');
    // Act: five runs each stopped dead at another point of the flush protocol (the fifth inside the
    // replay of the fourth's pending range), then one to the end.
    const crashes = [];
    const before: string[][] = [];
    for (const [at, readSize] of [
      ['object:4', 20],
      ['checkpoint:3', 13],
      ['intent:3', 31],
      ['checkpoint:4', 17],
      ['object:1', 23],
    ] as const) {
      crashes.push(await run(lake, readSize, at));
      before.push(objectKeys(lake));
    }
    const last = await run(lake, 11);
    const rows = await duckRows(
      `select count(*) as n, count(distinct event_id) as ids from ${rawParquet(lake, 'grid')}`,
    );
    const errorLines = objectKeys(lake)
      .filter((k) => k.startsWith('errors/'))
      .flatMap((k) => readFileSync(join(lake, k), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { shardId: string; sequenceNumber: string });
    const checkpoints = PARTITIONS.map(
      (p) =>
        JSON.parse(readFileSync(join(lake, '_checkpoints', 'mem', `${p.id}.json`), 'utf8')) as Record<
          string,
          unknown
        >,
    );
    // Assess
    expect(
      crashes.map((c) => c.crashed),
      String(crashes.map((c) => c.failure)),
    ).toEqual(crashes.map(() => true));
    // The child partition was reached, and crashed in, once its parent was finished.
    expect(String(crashes.at(-1)?.failure)).toContain('mem/p-1');
    expect(last.failure).toBeUndefined();
    // Every run after a crash starts by replaying the pending range (the fifth run crashed inside it).
    for (const r of [...crashes.slice(1), last]) {
      expect(r.warnings.some((w) => w.includes('replaying the interrupted flush'))).toBe(true);
    }
    expect(crashes[1]!.flushes[0]).toMatchObject({ shardId: 'p-0', replayed: true });
    expect(last.flushes[0]).toMatchObject({ shardId: 'p-1', replayed: true });
    expect(rows[0]).toEqual({ n: BigInt(VALID), ids: BigInt(VALID) });
    expect(errorLines).toHaveLength(2 * (PER_PARTITION / BAD_EVERY));
    expect(new Set(errorLines.map((e) => `${e.shardId}/${e.sequenceNumber}`)).size).toBe(errorLines.length);
    // Names are a pure function of the position range: what a crashed run published is still there
    // under the same name (the replay rewrote it), and each partition's ranges tile its offsets.
    const after = objectKeys(lake);
    expect(before.flat().filter((k) => !after.includes(k))).toEqual([]);
    for (const p of PARTITIONS) {
      const ranges = [
        ...new Set(
          after.flatMap((k) => {
            const m = new RegExp(`-${p.id}-(\\d+)-(\\d+)\\.(parquet|jsonl)$`).exec(k);
            return m ? [`${m[1]}-${m[2]}`] : [];
          }),
        ),
      ]
        .map((r) => r.split('-').map(Number) as [number, number])
        .sort((a, b) => a[0] - b[0]);
      expect(ranges.length).toBeGreaterThan(1);
      expect(ranges[0]![0]).toBe(0);
      expect(ranges.at(-1)![1]).toBe(PER_PARTITION - 1);
      expect(ranges.slice(1).filter(([first], i) => first !== ranges[i]![1] + 1)).toEqual([]);
    }
    expect(checkpoints).toMatchObject([
      { sequenceNumber: String(PER_PARTITION - 1), finished: true, pending: null },
      { sequenceNumber: String(PER_PARTITION - 1), finished: false, pending: null },
    ]);
  });
});

describe('the source seam', () => {
  /** Files of the flush/checkpoint protocol and everything else delivery runs, except the Kinesis source. */
  const delivery = join(REPO_ROOT, 'stream-processors', 'delivery');
  /** Who may still name Kinesis outside kinesisSource/, and why. */
  const ALLOWED: Record<string, RegExp> = {
    // The composition root: builds the default source (a KinesisSource over a client it creates).
    'DeliveryWorker.ts':
      /^(@aws-sdk\/client-kinesis|\.\.\/\.\.\/kinesis\/index\.js|\.\/kinesisSource\/index\.js)$/,
    // The `kinesis` option's type.
    'types.ts': /^@aws-sdk\/client-kinesis$/,
    // The public surface re-exports the Kinesis source and ListShards helpers for callers.
    'index.ts': /^(\.\.\/\.\.\/kinesis\/listShards\.js|\.\/kinesisSource\/index\.js)$/,
    // KPL aggregation is a record format (a record without its magic is one event), not a transport.
    'recordDecoder.ts': /^\.\.\/\.\.\/kinesis\/kplAggregation\.js$/,
  };
  const KINESIS = /(@aws-sdk\/client-kinesis|\/kinesis\/|kinesisSource\/)/;

  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'kinesisSource' ? [] : files(path);
      return name.endsWith('.ts') ? [path] : [];
    });
  }

  it('only the Kinesis source and the files that wire it import Kinesis', () => {
    // Act
    const offending = files(delivery).flatMap((file) => {
      const name = relative(delivery, file);
      const specs = [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!);
      return specs
        .filter((spec) => KINESIS.test(spec) && !(ALLOWED[name]?.test(spec) ?? false))
        .map((spec) => `${name} imports ${spec}`);
    });
    // Assess
    expect(files(delivery).map((f) => relative(delivery, f))).toEqual(
      expect.arrayContaining([
        'BatchFlusher.ts',
        'CheckpointStore.ts',
        'ShardConsumer.ts',
        'StreamDelivery.ts',
      ]),
    );
    expect(offending).toEqual([]);
  });
});
