import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, ident } from '../../datalake/duckdb/index.js';
import type { LakeStorage } from '../../datalake/storage/index.js';
import { athenaToDuckDb } from './athenaShim.js';
import { MANIFEST_FILE, SQL_ATHENA_DIR } from './constants.js';
import { tableScanSql } from './DuckDbCurationRun.js';
import { ManifestError } from './errors.js';
import { loadPipeline, tableSteps } from './pipeline.js';
import type { TableManifest } from './types.js';

/** What a lake must offer for its curated and gold views (a local folder or delivery's LakeStorage). */
export type ManifestSource = string | Pick<LakeStorage, 'getBytes' | 'urlFor'>;

async function readManifestFrom(lake: ManifestSource, key: string): Promise<TableManifest | undefined> {
  let text: string | undefined;
  if (typeof lake === 'string') {
    text = await readFile(join(lake, key), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  } else {
    const bytes = await lake.getBytes(key);
    text = bytes ? new TextDecoder().decode(bytes) : undefined;
  }
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TableManifest;
  } catch (err) {
    throw new ManifestError(`${key} is not a table manifest: ${(err as Error).message}`, { cause: err });
  }
}

/** One curated or gold view. */
export interface CurationView {
  /** `curated_grid`, `gold_daily_market_summary`, ... */
  readonly name: string;
  /** `CREATE OR REPLACE VIEW ...` */
  readonly sql: string;
  /** Data files the view reads (0: an empty view with the table's columns). */
  readonly files: number;
  /** Manifest version it reads (0: never published). */
  readonly version: number;
}

/**
 * The DuckDB views of the curated and gold tables, each reading exactly the files its manifest lists
 * (never a glob: version folders of earlier runs are still on disk for readers that started before the
 * last publish); dt is a DATE, as in the raw views and the Glue tables. A view is a snapshot of the manifest when it was created; create them again (they are
 * cheap) to see later runs. Tables never published give empty views with their columns.
 *
 * @param lake - lake folder, or a LakeStorage (S3 lakes: files are read through `urlFor`)
 * @param sqlDir - sql/curated (default: the repository's)
 */
export async function curationViews(lake: ManifestSource, sqlDir?: string): Promise<CurationView[]> {
  const pipeline = loadPipeline(sqlDir);
  const views: CurationView[] = [];
  for (const step of tableSteps(pipeline)) {
    const prefix = `${step.table!.zone}/${step.table!.name}`;
    const manifest = await readManifestFrom(lake, `${prefix}/${MANIFEST_FILE}`);
    const files: string[] = [];
    for (const p of Object.values(manifest?.partitions ?? {})) {
      for (const f of p.files) {
        const key = `${prefix}/${p.location}/${f.name}`;
        files.push(typeof lake === 'string' ? join(lake, key) : lake.urlFor(key));
      }
    }
    files.sort();
    views.push({
      name: step.name,
      sql: `CREATE OR REPLACE VIEW ${ident(step.name)} AS ${tableScanSql(files, pipeline.tables[step.name]!, { dtAsDate: true })}`,
      files: files.length,
      version: manifest?.version ?? 0,
    });
  }
  return views;
}

/**
 * Registers the curated and gold views (`curated_<dataset>`, `curated_<dataset>_quarantine`,
 * `gold_<table>`) and then the analyst views of sql/athena/views (rewritten by the Athena shim).
 * Call it after query's `registerLakeViews` (whose glob views of these folders it replaces).
 *
 * @param connection - a DuckDB connection (session time zone UTC)
 * @param lake - lake folder or LakeStorage
 * @param options - `analystViews: false` to skip sql/athena/views
 * @returns the views created
 * @example
 * ```ts
 * await registerLakeViews(connection, lake);
 * await registerCurationViews(connection, lake);
 * ```
 */
export async function registerCurationViews(
  connection: DuckDBConnection,
  lake: ManifestSource,
  options: { analystViews?: boolean; sqlDir?: string; athenaDir?: string } = {},
): Promise<string[]> {
  const names: string[] = [];
  for (const v of await curationViews(lake, options.sqlDir)) {
    await connection.run(v.sql);
    names.push(v.name);
  }
  if (options.analystViews !== false) {
    const dir = join(options.athenaDir ?? SQL_ATHENA_DIR, 'views');
    for (const file of (await readdir(dir).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      await connection.run(athenaToDuckDb(await readFile(join(dir, file), 'utf8')));
      names.push(file.replace(/\.sql$/, ''));
    }
  }
  return names;
}
