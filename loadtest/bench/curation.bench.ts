// Curation benchmark (`npm run bench -- curation`): one run over >= 10 M raw events.
//   1. generates a raw zone with DuckDB range(): 14 days x 24 hourly partitions, 2-10 files each, 1 %
//      re-delivered duplicates and a few rows failing quality rules;
//   2. runs runCuration (DuckDB) and, over the same files, a hand-written DuckDB CREATE TABLE AS
//      baseline doing the same dedup/checks/gold in one script; each in its own process for its
//      peak RSS; floor: curation <= 1.5 x the baseline's time;
//   3. compacts the raw zone (files and bytes before -> after);
//   4. partition pruning: bytes and files the "last hour" analyst query reads vs a full scan (DuckDB
//      profiling: total_bytes_read, READ_PARQUET "Total Files Read"); floor: <= 1/100.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { registerLakeViews } from '../../datalake/query/index.js';
import { contractFor, type Dataset } from '../../schemas/index.js';
import {
  athenaToDuckDb,
  compactRaw,
  runCuration,
  SQL_ATHENA_DIR,
} from '../../stream-processors/curation/index.js';

const HOUR = 3_600_000;
const DAYS = 14;
// GRIDSTREAM_BENCH_SCALE (e.g. 0.05) shrinks the run while working on the script; the recorded run uses 1.
const SCALE = Number(process.env.GRIDSTREAM_BENCH_SCALE ?? 1);
const EVENTS = {
  grid: Math.round(9_200_000 * SCALE),
  weather: Math.round(600_000 * SCALE),
  transactions: Math.round(300_000 * SCALE),
} as const;
// Files per hourly partition (delivery flushes every few seconds: many small files, the compaction case).
const FILES_PER_PARTITION = { grid: 10, weather: 4, transactions: 2 } as const;
const here = fileURLToPath(import.meta.url);

function rss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function duck(threads = 2) {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads), memory_limit: '4GB' });
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  return { instance, c };
}

/** Writes the raw zone: each chunk is one file per hourly partition (delivery-like names, later chunks sort later). */
async function generate(lake: string, endHourMs: number): Promise<void> {
  const { instance, c } = await duck();
  mkdirSync(join(lake, 'raw'), { recursive: true });
  const start = endHourMs - DAYS * 24 * HOUR + HOUR;
  const intervals = DAYS * 24 * 12;
  const ts = (ms: string) => `make_timestamptz((${ms}) * 1000)`;
  const part = (t: string) => `strftime(${t}, '%Y-%m-%d') AS dt, strftime(${t}, '%H') AS hr`;
  const grid = (where: string) => {
    const t = `${start} + ((i // ${FILES_PER_PARTITION.grid}) % ${intervals}) * 300000`;
    const isPrice = 'i % 10 <> 0';
    return `SELECT 'g-' || i AS event_id, ${ts(t)} AS event_time,
      CASE WHEN ${isPrice} THEN 'SETTLEMENT_POINT_PRICE' ELSE 'SYSTEM_CONDITIONS' END AS record_type,
      'RTM' AS market, 5 AS interval_minutes,
      ['LZ_HOUSTON','LZ_NORTH','LZ_SOUTH','LZ_WEST','LZ_AEN','LZ_CPS'][1 + (i // 10) % 6] AS load_zone,
      CASE WHEN ${isPrice} THEN 'SP_' || (i % 300) END AS settlement_point,
      CASE WHEN ${isPrice} THEN 'HUB' END AS settlement_point_type,
      CASE WHEN NOT (${isPrice}) THEN NULL WHEN i % 100003 = 1 THEN 6000.0 WHEN i % 997 = 1 THEN 1500.0 + (i % 2000)
           ELSE round(((hash(i) % 14000) / 100.0) - 20, 2) END AS lmp_usd_mwh,
      CASE WHEN ${isPrice} THEN 30.5 END AS energy_usd_mwh, CASE WHEN ${isPrice} THEN 1.25 END AS congestion_usd_mwh,
      CASE WHEN ${isPrice} THEN 0.5 END AS loss_usd_mwh,
      CASE WHEN NOT (${isPrice}) THEN 5000 + (hash(i) % 15000) END::DOUBLE AS load_mw,
      CASE WHEN NOT (${isPrice}) THEN (hash(i + 1) % 8000) END::DOUBLE AS wind_mw,
      CASE WHEN NOT (${isPrice}) THEN (hash(i + 2) % 5000) END::DOUBLE AS solar_mw,
      NULL::DOUBLE AS gas_mw, NULL::DOUBLE AS coal_mw, NULL::DOUBLE AS nuclear_mw, NULL::DOUBLE AS hydro_mw,
      NULL::DOUBLE AS storage_mw, NULL::DOUBLE AS other_mw, 'bench' AS source, 'bench-1' AS producer_id,
      ${ts(`${t} + 500`)} AS produced_at, ${part(ts(t))}
      FROM range(${EVENTS.grid}) r(i) WHERE ${where}`;
  };
  const weather = (where: string) => {
    const t = `${start} + ((i // ${FILES_PER_PARTITION.weather}) % ${DAYS * 24}) * ${HOUR}`;
    return `SELECT 'w-' || i AS event_id, ${ts(t)} AS event_time, 'OBSERVATION' AS record_type,
      'loc-' || (i % 500) AS location_id, 'Location ' || (i % 500) AS location_name,
      ['LZ_HOUSTON','LZ_NORTH','LZ_SOUTH','LZ_WEST','LZ_AEN','LZ_CPS'][1 + (i // 10) % 6] AS load_zone,
      30.0 AS latitude_deg, -97.0 AS longitude_deg, NULL::TIMESTAMPTZ AS forecast_issued_at, NULL::INTEGER AS forecast_horizon_hours,
      round(((hash(i) % 4000) / 100.0), 2) AS temperature_c, 55.0 AS relative_humidity_pct, 10.0 AS dew_point_c,
      4.5 AS wind_speed_mps, 180.0 AS wind_direction_deg, 300.0 AS shortwave_radiation_w_m2, 20.0 AS cloud_cover_pct,
      0.0 AS precipitation_mm, 'bench' AS source, 'bench-1' AS producer_id, ${ts(`${t} + 900`)} AS produced_at, ${part(ts(t))}
      FROM range(${EVENTS.weather}) r(i) WHERE ${where}`;
  };
  const trades = (where: string) => {
    const t = `${start} + ((i // ${FILES_PER_PARTITION.transactions}) % ${DAYS * 24 * 60}) * 60000`;
    return `SELECT 't-' || i AS event_id, ${ts(t)} AS event_time, 'T-' || (i // 2) AS trade_id,
      CAST(1 + i % 2 AS INTEGER) AS version, CASE WHEN i % 2 = 0 THEN 'NEW' WHEN i % 40 = 1 THEN 'CANCEL' ELSE 'AMEND' END AS status,
      CASE WHEN (i // 2) % 3 = 0 THEN 'SELL' ELSE 'BUY' END AS side, 'PRODUCT_' || ((i // 2) % 40) AS product,
      'HB_NORTH' AS settlement_point, ${ts(`${start} + ((i // 2) % 200) * ${HOUR}`)} AS delivery_start,
      ${ts(`${start} + ((i // 2) % 200) * ${HOUR} + (1 + (i // 2) % 3) * 86400000`)} AS delivery_end,
      (10 + (i // 2) % 90)::DOUBLE AS quantity_mwh, round(40 + (hash(i // 2) % 3000) / 100.0, 2) AS price_usd_mwh,
      'CP-' || (i % 20) AS counterparty, 'BOOK-' || ((i // 2) % 8) AS book, 'trader-' || ((i // 2) % 25) AS trader,
      'ICE' AS venue, false AS is_block, 'bench' AS source, 'bench-1' AS producer_id, ${ts(`${t} + 200`)} AS produced_at,
      ${part(ts(t))} FROM range(${EVENTS.transactions}) r(i) WHERE ${where}`;
  };
  for (const [dataset, select] of [
    ['grid', grid],
    ['weather', weather],
    ['transactions', trades],
  ] as const) {
    const files = FILES_PER_PARTITION[dataset];
    for (let chunk = 0; chunk <= files; chunk++) {
      // The last chunk re-delivers 1 % of the events (at-least-once duplicates).
      const where = chunk < files ? `i % ${files} = ${chunk}` : 'i % 100 = 7';
      // Exactly the contract's column types, as delivery writes them.
      const typed = contractFor(dataset as Dataset)
        .duckDbColumns.map((col) => `CAST("${col.name}" AS ${col.type}) AS "${col.name}"`)
        .join(', ');
      await c.run(
        `COPY (SELECT ${typed}, dt, hr FROM (${select(where)})) TO '${join(lake, 'raw', dataset)}' (FORMAT parquet, COMPRESSION snappy, ` +
          `PARTITION_BY (dt, hr), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'gridstream-${dataset}-1-bench-c${String(chunk).padStart(2, '0')}-{i}')`,
      );
    }
  }
  c.closeSync();
  instance.closeSync();
}

/** The hand-written baseline: the same dedup, checks and gold as one CREATE TABLE AS script. */
function baselineSql(lake: string): string[] {
  const raw = (d: string) =>
    `read_parquet('${join(lake, 'raw', d)}/*/*/*.parquet', filename = true, hive_partitioning = false)`;
  const latest = (d: string) =>
    `SELECT * EXCLUDE (rn, filename) FROM (SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY produced_at DESC, filename DESC) AS rn FROM ${raw(d)}) WHERE rn = 1`;
  return [
    `CREATE TABLE grid AS SELECT *, strftime(event_time, '%Y-%m-%d') AS dt FROM (${latest('grid')})
      WHERE event_id IS NOT NULL AND event_time IS NOT NULL AND record_type IN ('SETTLEMENT_POINT_PRICE', 'SYSTEM_CONDITIONS')
        AND market IN ('RTM', 'DAM') AND interval_minutes IN (5, 15, 60)
        AND (lmp_usd_mwh IS NULL OR lmp_usd_mwh BETWEEN -250 AND 5000) AND (load_mw IS NULL OR load_mw BETWEEN 0 AND 200000)
        AND coalesce(wind_mw, 0) >= 0 AND coalesce(solar_mw, 0) >= 0`,
    `CREATE TABLE weather AS SELECT *, strftime(event_time, '%Y-%m-%d') AS dt FROM (${latest('weather')})
      WHERE event_id IS NOT NULL AND temperature_c BETWEEN -40 AND 60`,
    `CREATE TABLE trades AS SELECT * EXCLUDE (vr), status = 'CANCEL' AS is_cancelled FROM (
       SELECT *, row_number() OVER (PARTITION BY trade_id ORDER BY version DESC, event_time DESC) AS vr FROM (${latest('transactions')})
       WHERE quantity_mwh > 0 AND delivery_end > delivery_start) WHERE vr = 1`,
    `CREATE TABLE grid_weather_hourly AS
       WITH p AS (SELECT dt, date_trunc('hour', event_time) h, load_zone, avg(lmp_usd_mwh) lmp, min(lmp_usd_mwh) mn, max(lmp_usd_mwh) mx,
                    count(*) n, count(*) FILTER (WHERE lmp_usd_mwh >= 1000) spikes FROM grid WHERE record_type = 'SETTLEMENT_POINT_PRICE' GROUP BY ALL),
            c AS (SELECT dt, date_trunc('hour', event_time) h, load_zone, avg(load_mw) load_avg, avg(wind_mw) wind_avg, avg(solar_mw) solar_avg
                    FROM grid WHERE record_type = 'SYSTEM_CONDITIONS' GROUP BY ALL),
            w AS (SELECT dt, date_trunc('hour', event_time) h, load_zone, avg(temperature_c) temperature FROM weather GROUP BY ALL)
       SELECT * FROM p FULL JOIN c USING (dt, h, load_zone) LEFT JOIN w USING (dt, h, load_zone)`,
    `CREATE TABLE positions AS
       SELECT strftime(d, '%Y-%m-%d') AS dt, book, product,
         sum(CASE WHEN side = 'BUY' THEN mwh ELSE -mwh END) net_mwh, sum(mwh) gross_mwh, sum(mwh * price_usd_mwh) / sum(mwh) vwap
       FROM (SELECT *, quantity_mwh * epoch(least(delivery_end, d + INTERVAL 1 DAY) - greatest(delivery_start, d))
                       / epoch(delivery_end - delivery_start) AS mwh
             FROM (SELECT *, unnest(generate_series(date_trunc('day', delivery_start), delivery_end - INTERVAL 1 MILLISECOND, INTERVAL 1 DAY)) AS d
                   FROM trades WHERE NOT is_cancelled))
       GROUP BY ALL`,
    `CREATE TABLE summary AS
       SELECT dt, min(lmp_usd_mwh), avg(lmp_usd_mwh), max(lmp_usd_mwh), count(*) FILTER (WHERE lmp_usd_mwh >= 1000),
         (SELECT max(s) FROM (SELECT sum(load_avg) s FROM grid_weather_hourly g WHERE g.dt = grid.dt GROUP BY h)),
         (SELECT sum(gross_mwh) FROM positions p WHERE p.dt = grid.dt)
       FROM grid WHERE record_type = 'SETTLEMENT_POINT_PRICE' GROUP BY dt`,
  ];
}

async function child(task: string, lake: string): Promise<void> {
  const t0 = performance.now();
  let detail: unknown;
  if (task === 'curation') {
    const s = await runCuration({ lake, threads: 2, memoryLimit: '4GB' });
    detail = {
      rows: Object.values(s.datasets).reduce((n, d) => n + (d?.rows ?? 0), 0),
      duplicates: Object.values(s.datasets).reduce((n, d) => n + (d?.duplicates ?? 0), 0),
      quarantined: Object.entries(s.tables)
        .filter(([t]) => t.endsWith('quarantine'))
        .reduce((n, [, t]) => n + t.rows, 0),
      curatedFiles: Object.values(s.tables).reduce((n, t) => n + t.files, 0),
    };
  } else {
    const instance = await DuckDBInstance.create(join(lake, 'baseline.duckdb'), {
      threads: '2',
      memory_limit: '4GB',
    });
    const c = await instance.connect();
    await c.run("SET TimeZone = 'UTC'");
    for (const sql of baselineSql(lake)) await c.run(sql);
    await c.run('CHECKPOINT');
    c.closeSync();
    instance.closeSync();
  }
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, rss: rss(), detail })}\n`);
}

function runChild(task: string, lake: string): { ms: number; rss: number; detail: Record<string, number> } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', here, '--child', task, lake], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${task} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Files (and their bytes) under the raw grid partitions a dt/hr predicate keeps. */
function partitionFiles(
  lake: string,
  keep: (dt: string, hr: string) => boolean,
): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const root = join(lake, 'raw', 'grid');
  for (const d of readdirSync(root)) {
    for (const h of readdirSync(join(root, d))) {
      if (!keep(d.slice(3), h.slice(3))) continue;
      for (const f of readdirSync(join(root, d, h))) {
        files++;
        bytes += statSync(join(root, d, h, f)).size;
      }
    }
  }
  return { files, bytes };
}

/** Files the analyst "last hour" query reads (DuckDB profile) vs a full scan, and the bytes of those files. */
async function pruning(lake: string) {
  const { instance, c } = await duck();
  await registerLakeViews(c, lake, { zones: ['raw'] });
  const profile = join(lake, 'profile.json');
  await c.run("PRAGMA enable_profiling = 'json'");
  await c.run(`PRAGMA profile_output = '${profile}'`);
  const measure = async (sql: string) => {
    const rows = (await c.runAndReadAll(sql)).getRows().length;
    const p = JSON.parse(readFileSync(profile, 'utf8')) as { children: unknown[] };
    let files = 0;
    const walk = (n: { extra_info?: Record<string, string>; children?: unknown[] }) => {
      files += Number(n.extra_info?.['Total Files Read'] ?? 0);
      for (const ch of n.children ?? []) walk(ch as typeof n);
    };
    for (const ch of p.children) walk(ch as never);
    return { rows, files };
  };
  const started = Date.now();
  const lastHour = await measure(
    athenaToDuckDb(readFileSync(join(SQL_ATHENA_DIR, 'queries', 'price_spikes_last_hour.sql'), 'utf8')),
  );
  const full = await measure(
    "SELECT event_time, settlement_point, load_zone, max(lmp_usd_mwh) FROM raw_grid WHERE record_type = 'SETTLEMENT_POINT_PRICE' " +
      "AND market = 'RTM' AND lmp_usd_mwh >= 1000 GROUP BY ALL",
  );
  c.closeSync();
  instance.closeSync();
  // The partitions the query's dt/hr predicates keep: this hour's and the previous hour's.
  const hours = [started - HOUR, started].map((t) => new Date(t).toISOString());
  const kept = partitionFiles(lake, (dt, hr) =>
    hours.some((h) => h.slice(0, 10) === dt && h.slice(11, 13) === hr),
  );
  const all = partitionFiles(lake, () => true);
  return {
    lastHour: { ...lastHour, bytes: kept.bytes, matched: kept.files },
    full: { ...full, bytes: all.bytes, matched: all.files },
  };
}

async function countFiles(lake: string): Promise<{ files: number; bytes: number }> {
  const { instance, c } = await duck();
  const [r] = (
    await c.runAndReadAll(
      `SELECT count(*) AS files, sum(size) AS bytes FROM read_blob('${join(lake, 'raw')}/*/*/*/*.parquet')`,
    )
  ).getRowObjectsJS();
  c.closeSync();
  instance.closeSync();
  return { files: Number(r!.files), bytes: Number(r!.bytes) };
}

async function main(): Promise<void> {
  const lake = mkdtempSync(join(process.env.GRIDSTREAM_BENCH_TMP ?? tmpdir(), 'gridstream-bench-curation-'));
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  try {
    const endHour = Math.floor(Date.now() / HOUR) * HOUR;
    let t = performance.now();
    await generate(lake, endHour);
    const raw = await countFiles(lake);
    const total = Object.values(EVENTS).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `generated ${total.toLocaleString('en')} events (+1 % re-delivered) in ${raw.files} files, ${mib(raw.bytes)}, ` +
        `${DAYS * 24} hourly partitions per dataset, in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );
    const cur = runChild('curation', lake);
    const base = runChild('baseline', lake);
    t = performance.now();
    const compaction = await compactRaw({ lake, latenessMs: 0, now: () => endHour + 2 * HOUR });
    const compactMs = performance.now() - t;
    const prune = await pruning(lake);
    const ratio = cur.ms / base.ms;
    const byteShare = prune.lastHour.bytes / prune.full.bytes;
    const fileShare = prune.lastHour.files / prune.full.files;
    const rows: [string, string, string][] = [
      [
        'curation (runCuration, DuckDB)',
        `${(cur.ms / 1000).toFixed(1)} s, peak RSS ${mib(cur.rss)}`,
        `${Math.round((cur.detail.rows ?? 0) / (cur.ms / 1000)).toLocaleString('en')} raw rows/s; ${cur.detail.duplicates} duplicates, ${cur.detail.quarantined} quarantined, ${cur.detail.curatedFiles} files written`,
      ],
      [
        'baseline (hand-written CTAS)',
        `${(base.ms / 1000).toFixed(1)} s, peak RSS ${mib(base.rss)}`,
        'same dedup/checks/gold, no Parquet output',
      ],
      ['curation / baseline', ratio.toFixed(2), `floor <= 1.50: ${ratio <= 1.5 ? 'met' : 'NOT MET'}`],
      [
        'compaction (compactRaw)',
        `${compaction.filesBefore} -> ${compaction.filesAfter} files`,
        `${mib(compaction.bytesBefore)} -> ${mib(compaction.bytesAfter)}, ${compaction.partitions} partitions, ${(compactMs / 1000).toFixed(1)} s`,
      ],
      [
        'last-hour query vs full scan (bytes of the files read)',
        `${prune.lastHour.bytes.toLocaleString('en')} / ${prune.full.bytes.toLocaleString('en')}`,
        `1/${Math.round(1 / byteShare)}; floor <= 1/100: ${byteShare <= 0.01 ? 'met' : 'NOT MET'}`,
      ],
      [
        'last-hour query vs full scan (files read)',
        `${prune.lastHour.files} / ${prune.full.files}`,
        `1/${Math.round(1 / fileShare)} (DuckDB profile "Total Files Read"; ${prune.lastHour.rows} spike rows returned)`,
      ],
    ];
    process.stdout.write('\n| measure | value | note |\n|---|---|---|\n');
    for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
    if (prune.lastHour.files !== prune.lastHour.matched || prune.full.files !== prune.full.matched) {
      process.stdout.write(
        `(files under the kept partitions: ${prune.lastHour.matched} / ${prune.full.matched})\n`,
      );
    }
    if (ratio > 1.5 || byteShare > 0.01 || fileShare > 0.01) process.exitCode = 1;
  } finally {
    rmSync(lake, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
// `--generate DIR`: only write the raw zone (to look at it or profile a step by hand).
else if (process.argv[2] === '--generate')
  await generate(process.argv[3]!, Math.floor(Date.now() / HOUR) * HOUR);
else await main();
