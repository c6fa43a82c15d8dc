import { contractFor, DATASETS, isDataset } from '../../schemas/index.js';
import { type DuckDBConnection, type DuckDBInstance, ident, openDuckDb, sqlString } from '../duckdb/index.js';
import { type LakeStorage, openLakeStorage, s3EndpointFromEnv } from '../storage/index.js';
import { LAKE_VIEW_ZONES, PARTITION_COLUMN_TYPES } from './constants.js';
import { RemoteLakeUnsupportedError } from './errors.js';
import type { LakeView, LakeViewOptions, ViewColumn } from './types.js';

/**
 * The view name of a lake table: `<zone>_<table>`, lower-case, anything but letters, digits and `_`
 * replaced by `_`.
 *
 * @param zone - zone folder
 * @param table - table folder
 */
export function lakeViewName(zone: string, table: string): string {
  return `${zone}_${table}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/**
 * Default columns of empty views: the contract's columns for the raw datasets. Curated and gold
 * tables have their own columns; their owner passes them through `emptyViewColumns`.
 *
 * @param zone - zone folder
 * @param table - table folder
 */
export function contractViewColumns(zone: string, table: string): readonly ViewColumn[] | undefined {
  if (zone === 'raw' && isDataset(table)) return contractFor(table).duckDbColumns;
  return undefined;
}

async function configureS3(connection: DuckDBConnection, lake: LakeStorage): Promise<void> {
  try {
    await connection.run('LOAD httpfs');
  } catch {
    try {
      await connection.run('INSTALL httpfs');
      await connection.run('LOAD httpfs');
    } catch (err) {
      throw new RemoteLakeUnsupportedError(lake.location, err);
    }
  }
  const endpoint = s3EndpointFromEnv();
  const parts = [`TYPE s3`];
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region) parts.push(`REGION ${sqlString(region)}`);
  if (process.env.AWS_ACCESS_KEY_ID) parts.push(`KEY_ID ${sqlString(process.env.AWS_ACCESS_KEY_ID)}`);
  if (process.env.AWS_SECRET_ACCESS_KEY) parts.push(`SECRET ${sqlString(process.env.AWS_SECRET_ACCESS_KEY)}`);
  if (process.env.AWS_SESSION_TOKEN) parts.push(`SESSION_TOKEN ${sqlString(process.env.AWS_SESSION_TOKEN)}`);
  if (endpoint) {
    const url = new URL(endpoint);
    parts.push(`ENDPOINT ${sqlString(url.host)}`, `URL_STYLE 'path'`, `USE_SSL ${url.protocol === 'https:'}`);
  }
  await connection.run(`CREATE OR REPLACE SECRET gridstream_lake (${parts.join(', ')})`);
}

/**
 * Registers one DuckDB view per lake table — every `<zone>/<table>/` folder of the given zones —
 * reading its Parquet with Hive partitioning (`dt` DATE, `hr` INTEGER, so `WHERE dt = DATE '…'`
 * prunes folders) and `union_by_name` (files written before a compatible schema change still read).
 * Tables without files yet (e.g. `raw_grid` on a fresh lake) get an empty view with their columns, so
 * queries return zero rows instead of failing. Views re-list files at every query, so a long-lived
 * connection sees new objects.
 *
 * The curation engineer's zones plug in here: write `curated/<dataset>/dt=…/hr=…/*.parquet` or
 * `gold/<table>/*.parquet` and the views `curated_<dataset>`, `gold_<table>` appear; pass
 * `emptyViewColumns` to give empty curated/gold tables their columns.
 *
 * @param connection - a DuckDB connection
 * @param lake - the lake (storage, or a `--lake` value)
 * @param options - zones, empty-view columns
 * @returns the views registered
 * @example
 * ```ts
 * const { connection } = await openDuckDb();
 * await registerLakeViews(connection, './lake');
 * await connection.runAndReadAll('select count(*) from raw_grid where dt = current_date');
 * ```
 */
export async function registerLakeViews(
  connection: DuckDBConnection,
  lake: LakeStorage | string,
  options: LakeViewOptions = {},
): Promise<LakeView[]> {
  const storage = typeof lake === 'string' ? openLakeStorage(lake) : lake;
  try {
    if (storage.kind === 's3') await configureS3(connection, storage);
    const zones = options.zones ?? LAKE_VIEW_ZONES;
    const custom = options.emptyViewColumns;
    const emptyColumns = (zone: string, table: string): readonly ViewColumn[] | undefined =>
      custom?.(zone, table) ?? contractViewColumns(zone, table);
    const create = options.replace === false ? 'CREATE VIEW' : 'CREATE OR REPLACE VIEW';
    const views: LakeView[] = [];
    for (const zone of zones) {
      const tables = new Set(await storage.listFolders(`${zone}/`));
      // Tables that should exist even before their first file: every dataset the caller has columns for.
      for (const d of DATASETS) if (emptyColumns(zone, d)) tables.add(d);
      for (const table of [...tables].sort()) {
        const name = lakeViewName(zone, table);
        const keys = (await storage.list(`${zone}/${table}/`)).filter((k) => k.endsWith('.parquet'));
        if (keys.length > 0) {
          const glob = storage.urlFor(`${zone}/${table}/**/*.parquet`);
          const segments = keys[0]!.split('/');
          const hiveTypes = Object.entries(PARTITION_COLUMN_TYPES)
            .filter(([col]) => segments.some((s) => s.startsWith(`${col}=`)))
            .map(([col, type]) => `${sqlString(col)}: ${sqlString(type)}`);
          const hive =
            hiveTypes.length > 0
              ? `hive_partitioning = true, hive_types = {${hiveTypes.join(', ')}}`
              : 'hive_partitioning = false';
          await connection.run(
            `${create} ${ident(name)} AS SELECT * FROM read_parquet(${sqlString(glob)}, ${hive}, union_by_name = true)`,
          );
          views.push({ name, zone, table, glob, files: keys.length });
          continue;
        }
        const columns = emptyColumns(zone, table);
        if (!columns) continue;
        const select = [
          ...columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`),
          ...Object.entries(PARTITION_COLUMN_TYPES).map(
            ([col, type]) => `CAST(NULL AS ${type}) AS ${ident(col)}`,
          ),
        ].join(', ');
        await connection.run(`${create} ${ident(name)} AS SELECT ${select} WHERE false`);
        views.push({ name, zone, table, glob: undefined, files: 0 });
      }
    }
    return views;
  } finally {
    if (typeof lake === 'string') await storage.close();
  }
}

/**
 * Opens an in-memory DuckDB with the lake's views registered and the session time zone set to UTC
 * (so TIMESTAMPTZ values print as the UTC instants the lake stores).
 *
 * @param lake - the lake (storage, or a `--lake` value)
 * @param options - as for {@link registerLakeViews}
 */
export async function openLakeConnection(
  lake: LakeStorage | string,
  options: LakeViewOptions = {},
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection; views: LakeView[] }> {
  const { instance, connection } = await openDuckDb();
  const views = await registerLakeViews(connection, lake, options);
  return { instance, connection, views };
}
