import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { openDuckDb, sqlString } from '../../datalake/duckdb/index.js';
import { createS3Client, openLakeStorage } from '../../datalake/storage/index.js';
import {
  RECONCILE_FILES,
  RUN_FORMAT,
  RunFolderError,
  reconcileRun,
  WORKER_FORMAT,
} from '../../loadtest/index.js';
import type { RunFile, WorkerFile } from '../../loadtest/reconcile/index.js';
import { SUMMARY_SCHEMA_FILE } from '../../loadtest/report/renderReport.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { runProducer } from '../../producers/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../producers/kinesis/index.js';
import { createGenerator } from '../../producers/sources/index.js';
import { type Dataset, validateJson } from '../../schemas/index.js';
import { COMPACTED_FILE_PREFIX } from '../../stream-processors/curation/constants.js';
import { acquireLock } from '../../stream-processors/curation/curationState.js';
import { CURATION_TEST_DEFAULTS, compactRaw, runCuration } from '../../stream-processors/curation/index.js';
import type { ErrorRecord } from '../../stream-processors/delivery/index.js';
import { deliverOnce } from '../delivery/support/deliverOnce.js';
import { MotoServer } from '../delivery/support/motoServer.js';
import { uniqueStream, useEmbeddedKinesis } from '../helpers/kinesis.js';
import { writeSampleRun } from '../helpers/loadtestRun.js';
import { hasPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';

let kinesis: EmbeddedKinesis;
useEmbeddedKinesis((k) => {
  kinesis = k;
});

const SEED = 5;
/**
 * Simulated start: ten minutes before an hour, so grid's 5-minute batches cross an hour boundary; 42 to
 * 43 hours back, whatever the time of day. The shares' partition times span T0 − 0.9 h .. T0 + 37.4 h
 * (the trades' spacing), so when delivered every event is 4.5 to 44 hours past its partition time: late
 * for a 1-hour lateness window, on time for the default 48 hours.
 */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 43 * 3_600_000 + 50 * 60_000;
/** Worker share per dataset: [worker, events, first sequence, simulated start]. */
const SHARES: Record<Dataset, [string, number, number, number][]> = {
  grid: [
    ['w0', 700, 1_000, T0],
    ['w1', 500, 9_000_000, T0 + 3 * 3_600_000],
  ],
  weather: [['w0', 150, 0, T0]],
  transactions: [['w0', 300, 42, T0]],
};

let pristine: string;

/** Produces the run's events through the sink into the emulator, delivers them, writes the run folder. */
async function buildRun(dir: string): Promise<void> {
  const runId = 'reconcile-test';
  const workers = new Map<string, WorkerFile>();
  const bindings: { dataset: Dataset; streamName: string }[] = [];
  for (const [dataset, shares] of Object.entries(SHARES) as [Dataset, (typeof SHARES)[Dataset]][]) {
    const streamName = uniqueStream(`reconcile-${dataset}`);
    await kinesis.createStream(streamName, 2);
    bindings.push({ dataset, streamName });
    for (const [worker, count, firstSequence, start] of shares) {
      const producerId = `lt-${runId}-${worker}-${dataset}`;
      const sink = new KinesisSink({
        dataset,
        streamName,
        client: kinesis.client,
        defaults: SINK_TEST_DEFAULTS,
        retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
        rejectFile: join(dir, `${worker}-${dataset}.rejects.jsonl`),
      });
      await runProducer({
        generator: createGenerator(dataset, {
          seed: SEED,
          producerId,
          startSequence: firstSequence,
          clock: { now: () => start },
        }),
        sink,
        count,
      });
      const totals = await sink.close();
      expect(totals.sent).toBe(count);
      const w = workers.get(worker) ?? { format: WORKER_FORMAT, worker, datasets: {} };
      workers.set(worker, {
        ...w,
        datasets: {
          ...w.datasets,
          [dataset]: {
            producer_id: producerId,
            seed: SEED,
            first_sequence: firstSequence,
            emitted: count,
            acknowledged: count,
            failed_event_ids: [],
            late: 0,
            out_of_order: 0,
          },
        },
      });
    }
  }
  await deliverOnce(kinesis.client, openLakeStorage(join(dir, 'lake')), bindings);
  const run: RunFile = {
    format: RUN_FORMAT,
    run_id: runId,
    scenario: 'reconcile-test',
    started_at: new Date().toISOString(),
    target: { kind: 'embedded', lake: 'lake' },
    seed: SEED,
    workers: workers.size,
    curated: false,
    datasets: Object.fromEntries(bindings.map((b) => [b.dataset, { stream: b.streamName }])),
  };
  writeFileSync(join(dir, RECONCILE_FILES.run), JSON.stringify(run));
  mkdirSync(join(dir, RECONCILE_FILES.workers));
  for (const w of workers.values())
    writeFileSync(join(dir, RECONCILE_FILES.workers, `${w.worker}.json`), JSON.stringify(w));
}

beforeAll(async () => {
  pristine = tempDir('reconcile-pristine');
  await buildRun(pristine);
}, 120_000);
afterAll(() => {
  if (pristine) rmSync(pristine, { recursive: true, force: true });
});

/** A fresh copy of the run folder for one test. */
function copyRun(label: string): string {
  const dir = join(tempDir(`reconcile-${label}`), 'run');
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function setRun(dir: string, patch: Partial<RunFile>): void {
  const file = join(dir, RECONCILE_FILES.run);
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...patch }));
}

/** Raw Parquet files of a dataset, lake-relative, sorted. */
function rawFiles(dir: string, dataset: Dataset): string[] {
  const root = join(dir, 'lake', 'raw', dataset);
  const out: string[] = [];
  for (const dt of readdirSync(root))
    for (const hr of readdirSync(join(root, dt)))
      for (const f of readdirSync(join(root, dt, hr)))
        if (f.endsWith('.parquet')) out.push(join('raw', dataset, dt, hr, f));
  return out.sort();
}

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const db = await openDuckDb({ threads: 1 });
  try {
    return await db.rows(sql);
  } finally {
    db.close();
  }
}

async function rowsOf(file: string): Promise<number> {
  const [r] = await duck(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`);
  return Number(r!.n);
}

const TOTAL = Object.values(SHARES)
  .flat()
  .reduce((n, s) => n + s[1], 0);

describe('reconcileRun', () => {
  it('an exact run: every count zero, exit 0, reconciliation.json written; a short lateness window makes them late', async () => {
    // Prepare
    const dir = copyRun('exact');
    // Act
    const r = await reconcileRun(dir);
    const late = await reconcileRun(dir, { latenessMs: 3_600_000, write: false });
    // Assess
    expect(r.summary).toMatchObject({
      sent: TOTAL,
      found_raw: TOTAL,
      lost: 0,
      duplicated_raw: 0,
      duplicated_curated: 0,
      misplaced: 0,
      late: 0,
      errors: 0,
    });
    expect(r.byDataset.grid).toMatchObject({ sent: 1_200, found_raw: 1_200, unexpected: 0 });
    expect(r.exitCode).toBe(0);
    expect(r.lines).toContain('lost: 0');
    expect(r.lines).toContain('workers: 2 of 2 reported');
    expect(r.samples).toEqual([]);
    const written = JSON.parse(readFileSync(join(dir, RECONCILE_FILES.reconciliation), 'utf8'));
    expect(written).toMatchObject({ run_id: 'reconcile-test', exit_code: 0, summary: { lost: 0 } });
    expect(late.summary.late).toBe(TOTAL);
    expect(late.exitCode).toBe(0);
  });

  it('a deleted raw file: lost is exactly the rows it held, exit 1, its ids sampled', async () => {
    // Prepare
    const dir = copyRun('deleted');
    const victim = join(dir, 'lake', rawFiles(dir, 'grid')[1]!);
    const held = await rowsOf(victim);
    rmSync(victim);
    // Act
    const r = await reconcileRun(dir);
    // Assess
    expect(held).toBeGreaterThan(0);
    expect(r.summary.lost).toBe(held);
    expect(r.byDataset.grid!.lost).toBe(held);
    expect(r.summary.found_raw).toBe(TOTAL - held);
    expect(r.lines).toContain(`lost: ${held}`);
    expect(r.exitCode).toBe(1);
    expect(r.samples.filter((s) => s.kind === 'lost')).toHaveLength(Math.min(10, held));
  });

  it('an event in the error output is reported with its reason, not lost', async () => {
    // Prepare: a raw file gone, one of its events in delivery's error output instead
    const dir = copyRun('errors');
    const victim = join(dir, 'lake', rawFiles(dir, 'weather')[0]!);
    const held = await rowsOf(victim);
    const [{ id } = { id: '' }] = await duck(
      `SELECT event_id AS id FROM read_parquet(${sqlString(victim)}) LIMIT 1`,
    );
    rmSync(victim);
    const now = new Date().toISOString();
    const errorDir = join(
      dir,
      'lake',
      'errors',
      'format-conversion-failed',
      `dt=${now.slice(0, 10)}`,
      `hr=${now.slice(11, 13)}`,
    );
    mkdirSync(errorDir, { recursive: true });
    const line: Partial<ErrorRecord> = {
      errorType: 'format-conversion-failed',
      errorCode: 'contract_violation',
      errorMessage: 'test',
      dataset: 'weather',
      eventId: String(id),
    };
    writeFileSync(join(errorDir, 'weather-1-x.jsonl'), `${JSON.stringify(line)}\n{torn`);
    // Act
    const r = await reconcileRun(dir);
    // Assess
    expect(r.summary).toMatchObject({ lost: held - 1, errors: 1 });
    expect(r.byDataset.weather!.error_reasons).toEqual({ contract_violation: 1 });
    expect(r.lines).toContain('weather.errors.contract_violation: 1');
  });

  it('an injected duplicate (a raw file copied under another name in its partition): duplicated_raw = its rows, exit 1', async () => {
    // Prepare
    const dir = copyRun('duplicate');
    const file = rawFiles(dir, 'transactions')[0]!;
    const source = join(dir, 'lake', file);
    const copy = source.replace(/([^/]+)$/, 'copy-$1');
    copyFileSync(source, copy);
    // Act
    const r = await reconcileRun(dir);
    // Assess
    expect(r.summary.duplicated_raw).toBe(await rowsOf(source));
    expect(r.summary.lost).toBe(0);
    expect(r.exitCode).toBe(1);
    const sample = r.samples.find((s) => s.kind === 'duplicated_raw');
    expect(sample?.dataset).toBe('transactions');
    expect(sample?.where).toHaveLength(2);
  });

  it('a row moved to another partition: misplaced 1, exit 1; curation quarantines it and nothing is lost in curated', async () => {
    // Prepare
    const dir = copyRun('misplaced');
    const file = rawFiles(dir, 'grid')[0]!;
    const path = join(dir, 'lake', file);
    const [{ id } = { id: '' }] = await duck(
      `SELECT event_id AS id FROM read_parquet(${sqlString(path)}) ORDER BY event_id LIMIT 1`,
    );
    const other = join(dir, 'lake', 'raw', 'grid', 'dt=2020-01-01', 'hr=00');
    mkdirSync(other, { recursive: true });
    const rest = `${path}.rest`;
    await duck(
      `COPY (SELECT * FROM read_parquet(${sqlString(path)}) WHERE event_id <> ${sqlString(String(id))}) TO ${sqlString(rest)} (FORMAT parquet);` +
        `COPY (SELECT * FROM read_parquet(${sqlString(path)}) WHERE event_id = ${sqlString(String(id))}) TO ${sqlString(join(other, 'moved.parquet'))} (FORMAT parquet)`,
    );
    renameSync(rest, path);
    await runCuration({ lake: join(dir, 'lake'), ...CURATION_TEST_DEFAULTS, latenessMs: 365 * 86_400_000 });
    setRun(dir, { curated: true });
    // Act
    const r = await reconcileRun(dir);
    // Assess
    expect(r.summary).toMatchObject({ misplaced: 1, lost: 0, duplicated_raw: 0, duplicated_curated: 0 });
    expect(r.summary.quarantined).toBe(1);
    expect(r.summary.lost_curated).toBe(0);
    expect(r.byDataset.grid!.curated!.quarantine_rules).toEqual({ event_in_its_partition: 1 });
    expect(r.samples.find((s) => s.kind === 'misplaced')?.event_id).toBe(String(id));
    const summary = { ...writeSampleRun(tempDir('reconcile-summary')), reconciliation: r.summary };
    expect(validateJson(JSON.parse(readFileSync(SUMMARY_SCHEMA_FILE, 'utf8')), summary)).toEqual([]);
    expect(r.exitCode).toBe(1);
  });

  it("reads only the raw hours of the run's simulated span (± margin): a copy far off is not read unless asked", async () => {
    // Prepare: workers that tell their span (as a load worker does: here the span of each producer's
    // partition times in the lake), and a copy of a grid file in an hour years before any of them.
    const dir = copyRun('window');
    const spans = new Map(
      (
        await duck(
          `SELECT producer_id AS p, epoch_ms(min(coalesce(forecast_issued_at, event_time)))::DOUBLE AS lo, ` +
            `epoch_ms(max(coalesce(forecast_issued_at, event_time)))::DOUBLE AS hi ` +
            `FROM read_parquet(${sqlString(join(dir, 'lake', 'raw', '*', '*', '*', '*.parquet'))}, union_by_name = true) GROUP BY 1`,
        )
      ).map((r) => [String(r.p), { from: Number(r.lo), to: Number(r.hi) }]),
    );
    for (const f of readdirSync(join(dir, RECONCILE_FILES.workers))) {
      const file = join(dir, RECONCILE_FILES.workers, f);
      const w = JSON.parse(readFileSync(file, 'utf8')) as WorkerFile;
      const datasets = Object.fromEntries(
        Object.entries(w.datasets).map(([d, x]) => {
          const span = spans.get(x.producer_id)!;
          return [d, { ...x, simulated_from_ms: span.from, simulated_to_ms: span.to }];
        }),
      );
      writeFileSync(file, JSON.stringify({ ...w, datasets }));
    }
    const source = rawFiles(dir, 'grid')[0]!;
    const [{ n } = { n: 0 }] = await duck(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(join(dir, 'lake', source))})`,
    );
    const far = join(dir, 'lake', 'raw', 'grid', 'dt=2020-01-01', 'hr=00');
    mkdirSync(far, { recursive: true });
    copyFileSync(join(dir, 'lake', source), join(far, 'copy.parquet'));
    // Act
    const scoped = await reconcileRun(dir, { write: false });
    const whole = await reconcileRun(dir, { write: false, partitionMarginMs: Number.POSITIVE_INFINITY });
    // A margin past the years dt can spell (10^8 hours) reads every hour too, rather than none.
    const huge = await reconcileRun(dir, { write: false, partitionMarginMs: 1e8 * 3_600_000 });
    // Assess: scoped, the copy is left unread and the run is exact; read whole, it is n duplicates, misplaced.
    expect(scoped.byDataset.grid!.files_outside_run).toBe(1);
    expect(scoped.summary).toMatchObject({ lost: 0, duplicated_raw: 0, misplaced: 0 });
    expect(scoped.exitCode).toBe(0);
    expect(Number(n)).toBeGreaterThan(0);
    expect(whole.byDataset.grid!.files_outside_run).toBe(0);
    expect(whole.byDataset.grid!.files).toBe(scoped.byDataset.grid!.files + 1);
    expect(whole.summary).toMatchObject({ lost: 0, duplicated_raw: Number(n), misplaced: Number(n) });
    expect(huge.byDataset.grid!.files).toBe(whole.byDataset.grid!.files);
    expect(huge.summary).toMatchObject({ lost: 0 });
    expect(whole.exitCode).toBe(1);
  });

  it('a compaction in flight (compacted files renamed in, some sources not yet deleted) is no duplicate', async () => {
    // Prepare: the real compaction, then sources put back as they are between its rename and its unlinks.
    const dir = copyRun('compaction');
    const lake = join(dir, 'lake');
    const before = rawFiles(dir, 'grid');
    const aside = tempDir('reconcile-sources');
    for (const f of before) copyFileSync(join(lake, f), join(aside, f.replaceAll('/', '__')));
    const summary = await compactRaw({ lake, datasets: ['grid'], latenessMs: 0, ...CURATION_TEST_DEFAULTS });
    const after = rawFiles(dir, 'grid');
    const dirOf = (f: string) => f.slice(0, f.lastIndexOf('/'));
    const compacted = new Set(after.filter((f) => f.includes(`/${COMPACTED_FILE_PREFIX}`)).map(dirOf));
    // Sources are unlinked in name order: the later half of each compacted partition's is still there.
    const deleted = before.filter((f) => compacted.has(dirOf(f)) && !after.includes(f));
    const restored = [...compacted].flatMap((p) => {
      const mine = deleted.filter((f) => dirOf(f) === p);
      return mine.slice(Math.floor(mine.length / 2));
    });
    for (const f of restored) copyFileSync(join(aside, f.replaceAll('/', '__')), join(lake, f));
    // Act
    const r = await reconcileRun(dir);
    // Assess
    expect(summary.partitions).toBeGreaterThan(0);
    expect(restored.length).toBeGreaterThan(0);
    expect(r.byDataset.grid!.compaction_copies).toBeGreaterThan(0);
    expect(r.summary).toMatchObject({
      sent: TOTAL,
      found_raw: TOTAL,
      lost: 0,
      duplicated_raw: 0,
      misplaced: 0,
    });
    expect(r.exitCode).toBe(0);
  });

  it("waits for the lake's lock while a compaction holds it, then reads", async () => {
    // Prepare
    const dir = copyRun('lock');
    const lock = await acquireLock(join(dir, 'lake'), 'compaction');
    const progress: string[] = [];
    // Act
    const pending = reconcileRun(dir, { onProgress: (l) => progress.push(l) });
    await waitFor(
      'reconcile to wait for the lock',
      () => progress.some((l) => l.includes('lock')) || undefined,
      30_000,
    );
    await lock.release();
    const r = await pending;
    // Assess
    expect(r.summary.lost).toBe(0);
    expect(r.exitCode).toBe(0);
  });

  it('curated duplicates are counted per natural key', async () => {
    // Prepare: a curated data file listed twice by the manifest (as two files)
    const dir = copyRun('curated');
    const lake = join(dir, 'lake');
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS, latenessMs: 365 * 86_400_000 });
    setRun(dir, { curated: true });
    const clean = await reconcileRun(dir, { write: false });
    const manifestPath = join(lake, 'curated', 'transactions', '_manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const [dt, part] = Object.entries(manifest.partitions)[0] as [
      string,
      { location: string; files: { name: string }[] },
    ];
    const original = part.files[0]!;
    const copyName = `copy-${original.name}`;
    copyFileSync(
      join(lake, 'curated', 'transactions', part.location, original.name),
      join(lake, 'curated', 'transactions', part.location, copyName),
    );
    manifest.partitions[dt].files.push({ ...original, name: copyName });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const copied = await rowsOf(join(lake, 'curated', 'transactions', part.location, copyName));
    // Act
    const r = await reconcileRun(dir);
    // Assess
    expect(clean.summary).toMatchObject({ duplicated_curated: 0, lost_curated: 0, quarantined: 0 });
    expect(clean.byDataset.grid!.curated!.keys).toBeGreaterThan(0);
    expect(clean.byDataset.transactions!.curated!.found).toBe(clean.byDataset.transactions!.curated!.keys);
    // Amendments and cancels revise a trade under its key: fewer keys than events, none lost.
    expect(clean.byDataset.transactions!.curated!.keys).toBeLessThan(clean.byDataset.transactions!.sent);
    expect(r.summary.duplicated_curated).toBe(copied);
    expect(r.byDataset.transactions!.curated!.duplicated_curated).toBe(copied);
    expect(r.exitCode).toBe(1);
  });
});

describe('reconcileRun on a bad run folder', () => {
  it('names the worker file and key, with exit code 2', async () => {
    // Prepare
    const dir = copyRun('bad');
    const file = join(dir, RECONCILE_FILES.workers, 'w1.json');
    const w = JSON.parse(readFileSync(file, 'utf8'));
    w.datasets.grid.emitted = -3;
    writeFileSync(file, JSON.stringify(w));
    // Act
    const err = (await reconcileRun(dir).catch((e: unknown) => e)) as RunFolderError;
    // Assess
    expect(err).toBeInstanceOf(RunFolderError);
    expect(err.message).toBe(`${file}: datasets.grid.emitted = -3: a non-negative integer`);
    expect(err.exitCode).toBe(2);
  });

  it('refuses a lake that does not exist instead of reporting every event lost', async () => {
    // Prepare
    const dir = copyRun('nolake');
    rmSync(join(dir, 'lake'), { recursive: true });
    // Act
    const err = (await reconcileRun(dir).catch((e: unknown) => e)) as RunFolderError;
    // Assess
    expect(err).toBeInstanceOf(RunFolderError);
    expect(err.message).toContain(`the lake ${join(dir, 'lake')} does not exist`);
  });
});

describe.skipIf(!hasPython())('reconcileRun on an s3:// lake (moto server)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  beforeAll(async () => {
    moto = await MotoServer.start();
    s3 = createS3Client(moto.endpoint);
  }, 90_000);
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  it('a deleted object shows as lost with its rows, exit 1', async () => {
    // Prepare: the run's lake uploaded to a bucket, one raw object deleted
    const dir = copyRun('s3');
    const bucket = `reconcile-${process.pid}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const url = `s3://${bucket}/lake`;
    const lake = openLakeStorage(url, { s3Client: s3 });
    const local = openLakeStorage(join(dir, 'lake'));
    for (const key of await local.list('raw/')) await lake.putBytes(key, (await local.getBytes(key))!);
    const victim = rawFiles(dir, 'weather')[0]!;
    const held = await rowsOf(join(dir, 'lake', victim));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `lake/${victim}` }));
    await lake.close();
    await local.close();
    setRun(dir, { target: { kind: 'aws', lake: url } });
    // Act
    const r = await reconcileRun(dir, { s3Client: s3 });
    // Assess
    expect(r.lake).toBe(url);
    expect(r.summary.lost).toBe(held);
    expect(r.byDataset.weather!.lost).toBe(held);
    expect(r.summary.found_raw).toBe(TOTAL - held);
    expect(r.lines).toContain(`lost: ${held}`);
    expect(r.exitCode).toBe(1);
  });
});
