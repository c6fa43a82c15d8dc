import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sqlList } from '../../datalake/duckdb/index.js';
import type { DuckDbSession } from '../../datalake/duckdb/openDuckDb.js';
import { contractFor, type Dataset } from '../../schemas/index.js';
import { ZONES } from './constants.js';
import type { SkippedFile } from './types.js';

/** One raw Parquet file. */
export interface RawFile {
  /** Absolute path. */
  readonly path: string;
  /** Lake-relative path (what errors name). */
  readonly key: string;
  readonly name: string;
  readonly bytes: number;
}

/** One raw partition folder `raw/<dataset>/dt=<dt>/hr=<hr>/`. */
export interface RawPartition {
  readonly dt: string;
  readonly hr: string;
  /** `<dt>T<hr>`: sorts in time order. */
  readonly hour: string;
  readonly files: readonly RawFile[];
  /** Hash of the file names and sizes: changes when a file is added, removed or replaced. */
  readonly fingerprint: string;
}

const DT_DIR = /^dt=(\d{4}-\d{2}-\d{2})$/;
const HR_DIR = /^hr=(\d{2})$/;

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Lists a dataset's raw partitions and their Parquet files (names starting with `.` or `_` are
 * in-flight or system files and are skipped, as every table reader does).
 *
 * @param lake - lake directory
 * @param dataset - dataset
 * @param fromHour - only partitions with `<dt>T<hr>` >= this
 */
export async function listRawPartitions(
  lake: string,
  dataset: Dataset,
  fromHour?: string,
): Promise<RawPartition[]> {
  const root = join(lake, ZONES.raw, dataset);
  const out: RawPartition[] = [];
  const fromDt = fromHour?.slice(0, 10);
  for (const dtName of await entries(root)) {
    const dt = DT_DIR.exec(dtName)?.[1];
    if (!dt || (fromDt && dt < fromDt)) continue;
    for (const hrName of await entries(join(root, dtName))) {
      const hr = HR_DIR.exec(hrName)?.[1];
      if (!hr) continue;
      const hour = `${dt}T${hr}`;
      if (fromHour && hour < fromHour) continue;
      const dir = join(root, dtName, hrName);
      const files: RawFile[] = [];
      for (const name of await entries(dir)) {
        if (!name.endsWith('.parquet') || name.startsWith('.') || name.startsWith('_')) continue;
        const path = join(dir, name);
        const s = await stat(path).catch(() => undefined);
        if (!s?.isFile()) continue;
        files.push({ path, key: relative(lake, path), name, bytes: s.size });
      }
      if (files.length === 0) continue; // a folder with no data file yet is no partition
      const fingerprint = createHash('sha256')
        .update(files.map((f) => `${f.name}\t${f.bytes}`).join('\n'))
        .digest('hex')
        .slice(0, 32);
      out.push({ dt, hr, hour, files, fingerprint });
    }
  }
  return out;
}

/** Physical/logical Parquet types a contract column may have in a raw file. */
function acceptsParquetType(hiveType: string, col: ParquetColumn): boolean {
  const conv = col.convertedType ?? '';
  const logical = col.logicalType ?? '';
  switch (hiveType) {
    case 'string':
      return col.type === 'BYTE_ARRAY';
    case 'int':
      return col.type === 'INT32' && (conv === '' || conv === 'INT_32');
    case 'bigint':
      return col.type === 'INT64' && (conv === '' || conv === 'INT_64');
    case 'double':
      return col.type === 'DOUBLE';
    case 'float':
      return col.type === 'FLOAT';
    case 'boolean':
      return col.type === 'BOOLEAN';
    case 'timestamp':
      // INT96 is UTC by convention (Hive, Firehose); INT64 timestamps must be UTC-adjusted.
      if (col.type === 'INT96') return true;
      if (col.type !== 'INT64') return false;
      if (logical.startsWith('TimestampType')) return logical.includes('isAdjustedToUTC=1');
      return conv === 'TIMESTAMP_MILLIS' || conv === 'TIMESTAMP_MICROS';
    default:
      return false;
  }
}

/** One top-level column of a Parquet file's schema. */
interface ParquetColumn {
  readonly name: string;
  readonly type: string;
  readonly convertedType?: string;
  readonly logicalType?: string;
}

/** What checking a set of raw files found. */
export interface RawFileCheck {
  /** Files curation reads. */
  readonly usable: readonly RawFile[];
  /** Contract columns present in at least one usable file (the others are read as NULL). */
  readonly presentColumns: ReadonlySet<string>;
  /** Files not read, with the reason. */
  readonly skipped: readonly SkippedFile[];
}

async function schemasOf(
  db: DuckDbSession,
  files: readonly RawFile[],
): Promise<Map<string, ParquetColumn[]>> {
  const rows = await db.rows(
    `SELECT file_name, name, type, converted_type, logical_type, num_children FROM parquet_schema(${sqlList(files.map((f) => f.path))})`,
  );
  const out = new Map<string, ParquetColumn[]>();
  for (const f of files) out.set(f.path, []);
  for (const r of rows) {
    if (r.num_children !== null && r.num_children !== undefined) continue; // root (or nested group)
    out.get(String(r.file_name))?.push({
      name: String(r.name),
      type: String(r.type),
      convertedType: r.converted_type === null ? undefined : String(r.converted_type),
      logicalType: r.logical_type === null ? undefined : String(r.logical_type),
    });
  }
  return out;
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!;
}

/**
 * Checks raw files against a dataset's contract from their Parquet footers only: unreadable files
 * and files whose contract columns have another type are skipped (named, with the reason); missing
 * contract columns are read as NULL (the quality rules then quarantine the rows); extra columns are
 * ignored. glue/gridstream_glue/raw_files.py applies the same rules on Spark.
 *
 * @param db - a DuckDB session
 * @param dataset - the files' dataset
 * @param files - the files
 */
export async function checkRawFiles(
  db: DuckDbSession,
  dataset: Dataset,
  files: readonly RawFile[],
): Promise<RawFileCheck> {
  const contract = contractFor(dataset);
  const schemas = new Map<string, ParquetColumn[]>();
  const skipped: SkippedFile[] = [];
  const chunk = 256;
  for (let i = 0; i < files.length; i += chunk) {
    const part = files.slice(i, i + chunk);
    try {
      for (const [k, v] of await schemasOf(db, part)) schemas.set(k, v);
    } catch {
      // One bad footer fails the whole call: find it file by file.
      for (const f of part) {
        try {
          for (const [k, v] of await schemasOf(db, [f])) schemas.set(k, v);
        } catch (err) {
          skipped.push({ file: f.key, reason: `unreadable Parquet: ${firstLine(err)}` });
        }
      }
    }
  }
  const usable: RawFile[] = [];
  const present = new Set<string>();
  for (const f of files) {
    const cols = schemas.get(f.path);
    if (!cols) continue;
    const byName = new Map(cols.map((c) => [c.name, c]));
    const wrong = contract.columns
      .filter((c) => byName.has(c.name) && !acceptsParquetType(c.type, byName.get(c.name)!))
      .map((c) => {
        const p = byName.get(c.name)!;
        return `${c.name} is ${p.type}${p.logicalType ? ` ${p.logicalType}` : p.convertedType ? ` ${p.convertedType}` : ''}, contract says ${c.type}`;
      });
    if (wrong.length > 0) {
      skipped.push({ file: f.key, reason: `column type mismatch: ${wrong.join('; ')}` });
      continue;
    }
    usable.push(f);
    for (const c of contract.columns) if (byName.has(c.name)) present.add(c.name);
  }
  return { usable, presentColumns: present, skipped };
}

/**
 * The files of a set that have exactly the contract's columns, in order, with the contract's Parquet
 * types — the files compaction may merge without changing their content — reading the footers in chunks of 256 files per DuckDB call (a
 * closed hour of `gridstream up` holds ~3,200 files); a chunk with an unreadable footer is checked file
 * by file, and unreadable files count as not exact.
 *
 * @param db - a DuckDB session
 * @param dataset - dataset
 * @param files - the files
 * @returns the exact files, in the given order
 */
export async function exactContractFiles(
  db: DuckDbSession,
  dataset: Dataset,
  files: readonly RawFile[],
): Promise<RawFile[]> {
  const contract = contractFor(dataset).columns;
  const exact = (cols: readonly ParquetColumn[]): boolean =>
    cols.length === contract.length &&
    contract.every((c, i) => cols[i]!.name === c.name && acceptsParquetType(c.type, cols[i]!));
  const out: RawFile[] = [];
  const chunk = 256;
  for (let i = 0; i < files.length; i += chunk) {
    const part = files.slice(i, i + chunk);
    let schemas: Map<string, ParquetColumn[]> | undefined;
    try {
      schemas = await schemasOf(db, part);
    } catch {
      schemas = new Map();
      for (const f of part) {
        try {
          for (const [k, v] of await schemasOf(db, [f])) schemas.set(k, v);
        } catch {
          // Unreadable footer: not exact, left as is.
        }
      }
    }
    for (const f of part) if (exact(schemas.get(f.path) ?? [])) out.push(f);
  }
  return out;
}
