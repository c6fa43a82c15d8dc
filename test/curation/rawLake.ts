import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { contractFor, type Dataset, type EventByDataset, eventPartition } from '../../schemas/index.js';

let sequence = 0;

/** A raw file name like delivery's: later calls sort later (the "latest ingest" order). */
export function rawFileName(dataset: Dataset): string {
  sequence += 1;
  return `gridstream-${dataset}-1-2026-11-22-12-00-00-shardId-000000000000-${String(sequence).padStart(12, '0')}.parquet`;
}

/** A fresh lake folder; remove it with {@link removeLake}. */
export async function makeLake(prefix = 'gridstream-curation-'): Promise<string> {
  return mkdtemp(join(process.env.GRIDSTREAM_TEST_TMP ?? tmpdir(), prefix));
}

/** Deletes a lake folder. */
export async function removeLake(lake: string): Promise<void> {
  await rm(lake, { recursive: true, force: true });
}

/** How a raw file deviates from what delivery writes, to test bad input. */
export interface RawFileOptions {
  /** File name (default: the next delivery-like name). */
  readonly name?: string;
  /** Put the file into this partition instead of the events' own. */
  readonly partition?: { dt: string; hr: string };
  /** Columns to leave out of the file. */
  readonly dropColumns?: readonly string[];
  /** Extra columns with a constant SQL value, e.g. `{ unexpected: "'x'" }`. */
  readonly extraColumns?: Readonly<Record<string, string>>;
  /** Write these columns with another DuckDB type (cast from the contract type). */
  readonly retype?: Readonly<Record<string, string>>;
}

type Row = Record<string, unknown>;

/**
 * Writes events as raw Parquet exactly like delivery does (Snappy, contract columns in schema order,
 * TIMESTAMPTZ timestamps, enums as strings, dt/hr only in the path), one file per partition hour
 * (event time; weather forecasts: issue time, as `eventPartition` says).
 * Null in a required field is allowed (to test quality rules).
 *
 * @returns the absolute paths written
 */
export async function writeRawEvents<D extends Dataset>(
  lake: string,
  dataset: D,
  events: readonly (EventByDataset[D] | Row)[],
  options: RawFileOptions = {},
): Promise<string[]> {
  const contract = contractFor(dataset);
  const groups = new Map<string, Row[]>();
  for (const e of events as Row[]) {
    const p = options.partition ?? eventPartition(dataset, { ...e, event_time: Number(e.event_time ?? 0) });
    const key = `dt=${p.dt}/hr=${p.hr}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(e);
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  const written: string[] = [];
  try {
    for (const [key, rows] of groups) {
      const dir = join(lake, 'raw', dataset, key);
      await mkdir(dir, { recursive: true });
      const json = join(dir, `.input-${process.pid}-${sequence}.ndjson`);
      await writeFile(json, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      const columns: string[] = [];
      const select: string[] = [];
      contract.columns.forEach((col, i) => {
        const duck = contract.duckDbColumns[i]!.type;
        const isTs = col.type === 'timestamp';
        columns.push(`'${col.name}': '${isTs ? 'BIGINT' : duck}'`);
        if (options.dropColumns?.includes(col.name)) return;
        const value = isTs ? `make_timestamptz("${col.name}" * 1000)` : `"${col.name}"`;
        const retype = options.retype?.[col.name];
        select.push(retype ? `CAST(${value} AS ${retype}) AS "${col.name}"` : `${value} AS "${col.name}"`);
      });
      for (const [name, value] of Object.entries(options.extraColumns ?? {}))
        select.push(`${value} AS "${name}"`);
      const path = join(dir, options.name ?? rawFileName(dataset));
      await c.run(
        `COPY (SELECT ${select.join(', ')} FROM read_json('${json}', format = 'newline_delimited', columns = {${columns.join(', ')}})) ` +
          `TO '${path}' (FORMAT parquet, COMPRESSION snappy)`,
      );
      await rm(json);
      written.push(path);
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return written;
}

/** Runs a query on a throwaway DuckDB (UTC) and returns plain rows. */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await instance.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
