// Delivery benchmark: `npm run bench -- delivery`. One run, three measures, each beside its floor:
//  1. throughput: events/s from a pre-filled stream (KPL-aggregated by gridstream's own sink) to Parquet on
//     disk, beside DuckDB's own read_json → COPY (FORMAT parquet) of the same events as NDJSON (≥ 0.5×);
//  2. freshness: produced_at → object visible, p50/p99, at a sustained BENCH_DELIVERY_RATE (20,000) events/s
//     for BENCH_DELIVERY_SECONDS (60) s (p99 ≤ 5 s);
//  3. the delivery process' peak RSS (≤ 512 MiB).
// The emulator, the load generator and the delivery worker each run in their own process; this one only
// orchestrates and runs the DuckDB baseline.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { silenceSdkNodeVersionWarning } from '../../common/sdkNodeWarning.js';
import { contractFor } from '../../schemas/index.js';
import { conversionSql } from '../../stream-processors/delivery/index.js';
import { jsonLine, prefillGrid, type RunnerResult, spawnTsx } from './delivery/children.js';

// The pinned AWS SDK warns about Node 20 support on first use; it is noise in a results table.
silenceSdkNodeVersionWarning();

const EVENTS = Number(process.env.BENCH_DELIVERY_EVENTS ?? 300_000);
const SECONDS = Number(process.env.BENCH_DELIVERY_SECONDS ?? 60);
const RATE = Number(process.env.BENCH_DELIVERY_RATE ?? 20_000);
const SHARDS = Number(process.env.BENCH_DELIVERY_SHARDS ?? 4);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gridstream-bench-delivery-'));
const children: ChildProcess[] = [];

function tsx(script: string, args: string[]): ChildProcess {
  const child = spawnTsx(join(here, 'delivery', script), args, root);
  children.push(child);
  return child;
}

/** The emulator's CPU time so far (SIGUSR2), or at its exit (`last`: closes its stdin). */
async function emulatorCpu(emulator: ChildProcess, last = false): Promise<number> {
  const result = jsonLine<{ cpuMs: number }>(emulator, '{"cpuMs"');
  if (last) emulator.stdin!.end();
  else emulator.kill('SIGUSR2');
  return (await result).cpuMs;
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!.toFixed(1);
  // Emulator
  const emulator = tsx('emulatorProcess.ts', [`bench-tput:${SHARDS}`, `bench-fresh:${SHARDS}`]);
  const { endpoint } = await jsonLine<{ endpoint: string }>(emulator);

  // Pre-fill with gridstream's own sink (KPL aggregation, as producers send), keeping the same events as NDJSON.
  process.stdout.write(
    `pre-filling ${EVENTS.toLocaleString('en-US')} grid events into ${SHARDS} shards...\n`,
  );
  const lines: string[] = [];
  await prefillGrid(endpoint, 'bench-tput', EVENTS, (e) => lines.push(JSON.stringify(e)));
  const ndjson = join(work, 'events.ndjson');
  writeFileSync(ndjson, `${lines.join('\n')}\n`);
  const ndjsonMiB = statSync(ndjson).size / 1024 / 1024;
  lines.length = 0;

  // Baseline: DuckDB alone, NDJSON file → Snappy Parquet with the same column conversions. Best of 2 after a warm-up.
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const sql = conversionSql(contractFor('grid'));
  let baselineCpuMs = Number.POSITIVE_INFINITY;
  const copy = async (): Promise<number> => {
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    await db.run(
      `COPY (SELECT ${sql.select} FROM read_json('${ndjson}', format = 'newline_delimited', columns = ${sql.columns})) ` +
        `TO '${join(work, 'baseline.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
    );
    const cpu = process.cpuUsage(cpu0);
    baselineCpuMs = Math.min(baselineCpuMs, (cpu.user + cpu.system) / 1000);
    return performance.now() - t;
  };
  await copy();
  const baselineMs = Math.min(await copy(), await copy());
  db.closeSync();
  instance.closeSync();

  // 1. Delivery throughput from the pre-filled stream.
  const tputLake = join(work, 'lake-throughput');
  // The baseline left ~150 MiB of dirty pages; let them reach the disk before delivery's fsyncs compete with them.
  execFileSync('sync');
  const emulatorCpuBeforeTput = await emulatorCpu(emulator);
  const tput = await jsonLine<RunnerResult>(
    tsx('runner.ts', [
      JSON.stringify({
        endpoint,
        lake: tputLake,
        streams: [{ dataset: 'grid', streamName: 'bench-tput' }],
        mode: 'drain',
      }),
    ]),
  );
  if (tput.delivered !== EVENTS) throw new Error(`delivered ${tput.delivered} of ${EVENTS} events`);
  const emulatorTputCpuMs = (await emulatorCpu(emulator)) - emulatorCpuBeforeTput;

  // 2. Freshness under sustained load.
  process.stdout.write(`sustaining ${RATE.toLocaleString('en-US')} events/s for ${SECONDS} s...\n`);
  const runner = tsx('runner.ts', [
    JSON.stringify({
      endpoint,
      lake: join(work, 'lake-freshness'),
      streams: [{ dataset: 'grid', streamName: 'bench-fresh' }],
      mode: 'stdin',
    }),
  ]);
  const freshResult = jsonLine<RunnerResult>(runner);
  const emulatorCpuBefore = await emulatorCpu(emulator);
  const load = await jsonLine<{ accepted: number; elapsedMs: number; cpuMs: number }>(
    tsx('loadGenerator.ts', [
      JSON.stringify({ endpoint, streamName: 'bench-fresh', rate: RATE, durationMs: SECONDS * 1000 }),
    ]),
  );
  runner.stdin!.end();
  const fresh = await freshResult;
  const emulatorCpuMs = (await emulatorCpu(emulator, true)) - emulatorCpuBefore;

  const deliveryRate = tput.delivered / (tput.elapsedMs / 1000);
  const baselineRate = EVENTS / (baselineMs / 1000);
  const ratio = deliveryRate / baselineRate;
  const rss = Math.max(tput.maxRssMiB, fresh.maxRssMiB);
  const share = (cpuMs: number): string => `${((100 * cpuMs) / load.elapsedMs).toFixed(0)}%`;
  const achieved = load.accepted / (load.elapsedMs / 1000);
  const rows: string[][] = [
    ['measure', 'gridstream delivery', 'baseline', 'ratio / value', 'floor', 'verdict'],
    [
      `throughput, ${EVENTS.toLocaleString('en-US')} events (${ndjsonMiB.toFixed(0)} MiB JSON), ${SHARDS} shards`,
      `${Math.round(deliveryRate).toLocaleString('en-US')} events/s`,
      `${Math.round(baselineRate).toLocaleString('en-US')} events/s (DuckDB read_json → COPY parquet)`,
      `${ratio.toFixed(2)}x`,
      '>= 0.5x',
      ratio >= 0.5 ? 'PASS' : 'BELOW',
    ],
    [
      `freshness p50 at ${Math.round(achieved).toLocaleString('en-US')} events/s for ${SECONDS} s`,
      `${(fresh.freshness.p50Ms / 1000).toFixed(2)} s`,
      '',
      `${fresh.freshness.count.toLocaleString('en-US')} rows`,
      '',
      '',
    ],
    [
      `freshness p99 at ${Math.round(achieved).toLocaleString('en-US')} events/s for ${SECONDS} s`,
      `${(fresh.freshness.p99Ms / 1000).toFixed(2)} s`,
      '',
      `max ${(fresh.freshness.maxMs / 1000).toFixed(2)} s`,
      '<= 5 s',
      fresh.freshness.p99Ms <= 5_000 ? 'PASS' : 'BELOW',
    ],
    [
      'delivery CPU per event (JS + DuckDB threads), throughput run',
      `${((tput.cpuMs * 1000) / tput.delivered).toFixed(1)} µs`,
      `${((baselineCpuMs * 1000) / EVENTS).toFixed(1)} µs`,
      '',
      '',
      '',
    ],
    [
      'emulator CPU per event serving GetRecords, throughput run',
      `${((emulatorTputCpuMs * 1000) / tput.delivered).toFixed(1)} µs`,
      '',
      '',
      '',
      '',
    ],
    [
      `CPU during the ${SECONDS} s load, % of one core`,
      `delivery ${share(fresh.cpuMs)}`,
      `producer ${share(load.cpuMs)}, emulator ${share(emulatorCpuMs)}`,
      '',
      '',
      '',
    ],
    [
      'delivery peak RSS (throughput run / freshness run)',
      `${rss.toFixed(0)} MiB`,
      `${tput.maxRssMiB.toFixed(0)} / ${fresh.maxRssMiB.toFixed(0)} MiB`,
      '',
      '<= 512 MiB',
      rss <= 512 ? 'PASS' : 'BELOW',
    ],
  ];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const fmt = (r: string[]): string => `| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`;
  process.stdout.write(`\n${fmt(rows[0]!)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const r of rows.slice(1)) process.stdout.write(`${fmt(r)}\n`);
  process.stdout.write(`\nload average (1 min) at start ${loadStart}, at end ${loadavg()[0]!.toFixed(1)}`);
  process.stdout.write(
    `\nthroughput run: ${tput.files} files in ${(tput.elapsedMs / 1000).toFixed(1)} s; freshness run: ${fresh.delivered.toLocaleString('en-US')} rows in ${fresh.files} files\n`,
  );
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
