// Load-test harness accounting benchmark: `npm run bench -- loadtest`. What the harness adds per event
// on top of generating and sending it: the open-model schedule (intended time and stage of each event)
// and the measurements (a histogram sample and a counter per dataset and stage), and whether memory stays
// flat over many samples. No floor here: issue 13's ≥ 0.9× floor is against the bare producer, measured
// once the run orchestration exists.
import { LogHistogram } from '../metrics/LogHistogram.js';
import { RunMetrics } from '../metrics/RunMetrics.js';
import { RateProfile } from '../profile/RateProfile.js';
import { OpenModelScheduler, type ScheduledEvent } from '../scheduler/OpenModelScheduler.js';

const EVENTS = Number(process.env.BENCH_LOADTEST_EVENTS ?? 5_000_000);
const ROUNDS = Number(process.env.BENCH_LOADTEST_ROUNDS ?? 3);

function nsPerEvent(fn: () => number): number {
  const t0 = process.hrtime.bigint();
  const n = fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

function schedule(): number {
  const profile = new RateProfile([
    { kind: 'ramp', name: 'ramp', from: 1000, to: 100_000, durationMs: 10_000 },
    { kind: 'constant', name: 'plateau', rate: 100_000, durationMs: (EVENTS / 100_000) * 1000 },
  ]);
  const s = new OpenModelScheduler(profile, { startMs: 0 });
  const out: ScheduledEvent[] = [];
  let n = 0;
  for (let t = 0; !s.done; t += 5) n += s.take(t, 100_000, out);
  return n;
}

function measure(): number {
  const m = new RunMetrics();
  const cells = [m.cell('grid', 'ramp'), m.cell('grid', 'plateau')];
  for (let i = 0; i < EVENTS; i++) {
    const cell = cells[i & 1]!;
    cell.recordLatencyMs('put_latency', 5 + (i % 997) * 0.03);
    cell.add('acknowledged');
  }
  return EVENTS;
}

function histogramOnly(): number {
  const h = new LogHistogram();
  for (let i = 0; i < EVENTS; i++) h.record(5000 + (i % 997) * 30);
  return EVENTS;
}

const rows: [string, number[]][] = [
  ['schedule: intended time + stage per event', []],
  ['measure: histogram sample + counter (RunMetrics cell)', []],
  ['histogram sample alone (LogHistogram.record)', []],
];
for (let r = 0; r < ROUNDS; r++) {
  rows[0]![1].push(nsPerEvent(schedule));
  rows[1]![1].push(nsPerEvent(measure));
  rows[2]![1].push(nsPerEvent(histogramOnly));
}

// Memory: RSS around 50 M samples into one histogram (its buckets are fixed).
globalThis.gc?.();
const before = process.memoryUsage().rss;
const h = new LogHistogram();
for (let i = 0; i < 50_000_000; i++) h.record((i * 7919) % 1e9);
globalThis.gc?.();
const after = process.memoryUsage().rss;

process.stdout.write(
  `loadtest harness accounting, ${EVENTS.toLocaleString('en-US')} events × ${ROUNDS} rounds (ns per event)\n`,
);
process.stdout.write('| step | ns/event (each round) |\n|---|---:|\n');
for (const [name, ns] of rows)
  process.stdout.write(`| ${name} | ${ns.map((x) => x.toFixed(0)).join(' / ')} |\n`);
process.stdout.write(
  `histogram: ${h.bucketCount} buckets after ${h.count.toLocaleString('en-US')} samples; RSS ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MiB\n`,
);
