// Producer benchmark: `npm run bench -- producer`. Measures gridstream and its baselines in one run and
// prints a table with the ratio to each floor:
//  1. generate → validate → serialize → aggregate, beside JSON.stringify alone on the same events (≥ 0.5×)
//  2. our KPL aggregation beside aws-kinesis-agg aggregate() on the same user records (≥ 1.0×)
//  3. events/s through KinesisSink into the embedded Kinesis, aggregated and not
//  4. peak RSS
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { silenceSdkNodeVersionWarning } from '../../common/sdkNodeWarning.js';
import { AggregateBuilder } from '../../kinesis/AggregateBuilder.js';
import type { UserRecord } from '../../kinesis/kplAggregation.js';
import { partitionKeyOf } from '../../kinesis/partitionKeys.js';
import { ShardMap } from '../../kinesis/ShardMap.js';
import { EmbeddedKinesis } from '../../local/EmbeddedKinesis.js';
import { SINK_DEFAULTS } from '../../producers/kinesis/constants.js';
import { type EncodedRecord, encodeRecord } from '../../producers/kinesis/encodeRecord.js';
import { KinesisSink } from '../../producers/kinesis/KinesisSink.js';
import { runProducer } from '../../producers/runProducer.js';
import { createGenerator } from '../../producers/sources/index.js';
import {
  type Contract,
  contractFor,
  DATASETS,
  type Dataset,
  type EventByDataset,
} from '../../schemas/index.js';

// The pinned AWS SDK warns about Node 20 support on first use; it is noise in a results table.
silenceSdkNodeVersionWarning();

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const KINESIS_SECONDS = Number(process.env.BENCH_KINESIS_SECONDS ?? 3);
const MAX_AGGREGATED_BYTES = 51_200;
const RECORD_TTL_MS = SINK_DEFAULTS.recordTtlMs;
/** aws-kinesis-agg fills aggregates up to the Kinesis record limit; ours is given the same limit. */
const REFERENCE_AGGREGATE_BYTES = 1024 * 1024;

interface Row {
  readonly measure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly floor?: number;
}

/**
 * Measures several steps (each returns the work units it did) in interleaved slices of ~100 ms for
 * `seconds` each, so that a busy shared machine slows all of them alike and their ratios stay fair.
 *
 * @returns units per second of each step
 */
async function interleaved<K extends string>(
  seconds: number,
  steps: Record<K, () => number | Promise<number>>,
): Promise<Record<K, number>> {
  const keys = Object.keys(steps) as K[];
  const units = {} as Record<K, number>;
  const time = {} as Record<K, number>;
  for (const k of keys) {
    await steps[k](); // warm-up
    units[k] = 0;
    time[k] = 0;
  }
  const rounds = Math.max(1, Math.round((seconds * 1000) / 100));
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const started = performance.now();
      do units[k] += await steps[k]();
      while (performance.now() - started < 100);
      time[k] += performance.now() - started;
    }
  }
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = (units[k] * 1000) / time[k];
  return out;
}

/** A four-shard map like a real stream's (equal hash ranges). */
function fourShards(): ShardMap {
  const size = 2n ** 128n / 4n;
  const hex = (n: bigint) => n.toString(16).padStart(32, '0');
  return new ShardMap(
    Array.from({ length: 4 }, (_, i) => ({
      shardId: `shardId-00000000000${i}`,
      startingHashKey: hex(size * BigInt(i)),
      endingHashKey: hex(i === 3 ? 2n ** 128n - 1n : size * BigInt(i + 1) - 1n),
    })),
  );
}

/** Row 1: the sink's CPU path, without the network. */
async function pipelineRows(): Promise<Row[]> {
  const chunk = 3_000;
  // Baseline: JSON.stringify alone on the same events (same generators, same seed).
  const events: EventByDataset[Dataset][] = [];
  for (const d of DATASETS) {
    const g = createGenerator(d, { seed: 11 });
    for (let i = 0; i < 20_000; i++) events.push(g.next());
  }
  let cursor = 0;
  let sink = 0;
  const stringifyOnly = () => {
    for (let i = 0; i < chunk; i++) {
      sink += JSON.stringify(events[cursor]!).length;
      cursor = cursor + 1 === events.length ? 0 : cursor + 1;
    }
    return chunk;
  };

  const generators = DATASETS.map((d) => createGenerator(d, { seed: 11 }));
  const contracts = DATASETS.map((d) => contractFor(d) as Contract);
  const partitionKeys = DATASETS.map((d) => (e: EventByDataset[Dataset]) => partitionKeyOf(d, e));
  const map = fourShards();
  const builders = new Map<string, AggregateBuilder<EncodedRecord>>();
  let aggregates = 0;
  /**
   * The sink's put() path without the network and the buffer accounting: the sink's own per-event
   * function (validate + serialize in one pass, partition key, limits), then route and aggregate as
   * put() does (MD5 included).
   */
  const sinkPath = (k: number, event: EventByDataset[Dataset]): void => {
    const record = encodeRecord(contracts[k]!, partitionKeys[k]!, event);
    if (record instanceof Error) throw record;
    record.deadline = Date.now() + RECORD_TTL_MS;
    const shard = map.shardFor(record.partitionKey)!;
    let b = builders.get(shard);
    if (!b) {
      b = new AggregateBuilder<EncodedRecord>(MAX_AGGREGATED_BYTES);
      builders.set(shard, b);
    }
    if (!b.tryAdd(record, record, record.dataLength)) {
      sink += b.build().data.length;
      aggregates += 1;
      b.tryAdd(record, record, record.dataLength);
    }
  };
  const pipeline = () => {
    for (let i = 0; i < chunk; i++) sinkPath(i % 3, generators[i % 3]!.next());
    return chunk;
  };
  // Breakdown rows (no floor): where the time goes.
  let cursor2 = 0;
  const withoutGeneration = () => {
    for (let i = 0; i < chunk; i++) {
      sinkPath(Math.floor(cursor2 / 20_000), events[cursor2]!);
      cursor2 = cursor2 + 1 === events.length ? 0 : cursor2 + 1;
    }
    return chunk;
  };
  const generateOnly = () => {
    for (let i = 0; i < chunk; i++) sink += generators[i % 3]!.next().event_time > 0 ? 1 : 0;
    return chunk;
  };
  const md5Input = Buffer.alloc(MAX_AGGREGATED_BYTES, 97);
  const bytesPerEvent = events.reduce((n, e) => n + JSON.stringify(e).length, 0) / events.length;
  const md5Only = () => {
    sink += createHash('md5').update(md5Input).digest()[0]!;
    return MAX_AGGREGATED_BYTES / bytesPerEvent;
  };
  const r = await interleaved(SECONDS, { stringifyOnly, pipeline, withoutGeneration, generateOnly, md5Only });
  if (sink < 0 || aggregates === 0) throw new Error('unreachable: keeps the work observable');
  return [
    { measure: 'JSON.stringify only (baseline)', value: r.stringifyOnly, unit: 'events/s' },
    {
      measure: 'generate → validate → serialize → aggregate',
      value: r.pipeline,
      unit: 'events/s',
      baseline: r.stringifyOnly,
      floor: 0.5,
    },
    { measure: '  of which: generate only (producers/sources)', value: r.generateOnly, unit: 'events/s' },
    {
      measure: '  of which: validate → serialize → aggregate (no generate)',
      value: r.withoutGeneration,
      unit: 'events/s',
      baseline: r.stringifyOnly,
    },
    {
      measure: `  of which: KPL MD5 alone (${Math.round(bytesPerEvent)} B/event)`,
      value: r.md5Only,
      unit: 'events/s',
      baseline: r.stringifyOnly,
    },
  ];
}

interface ReferenceAgg {
  aggregate(
    records: UserRecord[],
    onEncoded: (encoded: { data: Buffer }, done: () => void) => void,
    afterAll: () => void,
    onError: (err: Error) => void,
  ): void;
}

/** Row 2: our aggregation beside aws-kinesis-agg on the same records and the same size limit. */
async function aggregationRows(): Promise<Row[]> {
  const reference = createRequire(import.meta.url)('aws-kinesis-agg') as ReferenceAgg;
  const records: UserRecord[] = [];
  for (const d of DATASETS) {
    const g = createGenerator(d, { seed: 5 });
    for (let i = 0; i < 4_000; i++) {
      const e = g.next();
      records.push({ partitionKey: partitionKeyOf(d, e), data: Buffer.from(JSON.stringify(e)) });
    }
  }
  let bytes = 0;
  const theirs = () =>
    new Promise<number>((resolve, reject) => {
      reference.aggregate(
        records.map((r) => ({ ...r })),
        (encoded, done) => {
          bytes += encoded.data.length;
          done();
        },
        () => resolve(records.length),
        reject,
      );
    });
  const ours = () => {
    const b = new AggregateBuilder<null>(REFERENCE_AGGREGATE_BYTES);
    for (const r of records) {
      if (!b.tryAdd(r, null)) {
        bytes += b.build().data.length;
        b.tryAdd(r, null);
      }
    }
    bytes += b.build().data.length;
    return records.length;
  };
  const r = await interleaved(SECONDS, { theirs, ours });
  if (bytes === 0) throw new Error('unreachable: keeps the work observable');
  return [
    { measure: 'aws-kinesis-agg aggregate() (baseline)', value: r.theirs, unit: 'records/s' },
    {
      measure: 'gridstream AggregateBuilder',
      value: r.ours,
      unit: 'records/s',
      baseline: r.theirs,
      floor: 1.0,
    },
  ];
}

/** Row 3: the whole producer (generators → runProducer → KinesisSink → SDK → emulator) for a few seconds. */
async function kinesisRow(aggregate: boolean): Promise<Row> {
  const streams = (phase: string) => DATASETS.map((d) => `bench-${phase}-${aggregate}-${d}`);
  const kinesis = await EmbeddedKinesis.start({
    streams: Object.fromEntries([...streams('warmup'), ...streams('run')].map((s) => [s, 2])),
  });
  /** Produces flat out into the phase's streams for `seconds`; returns events/s acknowledged. */
  const run = async (phase: string, seconds: number): Promise<number> => {
    const sinks = DATASETS.map(
      (d, i) =>
        new KinesisSink({
          dataset: d,
          streamName: streams(phase)[i]!,
          client: kinesis.client,
          aggregate,
          rejectFile: null,
          metrics: 'off',
        }),
    );
    const started = performance.now();
    await Promise.all(
      sinks.map((sink, i) =>
        runProducer({
          generator: createGenerator(DATASETS[i]!, { seed: 21 }),
          sink,
          durationMs: seconds * 1000,
        }),
      ),
    );
    const totals = await Promise.all(sinks.map((s) => s.close()));
    const elapsed = performance.now() - started;
    const lost = totals.reduce((n, t) => n + t.expired + t.failed, 0);
    if (lost > 0) throw new Error(`${lost} events expired or failed during the benchmark`);
    return (totals.reduce((n, t) => n + t.sent, 0) * 1000) / elapsed;
  };
  try {
    // Untimed warm-up: JIT, SDK and emulator first-use costs are not what this row is about.
    await run('warmup', 0.5);
    const value = await run('run', KINESIS_SECONDS);
    await yieldToEventLoop();
    return {
      measure: `into embedded Kinesis, ${aggregate ? 'aggregated' : 'not aggregated'} (3 datasets, 2 shards each)`,
      value,
      unit: 'events/s',
    };
  } finally {
    await kinesis.stop();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function print(rows: readonly Row[]): boolean {
  const header = ['measure', 'rate', 'unit', 'vs baseline', 'floor', 'verdict'];
  const body = rows.map((r) => {
    const ratio = r.baseline ? r.value / r.baseline : undefined;
    const verdict = r.floor === undefined || ratio === undefined ? '' : ratio >= r.floor ? 'PASS' : 'BELOW';
    return [
      r.measure,
      fmt(r.value),
      r.unit,
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      r.floor === undefined ? '' : `>= ${r.floor.toFixed(1)}x`,
      verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
  return body.every((b) => b[5] !== 'BELOW');
}

const rows: Row[] = [...(await pipelineRows()), ...(await aggregationRows())];
rows.push(await kinesisRow(true));
rows.push(await kinesisRow(false));
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
rows.push({ measure: 'peak RSS of this benchmark process', value: peakRssMiB, unit: 'MiB' });
process.stdout.write(
  `producer benchmark: Node ${process.version}, ${SECONDS}s per CPU row, ${KINESIS_SECONDS}s per Kinesis row\n\n`,
);
const ok = print(rows);
process.exitCode = ok ? 0 : 1;
