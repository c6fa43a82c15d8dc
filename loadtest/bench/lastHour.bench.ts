// "Last hour" query benchmark (`npm run bench -- lastHour`): what small files cost a reader of the raw
// zone, and what compaction of closed hours (as `gridstream up` runs it) gives back.
//   1. writes a simulated day of raw grid files as `up` leaves them without compaction: 24 hourly
//      partitions ending with the current (open) hour, FILES_PER_HOUR small files each (a flush per
//      shard every 2 s at 200 events/s: ~3,200 files of ~225 rows per hour);
//   2. times, through the same lake views `gridstream query` registers (median of GRIDSTREAM_BENCH_RUNS runs each, default 3):
//      a count over one closed hour (`where dt = … and hr = …`) and the analyst "last hour" query
//      (sql/athena/queries/price_spikes_last_hour.sql: the current and the previous hour);
//   3. compacts the closed hours with compactRaw exactly as `up` does (grace 2 min: the current hour
//      stays as it is), then times the same queries again: baseline and result in the same run.
// GRIDSTREAM_BENCH_SCALE (e.g. 0.1) shrinks the files per hour while working on the script.

import { mkdtempSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { registerLakeViews } from '../../datalake/query/index.js';
import { contractFor } from '../../schemas/index.js';
import { athenaToDuckDb, compactRaw, SQL_ATHENA_DIR } from '../../stream-processors/curation/index.js';

const HOUR = 3_600_000;
const HOURS = 24;
const SCALE = Number(process.env.GRIDSTREAM_BENCH_SCALE ?? 1);
/** Files per hourly partition before compaction (~3,200 per dataset per hour in `up` today). */
const FILES_PER_HOUR = Math.max(2, Math.round(3_200 * SCALE));
/** Events per hour at `up`'s default grid rate (200/s). */
const EVENTS_PER_HOUR = 200 * 3600;
/** Distinct files generated per hour; the rest are copies under delivery-like names (same size and shape). */
const TEMPLATES = 32;
const RUNS = Number(process.env.GRIDSTREAM_BENCH_RUNS ?? 3);
const GRACE_MS = 120_000;

async function duck() {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB' });
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  return { instance, c };
}

/** Writes the day of small raw grid files (contract column types, as delivery writes them). */
async function generate(lake: string, currentHourMs: number): Promise<number> {
  const { instance, c } = await duck();
  const typed = contractFor('grid')
    .duckDbColumns.map((col) => `CAST("${col.name}" AS ${col.type}) AS "${col.name}"`)
    .join(', ');
  const rowsPerTemplate = Math.ceil(EVENTS_PER_HOUR / FILES_PER_HOUR);
  let files = 0;
  try {
    for (let h = HOURS - 1; h >= 0; h--) {
      const hourMs = currentHourMs - h * HOUR;
      const iso = new Date(hourMs).toISOString();
      const dir = join(lake, 'raw', 'grid', `dt=${iso.slice(0, 10)}`, `hr=${iso.slice(11, 13)}`);
      await mkdir(dir, { recursive: true });
      const templates: string[] = [];
      for (let k = 0; k < Math.min(TEMPLATES, FILES_PER_HOUR); k++) {
        const name = join(dir, `.template-${k}.parquet`);
        const t = `make_timestamptz((${hourMs} + (i * 3600000 // ${rowsPerTemplate})) * 1000)`;
        const isPrice = 'i % 10 <> 0';
        await c.run(
          `COPY (SELECT ${typed} FROM (SELECT 'g-${h}-${k}-' || i AS event_id, ${t} AS event_time,
             CASE WHEN ${isPrice} THEN 'SETTLEMENT_POINT_PRICE' ELSE 'SYSTEM_CONDITIONS' END AS record_type,
             'RTM' AS market, 5 AS interval_minutes,
             ['LZ_HOUSTON','LZ_NORTH','LZ_SOUTH','LZ_WEST'][1 + i % 4] AS load_zone,
             CASE WHEN ${isPrice} THEN 'SP_' || (i % 300) END AS settlement_point,
             CASE WHEN ${isPrice} THEN 'HUB' END AS settlement_point_type,
             CASE WHEN NOT (${isPrice}) THEN NULL WHEN (i + ${k}) % 97 = 1 THEN 1500.0 ELSE round((hash(i + ${k}) % 14000) / 100.0 - 20, 2) END AS lmp_usd_mwh,
             30.5 AS energy_usd_mwh, 1.25 AS congestion_usd_mwh, 0.5 AS loss_usd_mwh,
             CASE WHEN NOT (${isPrice}) THEN 5000 + (hash(i) % 15000) END::DOUBLE AS load_mw,
             NULL::DOUBLE AS wind_mw, NULL::DOUBLE AS solar_mw, NULL::DOUBLE AS gas_mw, NULL::DOUBLE AS coal_mw,
             NULL::DOUBLE AS nuclear_mw, NULL::DOUBLE AS hydro_mw, NULL::DOUBLE AS storage_mw, NULL::DOUBLE AS other_mw,
             'bench' AS source, 'bench-1' AS producer_id, ${t} AS produced_at
             FROM range(${rowsPerTemplate}) r(i))) TO '${name}' (FORMAT parquet, COMPRESSION snappy)`,
        );
        templates.push(name);
      }
      for (let f = 0; f < FILES_PER_HOUR; f++) {
        const seq = String(1e9 + h * FILES_PER_HOUR + f).padStart(12, '0');
        await copyFile(
          templates[f % templates.length]!,
          join(dir, `gridstream-grid-1-shardId-00000000000${f % 2}-${seq}.parquet`),
        );
        files++;
      }
      for (const t of templates) await rm(t);
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return files;
}

/** Median wall time (ms) of RUNS runs of each query, on a fresh connection with the lake views (as `gridstream query`). */
async function timeQueries(lake: string, queries: Record<string, string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, sql] of Object.entries(queries)) {
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { instance, c } = await duck();
      try {
        const t0 = performance.now();
        await registerLakeViews(c, lake, { zones: ['raw'] });
        await c.runAndReadAll(sql);
        times.push(performance.now() - t0);
      } finally {
        c.closeSync();
        instance.closeSync();
      }
    }
    times.sort((a, b) => a - b);
    out[name] = times[Math.floor(times.length / 2)]!;
  }
  return out;
}

async function filesIn(lake: string, dt: string, hr: string): Promise<number> {
  return (await readdir(join(lake, 'raw', 'grid', `dt=${dt}`, `hr=${hr}`))).filter((f) =>
    f.endsWith('.parquet'),
  ).length;
}

async function main(): Promise<void> {
  const lake = mkdtempSync(join(process.env.GRIDSTREAM_BENCH_TMP ?? tmpdir(), 'gridstream-bench-lasthour-'));
  try {
    const now = Date.now();
    const currentHour = Math.floor(now / HOUR) * HOUR;
    let t = performance.now();
    const files = await generate(lake, currentHour);
    process.stdout.write(
      `generated ${HOURS} hourly raw_grid partitions x ${FILES_PER_HOUR} files (${files.toLocaleString('en')} files, ` +
        `${EVENTS_PER_HOUR.toLocaleString('en')} events per hour) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );
    const prev = new Date(currentHour - HOUR).toISOString();
    const [dt, hr] = [prev.slice(0, 10), prev.slice(11, 13)];
    const queries = {
      [`count(*) of one closed hour (dt=${dt}, hr=${hr})`]: `SELECT count(*) FROM raw_grid WHERE dt = DATE '${dt}' AND hr = ${Number(hr)}`,
      'analyst "last hour" (price_spikes_last_hour.sql)': athenaToDuckDb(
        readFileSync(join(SQL_ATHENA_DIR, 'queries', 'price_spikes_last_hour.sql'), 'utf8'),
      ),
    };
    const before = await timeQueries(lake, queries);
    const filesBefore = await filesIn(lake, dt, hr);
    t = performance.now();
    const c = await compactRaw({
      lake,
      latenessMs: GRACE_MS,
      now: () => Math.max(Date.now(), currentHour + GRACE_MS),
    });
    const compactMs = performance.now() - t;
    const after = await timeQueries(lake, queries);
    const filesAfter = await filesIn(lake, dt, hr);
    process.stdout.write(
      `compaction of the ${c.partitions} closed hours: ${c.filesBefore.toLocaleString('en')} -> ${c.filesAfter} files, ` +
        `${(c.bytesBefore / 1048576).toFixed(0)} -> ${(c.bytesAfter / 1048576).toFixed(0)} MiB, ${(compactMs / 1000).toFixed(1)} s ` +
        `(${(compactMs / Math.max(1, c.partitions) / 1000).toFixed(1)} s per hour)\n`,
    );
    process.stdout.write(
      `\n| query (median of ${RUNS}, fresh connection + views) | small files (baseline) | compacted | speed-up |\n|---|---|---|---|\n`,
    );
    for (const name of Object.keys(queries)) {
      process.stdout.write(
        `| ${name} | ${before[name]!.toFixed(0)} ms | ${after[name]!.toFixed(0)} ms | ${(before[name]! / after[name]!).toFixed(1)}x |\n`,
      );
    }
    process.stdout.write(
      `| files in the closed hour ${dt} ${hr}h | ${filesBefore} | ${filesAfter} | (current hour left open: ${await filesIn(lake, new Date(currentHour).toISOString().slice(0, 10), new Date(currentHour).toISOString().slice(11, 13))} files) |\n`,
    );
    if (filesAfter > 4) process.exitCode = 1;
  } finally {
    await rm(lake, { recursive: true, force: true });
  }
}

await main();
