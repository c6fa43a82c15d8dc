import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDuckDb } from '../../datalake/duckdb/openDuckDb.js';
import { DATASETS, type Dataset, isDataset } from '../../schemas/index.js';
import { CURATION_DEFAULTS, CURATION_PATHS } from './constants.js';
import {
  acquireLock,
  type DatasetState,
  detectChanges,
  type LakeLock,
  readState,
  shiftHour,
  writeState,
} from './curationState.js';
import { DuckDbCurationRun } from './DuckDbCurationRun.js';
import { CurationLockedError, CurationOptionError } from './errors.js';
import { loadPipeline, tableSteps } from './pipeline.js';
import { listRawPartitions } from './rawFiles.js';
import { collectGarbage, readManifest, writeManifest } from './tableManifest.js';
import type { CurationOptions, CurationSummary, DatasetRunSummary } from './types.js';

/**
 * A run id that sorts by start time: `20261122T120000123Z-a1b2c3`.
 *
 * @param nowMs - start time
 */
export function makeRunId(nowMs: number): string {
  return `${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

function validateOptions(o: CurationOptions): void {
  if (typeof o.lake !== 'string' || o.lake.length === 0)
    throw new CurationOptionError('lake', o.lake, 'a directory');
  for (const d of o.datasets ?? []) {
    if (!isDataset(d)) throw new CurationOptionError('datasets', d, `one of ${DATASETS.join(', ')}`);
  }
  if (o.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.since)) {
    throw new CurationOptionError('since', o.since, 'a date yyyy-MM-dd');
  }
  for (const [name, v] of [
    ['targetFileSizeBytes', o.targetFileSizeBytes],
    ['latenessMs', o.latenessMs],
    ['retentionMs', o.retentionMs],
    ['threads', o.threads],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0))
      throw new CurationOptionError(name, v, 'a non-negative number');
  }
  if (o.targetFileSizeBytes !== undefined && o.targetFileSizeBytes < 1024) {
    throw new CurationOptionError('targetFileSizeBytes', o.targetFileSizeBytes, 'at least 1024');
  }
}

/**
 * Curates a local lake on DuckDB: for every dataset, the raw dt partitions that changed since the
 * last run (new or late files within the lateness window, or every dt >= `since`, or all with
 * `full`) are deduplicated, typed and checked into `curated/<dataset>` and
 * `curated/<dataset>_quarantine`, then the gold tables depending on them are recomputed. Each table
 * is switched to its new partitions with one atomic manifest rename, so concurrent readers never see
 * a partial result. Running it again without new raw files changes nothing; forcing a re-run gives
 * the same rows. This is what `gridstream curate` and `gridstream up` (every minute) call.
 *
 * @param options - lake, datasets, window and tuning
 * @returns what was read, quarantined and published
 * @throws CurationLockedError (retriable) when another run holds the lake, unless `skipIfLocked`
 * @example
 * ```ts
 * const summary = await runCuration({ lake: './lake', datasets: ['grid'] });
 * console.log(summary.tables.curated_grid?.rows);
 * ```
 */
export async function runCuration(options: CurationOptions): Promise<CurationSummary> {
  validateOptions(options);
  const lake = resolve(options.lake);
  const now = options.now ?? Date.now;
  const started = now();
  const runId = makeRunId(started);
  const onProgress = options.onProgress ?? (() => {});
  const pipeline = loadPipeline(options.sqlDir);
  const datasets: readonly Dataset[] = options.datasets ?? DATASETS;
  const latenessHours = Math.ceil((options.latenessMs ?? CURATION_DEFAULTS.latenessMs) / 3_600_000);
  const retentionMs = options.retentionMs ?? CURATION_DEFAULTS.retentionMs;

  let lock: LakeLock;
  try {
    lock = await acquireLock(lake, `curation ${runId}`);
  } catch (err) {
    if (err instanceof CurationLockedError && options.skipIfLocked) {
      return {
        runId,
        lake,
        startedAt: new Date(started).toISOString(),
        durationMs: now() - started,
        locked: true,
        datasets: {},
        tables: {},
        skippedFiles: [],
      };
    }
    throw err;
  }
  const tmpDir = join(lake, CURATION_PATHS.tmp, runId);
  try {
    await mkdir(tmpDir, { recursive: true });
    const changes = new Map<Dataset, ReadonlySet<string>>();
    const nextStates: DatasetState[] = [];
    for (const d of datasets) {
      const state = await readState(lake, d);
      let fromHour =
        options.full || state.watermark === null ? undefined : shiftHour(state.watermark, -latenessHours);
      if (fromHour !== undefined && options.since !== undefined && `${options.since}T00` < fromHour) {
        fromHour = `${options.since}T00`;
      }
      const partitions = await listRawPartitions(lake, d, fromHour);
      const c = detectChanges(state, partitions, {
        fromHour,
        since: options.since,
        full: options.full,
        latenessHours,
        nowMs: now(),
      });
      changes.set(d, c.dts);
      nextStates.push(c.next);
      if (c.dts.size > 0)
        onProgress({ step: `raw_${d}`, message: `${c.dts.size} dt partition(s) to curate` });
    }

    const db = await openDuckDb({
      threads: options.threads ?? CURATION_DEFAULTS.threads,
      memoryLimit: options.memoryLimit ?? CURATION_DEFAULTS.memoryLimit,
      tempDirectory: tmpDir,
      preserveInsertionOrder: false,
      parquetMetadataCache: true,
    });
    let run: DuckDbCurationRun;
    try {
      run = new DuckDbCurationRun(
        db,
        pipeline,
        {
          lake,
          runId,
          targetFileSizeBytes: options.targetFileSizeBytes ?? CURATION_DEFAULTS.targetFileSizeBytes,
          nowMs: now,
          onProgress,
        },
        changes,
      );
      await run.run();
    } finally {
      db.close();
    }

    for (const step of tableSteps(pipeline)) {
      const dir = join(lake, step.table!.zone, step.table!.name);
      const manifest = await readManifest(dir);
      if (!manifest) continue;
      const gc = await collectGarbage(dir, manifest, now(), retentionMs);
      if (gc.manifest.superseded.length !== manifest.superseded.length) await writeManifest(dir, gc.manifest);
    }
    // The state moves only after everything is published: a crash before this line makes the next
    // run redo the same dts, which gives the same rows.
    for (const s of nextStates) await writeState(lake, s);

    const datasetSummaries: Partial<Record<Dataset, DatasetRunSummary>> = {};
    for (const [d, c] of run.datasets) {
      datasetSummaries[d] = {
        dts: [...c.dts].sort(),
        files: c.files,
        rows: c.rows,
        duplicates: c.rows - c.checkedRows,
        skippedFiles: c.skipped,
      };
    }
    return {
      runId,
      lake,
      startedAt: new Date(started).toISOString(),
      durationMs: now() - started,
      locked: false,
      datasets: datasetSummaries,
      tables: run.tables,
      skippedFiles: run.skippedFiles,
    };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
    // Spill folders of runs that crashed are debris once nobody holds the lock.
    for (const name of await readdir(join(lake, CURATION_PATHS.tmp)).catch(() => [] as string[])) {
      if (name !== runId && !name.startsWith('compaction-')) {
        await rm(join(lake, CURATION_PATHS.tmp, name), { recursive: true, force: true });
      }
    }
    await lock.release();
  }
}
