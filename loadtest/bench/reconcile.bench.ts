// Reconciliation at scale: a run folder of N events (default 1,000,000: 60 % grid, 10 % weather,
// 30 % transactions, two workers each, with the key universes steady-20k's rates use) whose raw zone DuckDB writes straight from the generators'
// events (the pipeline is not what is measured), then `reconcileRun` on it, with its time and the
// process's peak RSS (DuckDB's memory included). `npm run bench -- reconcile`; `RECONCILE_EVENTS=N`.

import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ident, openDuckDb, sqlString } from '../../datalake/duckdb/index.js';
import { createGenerator, planRate } from '../../producers/sources/index.js';
import { contractFor, type Dataset, eventPartition } from '../../schemas/index.js';
import { RUN_FORMAT, WORKER_FORMAT } from '../reconcile/constants.js';
import { reconcileRun } from '../reconcile/index.js';

const total = Number(process.env.RECONCILE_EVENTS ?? 1_000_000);
const shares: Record<Dataset, number> = { grid: 0.6, weather: 0.1, transactions: 0.3 };
/** steady-20k's rates, events/s: they choose each generator's key universe. */
const RATES: Record<Dataset, number> = { grid: 12_000, weather: 1_000, transactions: 7_000 };
const WORKERS = 2;
/** Rows per raw file: about what one delivery flush of a shard holds at these rates. */
const ROWS_PER_FILE = 5_000;
const SEED = 3;
const T0 = Date.UTC(2026, 10, 1);

async function writeRaw(
  lake: string,
  dataset: Dataset,
  events: Iterable<Record<string, unknown>>,
  tmp: string,
) {
  const ndjson = join(tmp, `${dataset}.jsonl`);
  const out = createWriteStream(ndjson);
  for (const e of events) {
    const { dt, hr } = eventPartition(dataset, e);
    if (!out.write(`${JSON.stringify({ ...e, dt, hr })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const contract = contractFor(dataset);
  const cols = contract.columns.map((c, i) => {
    const type = contract.duckDbColumns[i]!.type;
    const v = ident(c.name);
    return type.startsWith('TIMESTAMP')
      ? `CAST(epoch_ms(CAST(${v} AS BIGINT)) AS ${type}) AS ${v}`
      : `CAST(${v} AS ${type}) AS ${v}`;
  });
  await mkdir(join(lake, 'raw'), { recursive: true });
  const db = await openDuckDb({
    threads: 2,
    memoryLimit: '2GB',
    tempDirectory: join(tmp, 'spill'),
    preserveInsertionOrder: false,
  });
  try {
    await db.rows(
      `COPY (SELECT ${cols.join(', ')}, dt, hr, (row_number() OVER ()) // ${ROWS_PER_FILE} AS f FROM read_json(${sqlString(ndjson)}, format = 'newline_delimited', ` +
        `columns = {${[...contract.columns.map((c, i) => `${sqlString(c.name)}: ${sqlString(contract.duckDbColumns[i]!.type.startsWith('TIMESTAMP') ? 'BIGINT' : contract.duckDbColumns[i]!.type)}`), "'dt': 'VARCHAR'", "'hr': 'VARCHAR'"].join(', ')}})) ` +
        `TO ${sqlString(join(lake, 'raw', dataset))} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (dt, hr, f), OVERWRITE_OR_IGNORE)`,
    );
  } finally {
    db.close();
  }
  await rm(ndjson);
  // dt=/hr=/f=N/data_0.parquet -> dt=/hr=/part-N.parquet: files of the size delivery's flushes have.
  const root = join(lake, 'raw', dataset);
  for (const dt of await readdir(root))
    for (const hr of await readdir(join(root, dt)))
      for (const f of await readdir(join(root, dt, hr))) {
        for (const name of await readdir(join(root, dt, hr, f)))
          await rename(join(root, dt, hr, f, name), join(root, dt, hr, `part-${f.slice(2)}-${name}`));
        await rm(join(root, dt, hr, f), { recursive: true });
      }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gridstream-reconcile-bench-'));
  try {
    const lake = join(dir, 'lake');
    await mkdir(join(dir, 'workers'), { recursive: true });
    const workers: { worker: string; datasets: Record<string, unknown> }[] = Array.from(
      { length: WORKERS },
      (_, w) => ({
        worker: `w${w}`,
        datasets: {},
      }),
    );
    const built = Date.now();
    for (const [dataset, share] of Object.entries(shares) as [Dataset, number][]) {
      const perWorker = Math.round((total * share) / WORKERS);
      const gens = Array.from({ length: WORKERS }, (_, w) => {
        const producerId = `lt-bench-w${w}-${dataset}`;
        const firstSequence = w * 10_000_000;
        workers[w]!.datasets[dataset] = {
          producer_id: producerId,
          seed: SEED,
          first_sequence: firstSequence,
          emitted: perWorker,
          acknowledged: perWorker,
          failed_event_ids: [],
        };
        // The key universe and speed steady-20k's rate needs; each worker its own simulated-time slice.
        const plan = planRate(dataset, { rate: RATES[dataset], startMs: T0 + w * 30 * 86_400_000 });
        return createGenerator(dataset, {
          ...plan.generatorOptions,
          seed: SEED,
          producerId,
          startSequence: firstSequence,
        });
      });
      function* events(): Generator<Record<string, unknown>> {
        for (const gen of gens)
          for (let i = 0; i < perWorker; i++) yield gen.next() as unknown as Record<string, unknown>;
      }
      await writeRaw(lake, dataset, events(), dir);
    }
    for (const w of workers)
      await writeFile(
        join(dir, 'workers', `${w.worker}.json`),
        JSON.stringify({ format: WORKER_FORMAT, ...w }),
      );
    await writeFile(
      join(dir, 'run.json'),
      JSON.stringify({
        format: RUN_FORMAT,
        run_id: 'bench',
        scenario: 'bench',
        started_at: new Date().toISOString(),
        target: { kind: 'embedded', lake: 'lake' },
        seed: SEED,
        workers: WORKERS,
        curated: false,
        datasets: Object.fromEntries(Object.keys(shares).map((d) => [d, { stream: d }])),
      }),
    );
    const buildS = (Date.now() - built) / 1000;
    // Reconcile in a process of its own, so its peak RSS is its own and not the build's DuckDB's.
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, RECONCILE_BENCH_DIR: dir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = child.stdout.trim().split('\n');
    const result = JSON.parse(out.pop()!) as {
      seconds: number;
      peakMiB: number;
      files: number;
      sent: number;
      lost: number;
      dup: number;
      exit: number;
    };
    for (const l of out) console.log(l);
    console.log(
      '| events | raw files | reconcile | events/s | peak RSS of the reconciling process | lost | duplicated_raw |',
    );
    console.log('|---|---|---|---|---|---|---|');
    console.log(
      `| ${result.sent.toLocaleString('en-US')} | ${result.files} | ${result.seconds.toFixed(1)} s | ${Math.round(result.sent / result.seconds).toLocaleString('en-US')} | ${result.peakMiB} MiB | ${result.lost} | ${result.dup} |`,
    );
    console.log(`(run folder built in ${buildS.toFixed(1)} s)`);
    if (child.status !== 0 || result.exit !== 0) process.exitCode = 1;
  } finally {
    if (process.env.RECONCILE_KEEP) console.log(`run folder kept: ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** The child: reconciles RECONCILE_BENCH_DIR, prints its progress and then one JSON line. */
async function reconcileOnly(dir: string): Promise<void> {
  const started = Date.now();
  const r = await reconcileRun(dir, {
    onProgress: (l) => console.log(l),
    ...(process.env.RECONCILE_MEMORY ? { memoryLimit: process.env.RECONCILE_MEMORY } : {}),
  });
  const seconds = (Date.now() - started) / 1000;
  // VmHWM: the process's peak resident set, DuckDB's allocations included.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''));
  const peakMiB = Math.round(hwm ? Number(hwm[1]) / 1024 : process.memoryUsage().rss / 2 ** 20);
  const files = Object.values(r.byDataset).reduce((n, d) => n + d.files, 0);
  console.log(
    JSON.stringify({
      seconds,
      peakMiB,
      files,
      sent: r.summary.sent,
      lost: r.summary.lost,
      dup: r.summary.duplicated_raw,
      exit: r.exitCode,
    }),
  );
}

if (process.env.RECONCILE_BENCH_DIR) await reconcileOnly(process.env.RECONCILE_BENCH_DIR);
else await main();
