// Decode benchmark: `npm run bench -- decode`. The delivery reader's CPU work per event without HTTP,
// Kinesis or DuckDB: GetRecords response bodies (KPL aggregates of generated grid events, as the sink builds
// them, base64 in JSON as Kinesis returns them) parsed, de-aggregated with the MD5 check, checked against
// the contract and batched into per-hour NDJSON — beside the plain way of doing the same in the same run
// (JSON.parse of the body, base64 per record, de-aggregation into objects, UTF-8 decode, JSON.parse and avsc
// isValid per event, one NDJSON line each). No floor: it shows what the reader costs and where.
import { PerformanceObserver } from 'node:perf_hooks';
import { AggregateBuilder } from '../../kinesis/AggregateBuilder.js';
import { parseBody } from '../../kinesis/getRecordsFast.js';
import { deaggregate } from '../../kinesis/index.js';
import { SINK_DEFAULTS } from '../../producers/kinesis/constants.js';
import { createGenerator } from '../../producers/sources/index.js';
import { contractFor } from '../../schemas/index.js';
import { BufferBudget } from '../../stream-processors/delivery/BufferBudget.js';
import { decodeContext, decodeRecordInto } from '../../stream-processors/delivery/recordDecoder.js';
import { ShardBatch } from '../../stream-processors/delivery/ShardBatch.js';

const EVENTS = Number(process.env.BENCH_DECODE_EVENTS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_DECODE_ROUNDS ?? 5);
/** Bytes of aggregates per response: delivery's default GetRecords target. */
const RESPONSE_BYTES = 8 * 1024 * 1024;

function responses(): Buffer[] {
  const generator = createGenerator('grid', { seed: 3 });
  const bodies: Buffer[] = [];
  let records: {
    Data: string;
    PartitionKey: string;
    SequenceNumber: string;
    ApproximateArrivalTimestamp: number;
  }[] = [];
  let bytes = 0;
  const flushBody = (): void => {
    bodies.push(
      Buffer.from(
        JSON.stringify({ Records: records, NextShardIterator: 'x'.repeat(200), MillisBehindLatest: 0 }),
      ),
    );
    records = [];
    bytes = 0;
  };
  const builder = new AggregateBuilder<number>(SINK_DEFAULTS.maxAggregatedBytes);
  const seal = (): void => {
    const { data } = builder.build();
    records.push({
      Data: data.toString('base64'),
      PartitionKey: 'pk',
      SequenceNumber: String(10n ** 55n + BigInt(bodies.length * 100_000 + records.length)),
      ApproximateArrivalTimestamp: Date.now() / 1000,
    });
    bytes += data.length;
    if (bytes >= RESPONSE_BYTES) flushBody();
  };
  for (let i = 0; i < EVENTS; i++) {
    const e = generator.next();
    const r = { partitionKey: e.settlement_point ?? e.load_zone, data: Buffer.from(JSON.stringify(e)) };
    if (!builder.tryAdd(r, i)) {
      seal();
      builder.tryAdd(r, i);
    }
  }
  seal();
  if (records.length > 0) flushBody();
  return bodies;
}

const contract = contractFor('grid');

/** gridstream's reader: what ShardConsumer does per response, minus HTTP and flushing. */
function gridstream(bodies: readonly Buffer[]): number {
  const budget = new BufferBudget(64 * 1024 * 1024);
  const ctx = decodeContext('grid', 'grid', 'shardId-000000000000', contract, 1_024_000);
  let rows = 0;
  for (const body of bodies) {
    const { doc, data, pooled } = parseBody(body, budget.pool);
    const batch = new ShardBatch(budget);
    doc.Records!.forEach((r, i) => {
      decodeRecordInto(
        batch,
        { data: data[i]!, partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber, arrivalMs: 0 },
        ctx,
        0,
      );
    });
    if (pooled) budget.pool.give(pooled);
    rows += batch.rows;
    for (const p of batch.partitions()) p.release();
    budget.add(-batch.bytes);
  }
  return rows;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = Buffer.from('\n');

/** The plain way: objects and strings for everything, avsc's isValid per event. */
function plain(bodies: readonly Buffer[]): number {
  let rows = 0;
  for (const body of bodies) {
    const doc = JSON.parse(body.toString('utf8')) as { Records: { Data: string; PartitionKey: string }[] };
    const partitions = new Map<number, Buffer[]>();
    for (const r of doc.Records) {
      for (const user of deaggregate(Buffer.from(r.Data, 'base64'), r.PartitionKey)) {
        const event = JSON.parse(utf8.decode(user.data)) as { event_time: number };
        if (!contract.isValid(event)) throw new Error('invalid event');
        const hour = Math.floor(event.event_time / 3_600_000);
        let lines = partitions.get(hour);
        if (!lines) {
          lines = [];
          partitions.set(hour, lines);
        }
        lines.push(Buffer.from(user.data), NEWLINE);
        rows++;
      }
    }
  }
  return rows;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

interface Result {
  usPerEvent: number;
  gcMs: number;
}

/** One timed run; GC entries arrive asynchronously, so they are collected after a pause. */
async function timed(
  run: (b: readonly Buffer[]) => number,
  bodies: readonly Buffer[],
  into: Result,
): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gcMs = 0;
  const t = performance.now();
  const rows = run(bodies);
  const ms = performance.now() - t;
  await new Promise((resolve) => setTimeout(resolve, 50));
  if (rows !== EVENTS) throw new Error(`decoded ${rows} of ${EVENTS} events`);
  into.usPerEvent = Math.min(into.usPerEvent, (ms * 1000) / rows);
  into.gcMs += gcMs / ROUNDS;
}

const bodies = responses();
const mib = bodies.reduce((s, b) => s + b.length, 0) / 1024 / 1024;
process.stdout.write(
  `${EVENTS.toLocaleString('en-US')} grid events in ${bodies.length} GetRecords bodies (${mib.toFixed(0)} MiB); best of ${ROUNDS} runs, alternating\n\n`,
);
gridstream(bodies); // warm-up
plain(bodies);
const ours: Result = { usPerEvent: Number.POSITIVE_INFINITY, gcMs: 0 };
const base: Result = { usPerEvent: Number.POSITIVE_INFINITY, gcMs: 0 };
for (let i = 0; i < ROUNDS; i++) {
  await timed(gridstream, bodies, ours);
  await timed(plain, bodies, base);
}
const rows = [
  ['measure', 'gridstream reader', 'plain way', 'ratio'],
  [
    'time per event, one thread (parse, base64, MD5, de-aggregate, check, batch)',
    `${ours.usPerEvent.toFixed(2)} µs`,
    `${base.usPerEvent.toFixed(2)} µs`,
    `${(base.usPerEvent / ours.usPerEvent).toFixed(2)}x faster`,
  ],
  [
    'events/s on one thread',
    Math.round(1e6 / ours.usPerEvent).toLocaleString('en-US'),
    Math.round(1e6 / base.usPerEvent).toLocaleString('en-US'),
    '',
  ],
  [
    'garbage collection per run of all events (mean)',
    `${ours.gcMs.toFixed(0)} ms`,
    `${base.gcMs.toFixed(0)} ms`,
    '',
  ],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
const line = (r: string[]): string => `| ${r.map((v, c) => v.padEnd(widths[c]!)).join(' | ')} |`;
process.stdout.write(
  `${line(rows[0]!)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.slice(1).map(line).join('\n')}\n`,
);
