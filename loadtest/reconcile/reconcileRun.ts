import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type DuckDbSession, ident, openDuckDb, sqlList, sqlString } from '../../datalake/duckdb/index.js';
import { ERRORS_ZONE, RAW_ZONE } from '../../datalake/layout.js';
import { type LakeStorage, openLakeStorage, writeFileAtomic } from '../../datalake/storage/index.js';
import { eventIdFor, eventIdKey } from '../../producers/sources/eventId.js';
import {
  contractFor,
  DATASETS,
  type Dataset,
  isDataset,
  PARTITION_TIME_FIELDS,
  partitionOf,
} from '../../schemas/index.js';
import { CURATION_DEFAULTS, MANIFEST_FILE } from '../../stream-processors/curation/constants.js';
import { acquireLock, type LakeLock } from '../../stream-processors/curation/curationState.js';
import { tableScanSql } from '../../stream-processors/curation/DuckDbCurationRun.js';
import { CurationLockedError } from '../../stream-processors/curation/errors.js';
import { loadPipeline } from '../../stream-processors/curation/pipeline.js';
import type { Pipeline, TableManifest } from '../../stream-processors/curation/types.js';
import type { ReconciliationSummary } from '../report/types.js';
import { RECONCILE_DEFAULTS, RECONCILE_FILES, RECONCILIATION_FORMAT } from './constants.js';
import { LakeBusyError, RunFolderError } from './errors.js';
import { fetchRawObjects, listRawObjects, type RawObject } from './rawFiles.js';
import { readRunFolder } from './readRunFolder.js';
import type {
  CuratedReconciliation,
  DatasetReconciliation,
  ReconcileOptions,
  ReconcileSample,
  Reconciliation,
  ReconciliationFile,
  RunFolder,
} from './types.js';

/** Everything one reconciliation shares across datasets. */
interface Context {
  readonly db: DuckDbSession;
  readonly storage: LakeStorage;
  readonly folder: RunFolder;
  readonly downloadDir: string;
  readonly latenessMs: number;
  readonly partitionMarginMs: number;
  readonly curated: boolean;
  readonly pipeline: Pipeline | undefined;
  readonly progress: (line: string) => void;
  readonly samples: ReconcileSample[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reconciles a load-test run folder exactly: derives every event id the run's workers sent from
 * (seed, producer_id, dataset, sequence range) minus the ids their sinks wrote off, and looks each up
 * in the lake's raw zone (local folder or `s3://`), its error output and, when curation ran, curated
 * (per natural key). Raw is read as curation reads it: under the lake's lock on a local lake (a
 * compaction never runs in the middle of the read), and on any lake a file whose rows a compacted file
 * of the same partition holds is a compaction's source not yet deleted, not a duplicate.
 * DuckDB does the joins (expected ids appended in chunks), so memory stays bounded at any run size.
 * Writes RUN_DIR/reconciliation.json.
 *
 * @param runDir - the run folder (run.json, workers/*.json; docs/LOADTEST.md)
 * @param options - another lake, curated on/off, lateness window, DuckDB memory, lock wait
 * @returns summary, per-dataset numbers, `key: value` lines (`lost: N` among them), samples and the
 *   exit code: 1 when lost, duplicated_raw, duplicated_curated or misplaced is above 0
 * @throws RunFolderError (exit 2) for a missing or malformed run.json / worker file
 * @example
 * ```ts
 * const r = await reconcileRun('loadtest-runs/smoke-20261205T030000Z');
 * for (const line of r.lines) console.log(line);
 * process.exitCode = r.exitCode;
 * ```
 */
export async function reconcileRun(runDir: string, options: ReconcileOptions = {}): Promise<Reconciliation> {
  const started = Date.now();
  const dir = resolve(runDir);
  const folder = await readRunFolder(dir);
  const progress = options.onProgress ?? (() => {});
  const storage = openStorage(folder, options);
  const owned = typeof options.lake !== 'object';
  const downloadDir = await mkdtemp(join(tmpdir(), 'gridstream-reconcile-'));
  let lock: LakeLock | undefined;
  let db: DuckDbSession | undefined;
  try {
    if (storage.kind === 'local' && !(await stat(storage.location).catch(() => undefined))?.isDirectory())
      throw new RunFolderError(
        join(dir, RECONCILE_FILES.run),
        `the lake ${storage.location} does not exist (target.lake, or the lake option)`,
      );
    lock = await lockLake(storage, options.lockWaitMs ?? RECONCILE_DEFAULTS.lockWaitMs, progress);
    db = await openDuckDb({
      threads: options.threads ?? RECONCILE_DEFAULTS.threads,
      memoryLimit: options.memoryLimit ?? RECONCILE_DEFAULTS.memoryLimit,
      tempDirectory: join(downloadDir, 'spill'),
      preserveInsertionOrder: false,
    });
    const curated = options.curated ?? folder.run.curated === true;
    const ctx: Context = {
      db,
      storage,
      folder,
      downloadDir,
      latenessMs: options.latenessMs ?? folder.run.lateness_ms ?? CURATION_DEFAULTS.latenessMs,
      partitionMarginMs: options.partitionMarginMs ?? RECONCILE_DEFAULTS.partitionMarginMs,
      curated,
      pipeline: curated ? loadPipeline() : undefined,
      progress,
      samples: [],
    };
    const reported = folder.workers.length;
    if (typeof folder.run.workers === 'number' && reported < folder.run.workers)
      progress(
        `only ${reported} of ${folder.run.workers} workers left a result file: the others' events are not expected`,
      );
    await loadErrorOutput(ctx);
    const byDataset: Record<string, DatasetReconciliation> = {};
    for (const dataset of runDatasets(folder)) byDataset[dataset] = await reconcileDataset(ctx, dataset);
    const result = summarize(byDataset, ctx.samples, storage.location, Date.now() - started, curated, {
      reported,
      of: folder.run.workers ?? reported,
    });
    if (options.write !== false) await writeReconciliation(dir, folder, result);
    return result;
  } finally {
    db?.close();
    await lock?.release();
    await rm(downloadDir, { recursive: true, force: true });
    if (owned) await storage.close();
  }
}

function openStorage(folder: RunFolder, options: ReconcileOptions): LakeStorage {
  if (typeof options.lake === 'object') return options.lake;
  const location = options.lake ?? folder.run.target.lake;
  if (location === null || location === undefined)
    throw new RunFolderError(
      join(folder.dir, RECONCILE_FILES.run),
      'target.lake is null: this run has no lake to reconcile against (pass one)',
    );
  const resolved =
    /^s3a?:\/\//i.test(location) || isAbsolute(location) ? location : join(folder.dir, location);
  return openLakeStorage(resolved, options.s3Client ? { s3Client: options.s3Client } : {});
}

/**
 * A local lake's lock, as curation takes it: compaction holds it while it renames its files in and
 * deletes the sources, so raw read under it is never mid-compaction. Waits while it is held. A lake
 * that cannot be written (an archived run on a read-only disk) is read without it. S3 lakes have no
 * lock (the Glue job runs alone); the compacted-copy rule covers them.
 */
async function lockLake(
  storage: LakeStorage,
  waitMs: number,
  progress: (line: string) => void,
): Promise<LakeLock | undefined> {
  if (storage.kind !== 'local') return undefined;
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      return await acquireLock(storage.location, 'loadtest reconcile');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
        progress(`lake ${storage.location} is read-only: reading raw without its lock`);
        return undefined;
      }
      if (!(err instanceof CurationLockedError)) throw err;
      if (Date.now() - started >= waitMs) throw new LakeBusyError(storage.location, waitMs, err.message);
      if (!told) progress(`waiting for the lake's lock (a compaction or curation run holds it)`);
      told = true;
      await sleep(RECONCILE_DEFAULTS.lockPollMs);
    }
  }
}

function runDatasets(folder: RunFolder): Dataset[] {
  const names = new Set(Object.keys(folder.run.datasets));
  for (const w of folder.workers) for (const d of Object.keys(w.datasets)) names.add(d);
  for (const d of names)
    if (!isDataset(d))
      throw new RunFolderError(
        join(folder.dir, RECONCILE_FILES.run),
        `dataset ${JSON.stringify(d)} is unknown`,
      );
  return DATASETS.filter((d) => names.has(d));
}

/** Appends rows to a table in chunks through DuckDB's appender. */
async function appendRows(
  db: DuckDbSession,
  table: string,
  rows: Iterable<readonly (string | number | null)[]>,
  onChunk?: () => Promise<void>,
): Promise<number> {
  let appender = await db.connection.createAppender(table);
  let n = 0;
  let inChunk = 0;
  for (const row of rows) {
    for (const v of row) {
      if (v === null) appender.appendNull();
      else if (typeof v === 'number') appender.appendBigInt(BigInt(v));
      else appender.appendVarchar(v);
    }
    appender.endRow();
    n++;
    if (++inChunk >= RECONCILE_DEFAULTS.appendChunk) {
      appender.closeSync();
      await onChunk?.();
      appender = await db.connection.createAppender(table);
      inChunk = 0;
    }
  }
  appender.closeSync();
  await onChunk?.();
  return n;
}

/** The error output's lines with an event id: `errs(event_id UUID, code)`. */
async function loadErrorOutput(ctx: Context): Promise<void> {
  const { db, storage } = ctx;
  await db.rows('CREATE OR REPLACE TABLE errs_stage (event_id VARCHAR, code VARCHAR)');
  await db.rows('CREATE OR REPLACE TABLE errs (event_id UUID, code VARCHAR)');
  // Error files sit in their records' arrival hour: nothing of the run arrived before it started.
  const started = Date.parse(ctx.folder.run.started_at);
  const fromHour = Number.isFinite(started) ? new Date(started - 3_600_000).toISOString().slice(0, 13) : '';
  const keys = (await storage.list(`${ERRORS_ZONE}/`)).filter((k) => {
    const m = /\/dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\//.exec(k);
    return k.endsWith('.jsonl') && (!m || `${m[1]}T${m[2]}` >= fromHour);
  });
  const flush = async () => {
    await db.rows(
      'INSERT INTO errs SELECT TRY_CAST(event_id AS UUID), code FROM errs_stage WHERE TRY_CAST(event_id AS UUID) IS NOT NULL',
    );
    await db.rows('DELETE FROM errs_stage');
  };
  // One file at a time: a broken run's error output can be large; its lines are never all in memory.
  for (const key of keys) {
    const body = await storage.getBytes(key);
    if (!body) continue;
    const rows: [string, string][] = [];
    for (const line of new TextDecoder().decode(body).split('\n')) {
      if (line.trim() === '') continue;
      try {
        const r = JSON.parse(line) as { eventId?: unknown; errorCode?: unknown };
        if (typeof r.eventId === 'string') rows.push([r.eventId, String(r.errorCode ?? 'unknown')]);
      } catch {
        // A torn line of an error file: it names no event.
      }
    }
    await appendRows(db, 'errs_stage', rows, flush);
  }
  ctx.progress(`error output: ${keys.length} file(s)`);
}

/** Every expected event id of a dataset: `expected(event_id UUID)`. */
async function loadExpected(ctx: Context, dataset: Dataset): Promise<{ sent: number; producers: string[] }> {
  const { db } = ctx;
  await db.rows('CREATE OR REPLACE TABLE expected_stage (event_id VARCHAR)');
  await db.rows('CREATE OR REPLACE TABLE expected (event_id UUID)');
  const producers: string[] = [];
  function* ids(): Generator<[string]> {
    for (const w of ctx.folder.workers) {
      const d = w.datasets[dataset];
      if (!d) continue;
      producers.push(d.producer_id);
      const failed = new Set(d.failed_event_ids);
      const key = eventIdKey(d.seed, d.producer_id, dataset);
      for (let seq = d.first_sequence; seq < d.first_sequence + d.emitted; seq++) {
        const id = eventIdFor(key, seq);
        if (!failed.has(id)) yield [id];
      }
    }
  }
  await appendRows(db, 'expected_stage', ids(), async () => {
    await db.rows('INSERT INTO expected SELECT CAST(event_id AS UUID) FROM expected_stage');
    await db.rows('DELETE FROM expected_stage');
  });
  const [{ n } = { n: 0n }] = await db.rows('SELECT count(DISTINCT event_id) AS n FROM expected');
  return { sent: Number(n), producers };
}

/** SQL text of a dataset's natural key (pipeline.json `naturalKeys`), one string per key. */
function naturalKeySql(pipeline: Pipeline, dataset: Dataset): string {
  const parts = pipeline.naturalKeys[dataset].columns.map(
    (c) => `coalesce(CAST((${c}) AS VARCHAR), chr(30))`,
  );
  return `concat_ws(chr(31), ${parts.join(', ')})`;
}

/** Reads the run's rows of some raw objects into `hits`; returns the objects gone since listed. */
async function readRaw(
  ctx: Context,
  dataset: Dataset,
  objects: readonly RawObject[],
  producers: readonly string[],
): Promise<RawObject[]> {
  const { db } = ctx;
  const contract = contractFor(dataset);
  const cols = contract.columns
    .map((c, i) => `TRY_CAST(${ident(c.name)} AS ${contract.duckDbColumns[i]!.type}) AS ${ident(c.name)}`)
    .join(', ');
  const partitionTime = `coalesce(${PARTITION_TIME_FIELDS[dataset].map((f) => ident(f)).join(', ')})`;
  const nk = ctx.pipeline ? naturalKeySql(ctx.pipeline, dataset) : 'NULL';
  const gone: RawObject[] = [];
  const read = async (batch: readonly RawObject[]): Promise<void> => {
    await db.rows(
      `INSERT INTO hits SELECT TRY_CAST(r.event_id AS UUID), f.file_id, epoch_ms(${partitionTime}), ${nk} ` +
        `FROM (SELECT ${cols}, filename FROM read_parquet(${sqlList(batch.map((o) => o.path))}, filename = true, ` +
        `union_by_name = true, hive_partitioning = false)) r JOIN files f ON f.path = r.filename ` +
        `WHERE r.producer_id IN (${producers.map(sqlString).join(', ') || 'NULL'}) AND TRY_CAST(r.event_id AS UUID) IS NOT NULL`,
    );
  };
  for (let i = 0; i < objects.length; i += RECONCILE_DEFAULTS.filesPerRead) {
    let batch = objects.slice(i, i + RECONCILE_DEFAULTS.filesPerRead);
    const missing = new Set(
      await fetchRawObjects(ctx.storage, batch, RECONCILE_DEFAULTS.downloadConcurrency),
    );
    gone.push(...missing);
    batch = batch.filter((o) => !missing.has(o));
    if (batch.length === 0) continue;
    try {
      await read(batch);
    } catch {
      // One unreadable or vanished file fails the statement: read them one by one.
      for (const o of batch) {
        try {
          await read([o]);
        } catch (err) {
          if (ctx.storage.kind === 'local' && !(await exists(ctx.storage, o.key))) gone.push(o);
          else ctx.progress(`unreadable raw file ${o.key}: ${String((err as Error).message).split('\n')[0]}`);
        }
      }
    }
    if (ctx.storage.kind !== 's3') continue;
    await Promise.all(batch.map((o) => rm(o.path, { force: true })));
  }
  return gone;
}

async function exists(storage: LakeStorage, key: string): Promise<boolean> {
  return (await storage.getBytes(key)) !== undefined;
}

async function insertFiles(db: DuckDbSession, objects: readonly RawObject[]): Promise<void> {
  await appendRows(
    db,
    'files',
    objects.map((o) => [o.id, o.key, o.part, o.dt, o.hr, o.group, o.arrivalMs, o.path]),
  );
}

/** The start of year 0000 and the end of year 9999: dt (YYYY-MM-DD) compares as text in time order between. */
const FIRST_ISO_YEAR_MS = Date.parse('0000-01-01T00:00:00Z');
const LAST_ISO_YEAR_END_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The raw hours (`dt/hr`, as `YYYY-MM-DD/HH`) a dataset's run events can be in: the workers' simulated
 * span widened by the margin; undefined (every hour) with an infinite margin or no span.
 */
function runHours(ctx: Context, dataset: Dataset): ((part: string) => boolean) | undefined {
  const spans = ctx.folder.workers.flatMap((w) => {
    const d = w.datasets[dataset];
    return d ? [d] : [];
  });
  if (!Number.isFinite(ctx.partitionMarginMs) || spans.length === 0) return undefined;
  // A worker file without its span (written by hand, or by an older harness): read every hour.
  const known = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!spans.every((d) => known(d.simulated_from_ms) && known(d.simulated_to_ms))) return undefined;
  const from = Math.min(...spans.map((d) => d.simulated_from_ms!)) - ctx.partitionMarginMs;
  const to = Math.max(...spans.map((d) => d.simulated_to_ms!)) + ctx.partitionMarginMs;
  // A margin reaching past years 0000-9999 (where dt stops comparing as text in time order): every hour.
  if (!(from >= FIRST_ISO_YEAR_MS && to <= LAST_ISO_YEAR_END_MS)) return undefined;
  const first = partitionOf(from);
  const last = partitionOf(to);
  // dt/hr compare as text in time order (zero-padded).
  const lo = `${first.dt}/${first.hr}`;
  const hi = `${last.dt}/${last.hr}`;
  return (part) => part >= lo && part <= hi;
}

/** Reads a dataset's raw zone into `files` and `hits`, re-reading a partition a compaction changed meanwhile. */
async function scanRaw(
  ctx: Context,
  dataset: Dataset,
  producers: readonly string[],
): Promise<{ files: number; outside: number }> {
  const { db } = ctx;
  await db.rows(
    'CREATE OR REPLACE TABLE files (file_id BIGINT, key VARCHAR, part VARCHAR, dt VARCHAR, hr VARCHAR, grp VARCHAR, arrival_ms BIGINT, path VARCHAR)',
  );
  await db.rows('CREATE OR REPLACE TABLE hits (event_id UUID, file_id BIGINT, pt_ms BIGINT, nk VARCHAR)');
  const inRun = runHours(ctx, dataset);
  const listed = await listRawObjects(ctx.storage, dataset, `${RAW_ZONE}/${dataset}/`, 0, ctx.downloadDir);
  let objects = inRun ? listed.filter((o) => inRun(o.part)) : listed;
  const outside = listed.length - objects.length;
  if (outside > 0)
    ctx.progress(`${dataset}: ${outside} raw file(s) outside the run's hours (± margin) not read`);
  await insertFiles(db, objects);
  let nextId = objects.length;
  let total = objects.length;
  for (let round = 0; objects.length > 0; round++) {
    const gone = await readRaw(ctx, dataset, objects, producers);
    if (gone.length === 0) break;
    // A file listed and then deleted: a compaction finished that partition meanwhile (its compacted
    // files may not have been listed yet). Read the partition again from a fresh listing.
    if (round >= 5) throw new LakeBusyError(ctx.storage.location, 0, 'raw files kept vanishing while read');
    const parts = [...new Set(gone.map((o) => o.part))];
    await db.rows(
      `DELETE FROM hits WHERE file_id IN (SELECT file_id FROM files WHERE part IN (${parts.map(sqlString).join(', ')}))`,
    );
    await db.rows(`DELETE FROM files WHERE part IN (${parts.map(sqlString).join(', ')})`);
    objects = [];
    for (const p of parts) {
      const [dt, hr] = p.split('/');
      const again = await listRawObjects(
        ctx.storage,
        dataset,
        `${RAW_ZONE}/${dataset}/dt=${dt}/hr=${hr}/`,
        nextId,
        ctx.downloadDir,
      );
      nextId += again.length;
      objects.push(...again);
    }
    total += objects.length;
    await insertFiles(db, objects);
    ctx.progress(`${dataset}: ${parts.length} partition(s) changed while read, read again`);
  }
  return { files: total, outside };
}

/**
 * Files whose every run row a compacted file of the same partition also holds: sources of a compaction
 * that published its files and has not deleted them yet (or crashed in between: the next compaction
 * merges both). Their rows are counted once, in the compacted file.
 */
async function markCompactionSources(db: DuckDbSession): Promise<void> {
  const rows = await db.rows(`
    WITH hf AS (SELECT h.event_id, h.file_id, f.part, f.grp FROM hits h JOIN files f USING (file_id)),
    g AS (SELECT DISTINCT event_id, part, grp FROM hf WHERE grp IS NOT NULL),
    own AS (SELECT file_id, any_value(grp) AS grp, count(DISTINCT event_id) AS n FROM hf
            WHERE part IN (SELECT part FROM g) GROUP BY file_id),
    cover AS (SELECT hf.file_id, g.grp AS by_grp, count(DISTINCT hf.event_id) AS m FROM hf
              JOIN g ON g.part = hf.part AND g.event_id = hf.event_id AND g.grp IS DISTINCT FROM hf.grp
              GROUP BY hf.file_id, g.grp)
    SELECT own.file_id, own.grp, cover.by_grp FROM own JOIN cover USING (file_id) WHERE cover.m = own.n`);
  const pairs = rows.map((r) => ({
    file: r.file_id as bigint,
    own: r.grp as string | null,
    by: String(r.by_grp),
  }));
  // Two compactions each holding the other's rows say nothing about which came first: keep both.
  const mutual = new Set(pairs.filter((p) => p.own !== null).map((p) => `${p.own}>${p.by}`));
  const sources = pairs.filter((p) => p.own === null || !mutual.has(`${p.by}>${p.own}`)).map((p) => p.file);
  await db.rows('CREATE OR REPLACE TABLE superseded (file_id BIGINT)');
  if (sources.length > 0)
    await db.rows(`INSERT INTO superseded VALUES ${[...new Set(sources)].map((f) => `(${f})`).join(', ')}`);
  await db.rows(
    'CREATE OR REPLACE VIEW kept AS SELECT * FROM hits WHERE file_id NOT IN (SELECT file_id FROM superseded)',
  );
}

function count(rows: Record<string, unknown>[], key = 'n'): number {
  const v = rows[0]?.[key];
  return v === null || v === undefined ? 0 : Number(v);
}

/** Raw rows whose partition-rule partition is not their folder: `misplaced(file_id, hour)`. */
async function markMisplaced(db: DuckDbSession): Promise<void> {
  const pairs = await db.rows(
    'SELECT DISTINCT k.file_id, k.pt_ms // 3600000 AS hour, f.dt, f.hr FROM kept k JOIN files f USING (file_id) WHERE k.pt_ms IS NOT NULL',
  );
  await db.rows('CREATE OR REPLACE TABLE misplaced (file_id BIGINT, hour BIGINT)');
  // The folder an event belongs in is the delivery's rule (schemas' partitionOf of its partition
  // time); one representative instant per hour decides for every row of that hour.
  const bad = pairs.filter((p) => {
    const { dt, hr } = partitionOf(Number(p.hour) * 3_600_000);
    return dt !== p.dt || hr !== p.hr;
  });
  if (bad.length > 0)
    await appendRows(
      db,
      'misplaced',
      bad.map((p) => [Number(p.file_id), Number(p.hour)]),
    );
}

async function reconcileDataset(ctx: Context, dataset: Dataset): Promise<DatasetReconciliation> {
  const { db } = ctx;
  const started = Date.now();
  const { sent, producers } = await loadExpected(ctx, dataset);
  const { files, outside } = await scanRaw(ctx, dataset, producers);
  await markCompactionSources(db);
  await markMisplaced(db);
  await db.rows(
    'CREATE OR REPLACE TABLE found AS SELECT DISTINCT event_id FROM kept WHERE event_id IN (SELECT event_id FROM expected)',
  );
  const found = count(await db.rows('SELECT count(*) AS n FROM found'));
  // Only the duplicated ids are kept (few, normally): the samples' raw keys are looked up for them alone.
  await db.rows(
    'CREATE OR REPLACE TABLE dups AS SELECT event_id, count(*) AS n FROM kept GROUP BY event_id HAVING n > 1',
  );
  const duplicated = count(await db.rows('SELECT sum(n - 1) AS n FROM dups'));
  const errored = count(
    await db.rows(
      'SELECT count(DISTINCT x.event_id) AS n FROM errs x WHERE x.event_id IN (SELECT event_id FROM expected) AND x.event_id NOT IN (SELECT event_id FROM found)',
    ),
  );
  const reasons = await db.rows(
    'SELECT code, count(*) AS n FROM errs WHERE event_id IN (SELECT event_id FROM expected) GROUP BY code ORDER BY code',
  );
  const misplaced = count(
    await db.rows(
      'SELECT count(*) AS n FROM kept k JOIN misplaced m ON m.file_id = k.file_id AND m.hour = k.pt_ms // 3600000',
    ),
  );
  const late = count(
    await db.rows(
      `SELECT count(DISTINCT k.event_id) AS n FROM kept k JOIN files f USING (file_id) WHERE f.arrival_ms - k.pt_ms > ${Math.round(ctx.latenessMs)}`,
    ),
  );
  const unexpected = count(
    await db.rows(
      'SELECT count(DISTINCT event_id) AS n FROM kept WHERE event_id NOT IN (SELECT event_id FROM expected)',
    ),
  );
  const copies = count(
    await db.rows('SELECT count(*) AS n FROM hits WHERE file_id IN (SELECT file_id FROM superseded)'),
  );
  await collectSamples(ctx, dataset);
  const curated = ctx.curated ? await reconcileCurated(ctx, dataset) : undefined;
  const result: DatasetReconciliation = {
    sent,
    found_raw: found,
    lost: sent - found - errored,
    duplicated_raw: duplicated,
    misplaced,
    late,
    errors: errored,
    error_reasons: Object.fromEntries(reasons.map((r) => [String(r.code), Number(r.n)])),
    unexpected,
    compaction_copies: copies,
    files,
    files_outside_run: outside,
    ...(curated ? { curated } : {}),
  };
  for (const t of ['hits', 'files', 'found', 'dups', 'expected', 'expected_stage', 'misplaced', 'superseded'])
    await db.rows(`DROP TABLE IF EXISTS ${t}`);
  ctx.progress(
    `${dataset}: ${sent} sent, ${found} found in raw, ${result.lost} lost, ${duplicated} duplicated, ` +
      `${misplaced} misplaced (${files} raw files, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return result;
}

/** How many more samples of a kind fit: at most RECONCILE_DEFAULTS.samples per kind over the run. */
function room(ctx: Context, kind: ReconcileSample['kind']): number {
  return Math.max(0, RECONCILE_DEFAULTS.samples - ctx.samples.filter((s) => s.kind === kind).length);
}

async function collectSamples(ctx: Context, dataset: Dataset): Promise<void> {
  const { db } = ctx;
  const lost = await db.rows(
    `SELECT CAST(event_id AS VARCHAR) AS id FROM expected WHERE event_id NOT IN (SELECT event_id FROM found) ` +
      `AND event_id NOT IN (SELECT event_id FROM errs) ORDER BY event_id LIMIT ${room(ctx, 'lost')}`,
  );
  for (const r of lost) ctx.samples.push({ kind: 'lost', dataset, event_id: String(r.id) });
  const dups = await db.rows(
    `SELECT CAST(k.event_id AS VARCHAR) AS id, list(f.key ORDER BY f.key) AS keys FROM kept k JOIN files f USING (file_id) ` +
      `WHERE k.event_id IN (SELECT event_id FROM dups ORDER BY event_id LIMIT ${room(ctx, 'duplicated_raw')}) ` +
      'GROUP BY k.event_id ORDER BY k.event_id',
  );
  for (const r of dups)
    ctx.samples.push({
      kind: 'duplicated_raw',
      dataset,
      event_id: String(r.id),
      where: (r.keys as string[]).map(String),
    });
  const misplaced = await db.rows(
    `SELECT CAST(k.event_id AS VARCHAR) AS id, f.key FROM kept k JOIN files f USING (file_id) ` +
      `JOIN misplaced m ON m.file_id = k.file_id AND m.hour = k.pt_ms // 3600000 ORDER BY k.event_id LIMIT ${room(ctx, 'misplaced')}`,
  );
  for (const r of misplaced)
    ctx.samples.push({ kind: 'misplaced', dataset, event_id: String(r.id), where: [String(r.key)] });
}

/** A published table's files (from its manifest), made readable by DuckDB. */
async function manifestFilesOf(ctx: Context, table: string): Promise<string[]> {
  const prefix = `curated/${table}`;
  const body = await ctx.storage.getBytes(`${prefix}/${MANIFEST_FILE}`);
  if (!body) return [];
  const manifest = JSON.parse(new TextDecoder().decode(body)) as TableManifest;
  const keys = Object.values(manifest.partitions).flatMap((p) =>
    p.files.map((f) => `${prefix}/${p.location}/${f.name}`),
  );
  if (ctx.storage.kind === 'local') return keys.map((k) => ctx.storage.urlFor(k)).sort();
  const objects: RawObject[] = keys.map((key, i) => ({
    id: i,
    key,
    part: '',
    dt: '',
    hr: '',
    group: null,
    arrivalMs: null,
    path: join(ctx.downloadDir, `${table}-${i}.parquet`),
  }));
  await fetchRawObjects(ctx.storage, objects, RECONCILE_DEFAULTS.downloadConcurrency);
  return objects.map((o) => o.path);
}

/** Curated counts per natural key: the table as its manifest publishes it, and its quarantine. */
async function reconcileCurated(ctx: Context, dataset: Dataset): Promise<CuratedReconciliation> {
  const { db } = ctx;
  const pipeline = ctx.pipeline!;
  const table = pipeline.tables[`curated_${dataset}`]!;
  const quarantine = pipeline.tables[`curated_${dataset}_quarantine`]!;
  const nk = naturalKeySql(pipeline, dataset);
  await db.rows('CREATE OR REPLACE TABLE run_keys AS SELECT DISTINCT nk FROM kept WHERE nk IS NOT NULL');
  const curatedFiles = await manifestFilesOf(ctx, dataset);
  await db.rows(
    `CREATE OR REPLACE TABLE cur AS SELECT nk, count(*) AS n FROM (SELECT ${nk} AS nk FROM (${tableScanSql(curatedFiles, table)})) ` +
      'WHERE nk IN (SELECT nk FROM run_keys) GROUP BY nk',
  );
  const quarantineFiles = await manifestFilesOf(ctx, `${dataset}_quarantine`);
  await db.rows(
    `CREATE OR REPLACE TABLE quar AS SELECT DISTINCT TRY_CAST(event_id AS UUID) AS event_id, dq_rule FROM (${tableScanSql(quarantineFiles, quarantine)}) ` +
      'WHERE TRY_CAST(event_id AS UUID) IN (SELECT event_id FROM kept)',
  );
  const keys = count(await db.rows('SELECT count(*) AS n FROM run_keys'));
  const found = count(await db.rows('SELECT count(*) AS n FROM cur'));
  const duplicated = count(await db.rows('SELECT sum(n - 1) AS n FROM cur WHERE n > 1'));
  const quarantined = count(await db.rows('SELECT count(DISTINCT event_id) AS n FROM quar'));
  const rules = await db.rows(
    'SELECT dq_rule, count(DISTINCT event_id) AS n FROM quar GROUP BY dq_rule ORDER BY dq_rule',
  );
  const lost = count(
    await db.rows(
      'SELECT count(*) AS n FROM run_keys WHERE nk NOT IN (SELECT nk FROM cur) ' +
        'AND nk NOT IN (SELECT k.nk FROM kept k JOIN quar q ON q.event_id = k.event_id)',
    ),
  );
  const n = RECONCILE_DEFAULTS.samples;
  const samples = await db.rows(
    `SELECT 'duplicated_curated' AS kind, min(CAST(k.event_id AS VARCHAR)) AS id FROM kept k JOIN cur c ON c.nk = k.nk WHERE c.n > 1 GROUP BY k.nk ` +
      `UNION ALL SELECT 'lost_curated', min(CAST(k.event_id AS VARCHAR)) FROM kept k WHERE k.nk NOT IN (SELECT nk FROM cur) ` +
      'AND k.nk NOT IN (SELECT k2.nk FROM kept k2 JOIN quar q ON q.event_id = k2.event_id) GROUP BY k.nk ' +
      `ORDER BY kind, id LIMIT ${2 * n}`,
  );
  for (const r of samples) {
    const kind = String(r.kind) as ReconcileSample['kind'];
    if (room(ctx, kind) > 0) ctx.samples.push({ kind, dataset, event_id: String(r.id) });
  }
  for (const t of ['run_keys', 'cur', 'quar']) await db.rows(`DROP TABLE IF EXISTS ${t}`);
  return {
    keys,
    found,
    duplicated_curated: duplicated,
    lost_curated: lost,
    quarantined,
    quarantine_rules: Object.fromEntries(rules.map((r) => [String(r.dq_rule), Number(r.n)])),
  };
}

function summarize(
  byDataset: Record<string, DatasetReconciliation>,
  samples: readonly ReconcileSample[],
  lake: string,
  durationMs: number,
  curated: boolean,
  workers: { reported: number; of: number },
): Reconciliation {
  const all = Object.values(byDataset);
  const sum = (f: (d: DatasetReconciliation) => number) => all.reduce((n, d) => n + f(d), 0);
  const summary: ReconciliationSummary = {
    sent: sum((d) => d.sent),
    found_raw: sum((d) => d.found_raw),
    lost: sum((d) => d.lost),
    duplicated_raw: sum((d) => d.duplicated_raw),
    duplicated_curated: sum((d) => d.curated?.duplicated_curated ?? 0),
    misplaced: sum((d) => d.misplaced),
    late: sum((d) => d.late),
    errors: sum((d) => d.errors),
    ...(curated
      ? {
          lost_curated: sum((d) => d.curated?.lost_curated ?? 0),
          quarantined: sum((d) => d.curated?.quarantined ?? 0),
        }
      : {}),
  };
  const exitCode =
    summary.lost > 0 || summary.duplicated_raw > 0 || summary.duplicated_curated > 0 || summary.misplaced > 0
      ? 1
      : 0;
  const lines = [
    `lake: ${lake}`,
    ...Object.entries(summary).map(([k, v]) => `${k}: ${v}`),
    `curated: ${curated ? 'checked' : 'not checked (no curation ran)'}`,
    `workers: ${workers.reported} of ${workers.of} reported`,
  ];
  for (const [d, r] of Object.entries(byDataset)) {
    const parts: [string, number | string][] = [
      ['sent', r.sent],
      ['found_raw', r.found_raw],
      ['lost', r.lost],
      ['duplicated_raw', r.duplicated_raw],
      ['misplaced', r.misplaced],
      ['late', r.late],
      ['errors', r.errors],
      ['unexpected', r.unexpected],
      ['compaction_copies', r.compaction_copies],
      ['files', r.files],
      ['files_outside_run', r.files_outside_run],
    ];
    if (r.curated)
      parts.push(
        ['duplicated_curated', r.curated.duplicated_curated],
        ['lost_curated', r.curated.lost_curated],
        ['quarantined', r.curated.quarantined],
      );
    for (const [k, v] of parts) lines.push(`${d}.${k}: ${v}`);
    for (const [code, n] of Object.entries(r.error_reasons)) lines.push(`${d}.errors.${code}: ${n}`);
    for (const [rule, n] of Object.entries(r.curated?.quarantine_rules ?? {}))
      lines.push(`${d}.quarantined.${rule}: ${n}`);
  }
  for (const s of samples)
    lines.push(`sample ${s.kind}: ${s.dataset} ${s.event_id}${s.where ? ` (${s.where.join(', ')})` : ''}`);
  lines.push(`exit: ${exitCode}`);
  return { summary, byDataset, lines, exitCode, samples, lake, durationMs };
}

async function writeReconciliation(dir: string, folder: RunFolder, r: Reconciliation): Promise<void> {
  const file: ReconciliationFile = {
    format: RECONCILIATION_FORMAT,
    run_id: folder.run.run_id,
    lake: r.lake,
    reconciled_at: new Date().toISOString(),
    duration_ms: r.durationMs,
    exit_code: r.exitCode,
    summary: r.summary,
    datasets: r.byDataset,
    samples: r.samples,
  };
  await writeFileAtomic(join(dir, RECONCILE_FILES.reconciliation), `${JSON.stringify(file, null, 2)}\n`);
}
