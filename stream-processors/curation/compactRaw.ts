import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ident, openDuckDb, sqlList, sqlString } from '../../datalake/duckdb/index.js';
import { fsyncPath, renameDurably } from '../../datalake/storage/index.js';
import { contractFor, DATASETS, type Dataset } from '../../schemas/index.js';
import { COMPACTED_FILE_PREFIX, CURATION_DEFAULTS, CURATION_PATHS } from './constants.js';
import { acquireLock, type LakeLock } from './curationState.js';
import { CurationError, CurationLockedError, CurationOptionError } from './errors.js';
import { exactContractFiles, listRawPartitions, type RawFile } from './rawFiles.js';
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
 * hour ended at least `latenessMs` ago (the grace for late flushes: minutes in `gridstream up`, the
 * 48 h lateness window for `gridstream curate --compact`), holds at least `minFiles` files and at
 * least one file not written by an earlier compaction gets those of its files that have exactly the
 * contract's schema rewritten into as few files as the target size allows (row count verified).
 * Late rows: a delivery file landing in an already compacted hour makes the partition eligible again,
 * and the next compaction merges it with the compacted files (still ≤ a few files per hour).
 *
 * What readers see: the new files are renamed into the partition first, then the sources deleted,
 * one `unlink` at a time. A glob reader of the raw zone (`gridstream query` over `raw_<dataset>`,
 * Athena) that lists the folder in that window may see both copies of some rows, never neither (the
 * raw zone is at-least-once; curation deduplicates on event_id), or fail on a source unlinked after it
 * listed it (a retry reads the compacted file). A curation run never sees that
 * window: compaction holds the lake's curation lock, so a run reads a partition before or after its
 * compaction. The new file names change the partition's fingerprint, so the next curation run
 * re-curates that dt, from the same rows: the curated rows are identical (a quarantined row's
 * `ingest_file` then names the compacted file).
 *
 * @param options - lake, datasets, lateness (grace), target size
 * @returns files and bytes before and after (`locked` when skipped with `skipIfLocked`)
 * @throws CurationLockedError (retriable) when a curation run holds the lake, unless `skipIfLocked`
 */
export async function compactRaw(options: CompactionOptions): Promise<CompactionSummary> {
  const lake = resolve(options.lake);
  const now = options.now ?? Date.now;
  const started = now();
  const target = options.targetFileSizeBytes ?? CURATION_DEFAULTS.targetFileSizeBytes;
  if (!Number.isFinite(target) || target < 1024)
    throw new CurationOptionError('targetFileSizeBytes', target, 'at least 1024');
  const { isClosed, minFiles } = candidateRule(options, started);
  const onProgress = options.onProgress ?? (() => {});
  const summary = { partitions: 0, filesBefore: 0, filesAfter: 0, bytesBefore: 0, bytesAfter: 0, rows: 0 };
  const skipped: SkippedFile[] = [];

  let lock: LakeLock;
  try {
    lock = await acquireLock(lake, 'compaction');
  } catch (err) {
    if (err instanceof CurationLockedError && options.skipIfLocked)
      return { ...summary, skippedFiles: skipped, durationMs: now() - started, locked: true };
    throw err;
  }
  const staging = join(
    lake,
    CURATION_PATHS.tmp,
    `compaction-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  const db = await openDuckDb({
    threads: options.threads ?? CURATION_DEFAULTS.threads,
    memoryLimit: options.memoryLimit ?? CURATION_DEFAULTS.memoryLimit,
    preserveInsertionOrder: false,
    parquetMetadataCache: true,
  });
  try {
    for (const dataset of options.datasets ?? DATASETS) {
      const contract = contractFor(dataset as Dataset);
      for (const p of await listRawPartitions(lake, dataset)) {
        if (!isCandidate(p, isClosed, minFiles)) continue;
        const exact = await exactContractFiles(db, dataset, p.files);
        const merged = new Set(exact);
        for (const f of p.files) {
          if (!merged.has(f))
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
          await renameDurably(join(out, f), join(dir, name), new Set([dir]));
          summary.bytesAfter += (await stat(join(dir, name))).size;
          names.push(name);
        }
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
  return { ...summary, skippedFiles: skipped, durationMs: now() - started, locked: false };
}

/** Epoch ms at which the hour `<dt>T<hr>` ends. */
/**
 * The one resolution of the options that choose compaction candidates (defaults and checks), shared by
 * compactRaw and compactionCandidates so both select the same partitions.
 */
function candidateRule(
  options: Pick<CompactionOptions, 'latenessMs' | 'minFiles'>,
  atMs: number,
): { isClosed: (hour: string) => boolean; minFiles: number } {
  const minFiles = options.minFiles ?? CURATION_DEFAULTS.compactionMinFiles;
  if (!Number.isInteger(minFiles) || minFiles < 2)
    throw new CurationOptionError('minFiles', minFiles, 'an integer >= 2');
  const latenessMs = options.latenessMs ?? CURATION_DEFAULTS.latenessMs;
  if (!Number.isFinite(latenessMs) || latenessMs < 0)
    throw new CurationOptionError('latenessMs', latenessMs, 'a non-negative number of ms');
  return { isClosed: closedHourTest(latenessMs, atMs), minFiles };
}

/** A partition is closed when its hour ended at least `latenessMs` before `atMs`. */
function closedHourTest(latenessMs: number, atMs: number): (hour: string) => boolean {
  return (hour) => hourEndMs(hour) + latenessMs <= atMs;
}

/**
 * Whether a partition is worth a compaction: closed, with at least `minFiles` files, at least one of them
 * not written by an earlier compaction (an already compacted hour with nothing new is left alone; a late
 * file makes it eligible again, and the next compaction merges it with the compacted files).
 */
function isCandidate(
  p: { readonly hour: string; readonly files: readonly RawFile[] },
  isClosed: (hour: string) => boolean,
  minFiles: number,
): boolean {
  if (!isClosed(p.hour) || p.files.length < minFiles) return false;
  return !p.files.every((f) => f.name.startsWith(COMPACTED_FILE_PREFIX));
}

/**
 * The partitions {@link compactRaw} with these options would look at, found by listing the raw zone only
 * (no DuckDB, no lock), each as a signature — `raw/<dataset>/dt=…/hr=…:` and its file names — that changes
 * whenever a file arrives or leaves. Lets a caller that runs compaction in a child process skip starting
 * one when nothing changed since a run that left these partitions as they are (files not of the contract's
 * exact schema, or fewer than `minFiles` of it).
 *
 * @param options - lake, datasets, lateness, minimum files, clock — as for compactRaw
 * @returns one signature per candidate partition
 */
export async function compactionCandidates(
  options: Pick<CompactionOptions, 'lake' | 'datasets' | 'latenessMs' | 'minFiles' | 'now'>,
): Promise<string[]> {
  const lake = resolve(options.lake);
  const { isClosed, minFiles } = candidateRule(options, (options.now ?? Date.now)());
  const out: string[] = [];
  for (const dataset of options.datasets ?? DATASETS) {
    for (const p of await listRawPartitions(lake, dataset)) {
      if (!isCandidate(p, isClosed, minFiles)) continue;
      const names = p.files.map((f) => f.name).sort();
      out.push(`raw/${dataset}/dt=${p.dt}/hr=${p.hr}:${names.join(',')}`);
    }
  }
  return out;
}

function hourEndMs(hour: string): number {
  return Date.parse(`${hour}:00:00Z`) + 3_600_000;
}
