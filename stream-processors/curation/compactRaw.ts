import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { contractFor, DATASETS, type Dataset } from '../../schemas/index.js';
import { ident, sqlList, sqlString } from '../duckdb/index.js';
import { fsyncPath } from '../storage/fsyncPath.js';
import { COMPACTED_FILE_PREFIX, CURATION_DEFAULTS, CURATION_PATHS } from './constants.js';
import { acquireLock, shiftHour } from './curationState.js';
import { openDuckDb } from './duckDb.js';
import { CurationError, CurationOptionError } from './errors.js';
import { hasExactContractSchema, listRawPartitions, type RawFile } from './rawFiles.js';
import type { CompactionOptions, CompactionSummary, SkippedFile } from './types.js';

/**
 * The compacted file names of a set of source files: `0-compacted-<hash of the names>-<i>.parquet`.
 * The same sources always give the same names, so a compaction redone after a crash replaces its
 * earlier output instead of duplicating it.
 *
 * @param sources - source files
 */
export function compactedPrefix(sources: readonly RawFile[]): string {
  const digest = createHash('sha256')
    .update(sources.map((f) => f.name).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return `${COMPACTED_FILE_PREFIX}${digest}`;
}

/**
 * Compacts the closed raw partitions of a local lake on DuckDB: every `raw/<dataset>/dt=/hr=/` whose
 * hour ended more than the lateness window ago and holds at least `minFiles` files gets those of its
 * files that have exactly the contract's schema rewritten into as few files as the target size allows
 * (row count verified). The new files are renamed into the partition first, then the sources deleted:
 * a glob reader of the raw zone may briefly see both copies (the raw zone is at-least-once and curation
 * deduplicates on event_id) but never neither. Curated tables are unaffected: they are read through
 * their manifests, and closed partitions are outside curation's incremental window. Holds the lake's
 * curation lock, so it never interleaves with a curation run.
 *
 * @param options - lake, datasets, lateness, target size
 * @returns files and bytes before and after
 * @throws CurationLockedError (retriable) when a curation run holds the lake
 */
export async function compactRaw(options: CompactionOptions): Promise<CompactionSummary> {
  const lake = resolve(options.lake);
  const now = options.now ?? Date.now;
  const started = now();
  const target = options.targetFileSizeBytes ?? CURATION_DEFAULTS.targetFileSizeBytes;
  const minFiles = options.minFiles ?? CURATION_DEFAULTS.compactionMinFiles;
  if (!Number.isInteger(minFiles) || minFiles < 2)
    throw new CurationOptionError('minFiles', minFiles, 'an integer >= 2');
  if (!Number.isFinite(target) || target < 1024)
    throw new CurationOptionError('targetFileSizeBytes', target, 'at least 1024');
  const latenessHours = Math.ceil((options.latenessMs ?? CURATION_DEFAULTS.latenessMs) / 3_600_000);
  // A partition is closed when its hour ended at or before now - lateness.
  const closedBefore = shiftHour(new Date(started).toISOString().slice(0, 13), -latenessHours);
  const onProgress = options.onProgress ?? (() => {});
  const summary = { partitions: 0, filesBefore: 0, filesAfter: 0, bytesBefore: 0, bytesAfter: 0, rows: 0 };
  const skipped: SkippedFile[] = [];

  const lock = await acquireLock(lake, 'compaction');
  const staging = join(
    lake,
    CURATION_PATHS.tmp,
    `compaction-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  const db = await openDuckDb({
    threads: options.threads ?? CURATION_DEFAULTS.threads,
    memoryLimit: options.memoryLimit ?? CURATION_DEFAULTS.memoryLimit,
  });
  try {
    for (const dataset of options.datasets ?? DATASETS) {
      const contract = contractFor(dataset as Dataset);
      for (const p of await listRawPartitions(lake, dataset)) {
        if (shiftHour(p.hour, 1) > closedBefore || p.files.length < minFiles) continue;
        const exact: RawFile[] = [];
        for (const f of p.files) {
          let ok = false;
          try {
            ok = await hasExactContractSchema(db, dataset, f);
          } catch {
            ok = false;
          }
          if (ok) exact.push(f);
          else
            skipped.push({
              file: f.key,
              reason: "not the contract's exact schema or unreadable: left as is",
            });
        }
        if (exact.length < minFiles) continue;
        const prefix = compactedPrefix(exact);
        const out = join(staging, dataset, p.hour);
        await rm(out, { recursive: true, force: true });
        await mkdir(join(staging, dataset), { recursive: true });
        const sources = sqlList(exact.map((f) => f.path));
        const [{ n: expected } = { n: 0n }] = await db.rows(
          `SELECT sum(num_rows) AS n FROM parquet_file_metadata(${sources})`,
        );
        const cols = contract.columns.map(
          (c, i) => `CAST(${ident(c.name)} AS ${contract.duckDbColumns[i]!.type}) AS ${ident(c.name)}`,
        );
        const stats = await db.rows(
          `COPY (SELECT ${cols.join(', ')} FROM read_parquet(${sources}, hive_partitioning = false)) TO ${sqlString(out)} ` +
            `(FORMAT parquet, COMPRESSION snappy, FILE_SIZE_BYTES ${target}, FILENAME_PATTERN 'part-{i}', RETURN_STATS)`,
        );
        const written = stats.reduce((n, s) => n + Number(s.count), 0);
        if (written !== Number(expected)) {
          await rm(out, { recursive: true, force: true });
          throw new CurationError(
            `compaction of ${p.dt}/${p.hr} of ${dataset} wrote ${written} rows, expected ${expected}`,
          );
        }
        const dir = join(lake, 'raw', dataset, `dt=${p.dt}`, `hr=${p.hr}`);
        const staged = (await readdir(out))
          .filter((f) => f.endsWith('.parquet'))
          .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
        const names: string[] = [];
        for (const [i, f] of staged.entries()) {
          const name = `${prefix}-${i}.parquet`;
          const fh = await open(join(out, f), 'r');
          await fh.sync();
          await fh.close();
          await rename(join(out, f), join(dir, name));
          summary.bytesAfter += (await stat(join(dir, name))).size;
          names.push(name);
        }
        await fsyncPath(dir);
        for (const f of exact) if (!names.includes(f.name)) await unlink(f.path);
        await fsyncPath(dir);
        summary.partitions++;
        summary.filesBefore += exact.length;
        summary.filesAfter += names.length;
        summary.bytesBefore += exact.reduce((n, f) => n + f.bytes, 0);
        summary.rows += written;
        onProgress({
          step: `compact raw_${dataset}`,
          message: `dt=${p.dt}/hr=${p.hr}: ${exact.length} files -> ${names.length}`,
        });
      }
    }
  } finally {
    db.close();
    await rm(staging, { recursive: true, force: true });
    await lock.release();
  }
  return { ...summary, skippedFiles: skipped, durationMs: now() - started };
}
