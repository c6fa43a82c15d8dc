import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDbSession } from '../../datalake/duckdb/index.js';
import { ident, sqlList, sqlString } from '../../datalake/duckdb/index.js';
import {
  contractFor,
  type Dataset,
  duckDbToHiveType,
  type HiveColumn,
  hiveToDuckDbType,
} from '../../schemas/index.js';
import { DT_COLUMN, MANIFEST_FORMAT, VERSIONS_DIR } from './constants.js';
import { PipelineDefinitionError, StepFailedError } from './errors.js';
import { PARTITION_COLUMN, rawInputDataset, renderStep } from './pipeline.js';
import { checkRawFiles, listRawPartitions, type RawFile } from './rawFiles.js';
import { manifestFiles, readManifest, writeManifest } from './tableManifest.js';
import type {
  CurationProgress,
  ManifestPartition,
  Pipeline,
  PipelineStep,
  SkippedFile,
  TableManifest,
  TableRunSummary,
  TableSchema,
} from './types.js';

/** Per-dataset counters of a run. */
interface DatasetCounters {
  dts: Set<string>;
  files: number;
  rows: number;
  checkedRows: number;
  skipped: SkippedFile[];
}

/** Settings of one run. */
export interface RunSettings {
  readonly lake: string;
  readonly runId: string;
  readonly targetFileSizeBytes: number;
  readonly nowMs: () => number;
  readonly onProgress: (event: CurationProgress) => void;
}

/**
 * The empty relation with a table's columns (used when an input table has no rows yet).
 *
 * @param columns - data columns and partition columns, Hive types
 */
export function emptyRelationSql(columns: readonly HiveColumn[]): string {
  return `SELECT ${columns.map((c) => `CAST(NULL AS ${hiveToDuckDbType(c.type)}) AS ${ident(c.name)}`).join(', ')} WHERE false`;
}

/**
 * The DuckDB SELECT over a published table's files: its data columns plus dt from the folder name.
 * Inside the pipeline dt stays the folder's text (`hive_types_autocast = false`: the steps compare and
 * write partitions by name); analyst views read it as a DATE (`dtAsDate`), the type dt has in every
 * zone (raw views, Glue/Athena tables, Redshift).
 *
 * @param files - absolute paths (or URLs) of the data files
 * @param schema - the table's schema
 * @param options - `dtAsDate` for the analyst-facing views
 */
export function tableScanSql(
  files: readonly string[],
  schema: TableSchema,
  options: { dtAsDate?: boolean } = {},
): string {
  const cols = [...schema.columns, ...schema.partitionKeys];
  const select = (c: HiveColumn) =>
    options.dtAsDate && c.name === DT_COLUMN
      ? `CAST(${ident(c.name)} AS DATE) AS ${ident(c.name)}`
      : ident(c.name);
  if (files.length === 0) {
    const empty = emptyRelationSql(cols);
    return options.dtAsDate ? `SELECT ${cols.map(select).join(', ')} FROM (${empty})` : empty;
  }
  return (
    `SELECT ${cols.map(select).join(', ')} FROM read_parquet(${sqlList(files)}, ` +
    'hive_partitioning = true, hive_types_autocast = false)'
  );
}

/**
 * One curation run on DuckDB: runs the pipeline's steps over the changed raw dts, writes the new
 * partitions into a fresh version folder per table and switches each table's manifest.
 * Created by {@link runCuration}, which owns the lock, the state and the session.
 */
export class DuckDbCurationRun {
  readonly #db: DuckDbSession;
  readonly #pipeline: Pipeline;
  readonly #settings: RunSettings;
  /** Changed dts by relation (raw_<dataset> or step name). */
  readonly #changed = new Map<string, Set<string>>();
  readonly #datasets = new Map<Dataset, DatasetCounters>();
  readonly #tables: Record<string, TableRunSummary> = {};
  readonly #skipped: SkippedFile[] = [];

  /**
   * @param db - the run's DuckDB session
   * @param pipeline - the loaded pipeline
   * @param settings - lake, run id, file size, clock, progress
   * @param rawChanges - changed dts per dataset (from the incremental state)
   */
  public constructor(
    db: DuckDbSession,
    pipeline: Pipeline,
    settings: RunSettings,
    rawChanges: ReadonlyMap<Dataset, ReadonlySet<string>>,
  ) {
    this.#db = db;
    this.#pipeline = pipeline;
    this.#settings = settings;
    for (const [d, dts] of rawChanges) {
      if (dts.size === 0) continue;
      this.#changed.set(`raw_${d}`, new Set(dts));
      this.#datasets.set(d, { dts: new Set(dts), files: 0, rows: 0, checkedRows: 0, skipped: [] });
    }
  }

  /** Per-dataset counters, after {@link run}. */
  public get datasets(): ReadonlyMap<Dataset, DatasetCounters> {
    return this.#datasets;
  }

  /** Per-table results, after {@link run}. */
  public get tables(): Readonly<Record<string, TableRunSummary>> {
    return this.#tables;
  }

  /** Every skipped raw file. */
  public get skippedFiles(): readonly SkippedFile[] {
    return this.#skipped;
  }

  /** Runs every step in pipeline order. */
  public async run(): Promise<void> {
    const steps = this.#pipeline.steps;
    let i = 0;
    while (i < steps.length) {
      const step = steps[i]!;
      if (step.table) {
        await this.#runGroup(undefined, [step]);
        i++;
        continue;
      }
      const readers: PipelineStep[] = [];
      let j = i + 1;
      while (j < steps.length && steps[j]!.inputs.includes(step.name)) readers.push(steps[j++]!);
      await this.#runGroup(step, readers);
      i = j;
    }
  }

  #tableDir(step: PipelineStep): string {
    return join(this.#settings.lake, step.table!.zone, step.table!.name);
  }

  #schema(step: PipelineStep): TableSchema {
    const s = this.#pipeline.tables[step.name];
    if (!s) throw new PipelineDefinitionError(`tables.json has no schema for ${step.name}`);
    return s;
  }

  async #runGroup(working: PipelineStep | undefined, tables: readonly PipelineStep[]): Promise<void> {
    const triggers = new Set<string>([
      ...(working?.inputs ?? []),
      ...tables.flatMap((t) => t.inputs.filter((x) => x !== working?.name)),
    ]);
    const target = new Set<string>();
    for (const t of triggers) for (const dt of this.#changed.get(t) ?? []) target.add(dt);
    if (target.size === 0) {
      for (const t of tables) this.#changed.set(t.name, new Set());
      return;
    }
    const mode = working?.mode ?? tables[0]!.mode;
    if (mode === 'aligned') await this.#runAligned(working, tables, [...target].sort());
    else await this.#runFull(working, tables);
  }

  /** Registers a step's inputs (raw or published) restricted to `dts`, or whole when undefined. */
  async #registerInputs(step: PipelineStep, dts: ReadonlySet<string> | undefined): Promise<void> {
    for (const input of step.inputs) {
      const dataset = rawInputDataset(input);
      if (dataset) await this.#registerRaw(dataset, dts);
      else {
        const source = this.#pipeline.steps.find((s) => s.name === input)!;
        if (source.table) await this.#registerTable(source, input, dts);
      }
    }
  }

  async #registerTable(
    source: PipelineStep,
    viewName: string,
    dts: ReadonlySet<string> | undefined,
  ): Promise<void> {
    const dir = this.#tableDir(source);
    const manifest = await readManifest(dir);
    const files = manifest ? manifestFiles(dir, manifest, dts) : [];
    await this.#db.connection.run(
      `CREATE OR REPLACE TEMP VIEW ${ident(viewName)} AS ${tableScanSql(files, this.#schema(source))}`,
    );
  }

  async #rawFilesOf(dataset: Dataset, dts: ReadonlySet<string> | undefined): Promise<RawFile[]> {
    const from = dts ? `${[...dts].sort()[0]}T00` : undefined;
    const partitions = await listRawPartitions(this.#settings.lake, dataset, from);
    return partitions.filter((p) => !dts || dts.has(p.dt)).flatMap((p) => p.files);
  }

  async #registerRaw(
    dataset: Dataset,
    dts: ReadonlySet<string> | undefined,
    exclude: ReadonlySet<string> = new Set(),
  ): Promise<readonly RawFile[]> {
    const counters = this.#datasets.get(dataset)!;
    const files = (await this.#rawFilesOf(dataset, dts)).filter((f) => !exclude.has(f.path));
    const check = await checkRawFiles(this.#db, dataset, files);
    for (const s of check.skipped) {
      counters.skipped.push(s);
      this.#skipped.push(s);
      this.#settings.onProgress({ step: `raw_${dataset}`, message: `skipped ${s.file}: ${s.reason}` });
    }
    const contract = contractFor(dataset);
    const cols = contract.columns.map((c, i) => {
      const t = contract.duckDbColumns[i]!.type;
      return check.presentColumns.has(c.name)
        ? `CAST(${ident(c.name)} AS ${t}) AS ${ident(c.name)}`
        : `CAST(NULL AS ${t}) AS ${ident(c.name)}`;
    });
    const view =
      check.usable.length === 0
        ? `${emptyRelationSql(contract.columns)}`.replace(
            ' WHERE false',
            ', CAST(NULL AS VARCHAR) AS ingest_path WHERE false',
          )
        : `SELECT ${cols.join(', ')}, filename AS ingest_path FROM read_parquet(${sqlList(check.usable.map((f) => f.path))}, ` +
          'filename = true, union_by_name = true, hive_partitioning = false)';
    await this.#db.connection.run(`CREATE OR REPLACE TEMP VIEW ${ident(`raw_${dataset}`)} AS ${view}`);
    return check.usable;
  }

  /**
   * Materializes a working step. A data page that fails to decode only shows when it is read: the
   * files are then read one by one, the unreadable ones skipped (named), and the step retried.
   */
  async #materializeWorking(working: PipelineStep, dts: ReadonlySet<string> | undefined): Promise<void> {
    const sql = renderStep(this.#pipeline, working, 'duckdb');
    const dataset = working.inputs.map(rawInputDataset).find((d) => d !== undefined);
    let usable: RawFile[] = [];
    if (dataset) usable = [...(await this.#registerRaw(dataset, dts))];
    else await this.#registerInputs(working, dts);
    try {
      await this.#db.connection.run(`CREATE OR REPLACE TEMP TABLE ${ident(working.name)} AS ${sql}`);
    } catch (err) {
      if (!dataset) throw new StepFailedError(working.name, (err as Error).message, { cause: err });
      const bad = await this.#unreadable(usable);
      if (bad.length === 0) throw new StepFailedError(working.name, (err as Error).message, { cause: err });
      const counters = this.#datasets.get(dataset)!;
      for (const f of bad) {
        const s = { file: f.file.key, reason: `unreadable Parquet data: ${f.reason}` };
        counters.skipped.push(s);
        this.#skipped.push(s);
        this.#settings.onProgress({ step: working.name, message: `skipped ${s.file}: ${s.reason}` });
      }
      usable = [...(await this.#registerRaw(dataset, dts, new Set(bad.map((b) => b.file.path))))];
      await this.#db.connection.run(`CREATE OR REPLACE TEMP TABLE ${ident(working.name)} AS ${sql}`);
    }
    if (dataset) {
      const counters = this.#datasets.get(dataset)!;
      const [raw] = await this.#db.rows(`SELECT count(*) AS n FROM ${ident(`raw_${dataset}`)}`);
      const [checked] = await this.#db.rows(`SELECT count(*) AS n FROM ${ident(working.name)}`);
      counters.rows += Number(raw!.n);
      counters.checkedRows += Number(checked!.n);
      counters.files += usable.length;
    }
  }

  async #unreadable(files: readonly RawFile[]): Promise<{ file: RawFile; reason: string }[]> {
    const bad: { file: RawFile; reason: string }[] = [];
    for (const f of files) {
      try {
        await this.#db.rows(`SELECT max(COLUMNS(*)) FROM read_parquet(${sqlString(f.path)})`);
      } catch (err) {
        bad.push({ file: f, reason: String((err as Error).message).split('\n')[0]! });
      }
    }
    return bad;
  }

  async #runAligned(
    working: PipelineStep | undefined,
    tables: readonly PipelineStep[],
    dts: string[],
  ): Promise<void> {
    const written = new Map<string, Map<string, ManifestPartition | null>>(
      tables.map((t) => [t.name, new Map()]),
    );
    for (const dt of dts) {
      const only = new Set([dt]);
      this.#settings.onProgress({ step: working?.name ?? tables[0]!.name, message: `dt=${dt}` });
      if (working) await this.#materializeWorking(working, only);
      for (const t of tables) {
        await this.#registerInputs(t, only);
        const src = `(${renderStep(this.#pipeline, t, 'duckdb')})`;
        written.get(t.name)!.set(dt, await this.#writePartition(t, src, dt, only));
      }
      if (working) await this.#db.connection.run(`DROP TABLE IF EXISTS ${ident(working.name)}`);
    }
    for (const t of tables) await this.#publish(t, written.get(t.name)!);
  }

  async #runFull(working: PipelineStep | undefined, tables: readonly PipelineStep[]): Promise<void> {
    if (working) await this.#materializeWorking(working, undefined);
    for (const t of tables) {
      await this.#registerInputs(t, undefined);
      const out = `__out_${t.name}`;
      const cur = `__current_${t.name}`;
      await this.#db.connection.run(
        `CREATE OR REPLACE TEMP TABLE ${ident(out)} AS ${renderStep(this.#pipeline, t, 'duckdb')}`,
      );
      await this.#registerTable(t, cur, undefined);
      const cols = this.#columnsOf(t)
        .map((c) => ident(c.name))
        .join(', ');
      const diff = await this.#db.rows(
        `SELECT DISTINCT dt FROM ((SELECT ${cols} FROM ${ident(out)} EXCEPT ALL SELECT ${cols} FROM ${ident(cur)}) ` +
          `UNION ALL (SELECT ${cols} FROM ${ident(cur)} EXCEPT ALL SELECT ${cols} FROM ${ident(out)})) ORDER BY dt`,
      );
      const written = new Map<string, ManifestPartition | null>();
      for (const r of diff) {
        const dt = String(r.dt);
        written.set(dt, await this.#writePartition(t, ident(out), dt, undefined));
      }
      await this.#publish(t, written);
      await this.#db.connection.run(`DROP TABLE IF EXISTS ${ident(out)}`);
    }
    if (working) await this.#db.connection.run(`DROP TABLE IF EXISTS ${ident(working.name)}`);
  }

  #columnsOf(step: PipelineStep): HiveColumn[] {
    const s = this.#schema(step);
    return [...s.columns, ...s.partitionKeys];
  }

  async #checkSchema(step: PipelineStep, src: string): Promise<void> {
    const described = await this.#db.rows(`DESCRIBE SELECT * FROM ${src}`);
    const got = described
      .map((r) => `${r.column_name}:${duckDbToHiveType(String(r.column_type))}`)
      .join(', ');
    const want = this.#columnsOf(step)
      .map((c) => `${c.name}:${c.type}`)
      .join(', ');
    if (got !== want) {
      throw new PipelineDefinitionError(
        `${step.sql} returns (${got}) but tables.json says (${want}): regenerate tables.json (stream-processors/curation/writeGenerated.ts)`,
      );
    }
  }

  /**
   * Writes one dt partition of a step into `versions/<runId>/dt=<dt>/` at the target file size.
   *
   * @returns the manifest entry, or null when the partition has no rows (it is removed)
   */
  async #writePartition(
    step: PipelineStep,
    src: string,
    dt: string,
    expected: ReadonlySet<string> | undefined,
  ): Promise<ManifestPartition | null> {
    await this.#checkSchema(step, src);
    const counts = await this.#db.rows(`SELECT dt, count(*) AS n FROM ${src} GROUP BY dt`);
    if (expected) {
      const stray = counts.filter((r) => !expected.has(String(r.dt)));
      if (stray.length > 0) {
        // An aligned step must only produce rows of the partitions it read: anything else would
        // overwrite a partition with a fragment. A SQL defect, never silently dropped.
        throw new StepFailedError(
          step.name,
          `produced rows for dt ${stray.map((r) => `${r.dt} (${r.n})`).join(', ')} while curating dt ${[...expected].join(', ')}`,
        );
      }
    }
    const rows = Number(counts.find((r) => String(r.dt) === dt)?.n ?? 0);
    if (rows === 0) return null;
    const schema = this.#schema(step);
    const location = `${VERSIONS_DIR}/${this.#settings.runId}/${DT_COLUMN}=${dt}`;
    const dir = join(this.#tableDir(step), location);
    await mkdir(dirname(dir), { recursive: true });
    const order =
      step.sortBy && step.sortBy.length > 0 ? ` ORDER BY ${step.sortBy.map(ident).join(', ')}` : '';
    const stats = await this.#db.rows(
      `COPY (SELECT ${schema.columns.map((c) => ident(c.name)).join(', ')} FROM ${src} WHERE dt = ${sqlString(dt)}${order}) ` +
        `TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION snappy, FILE_SIZE_BYTES ${this.#settings.targetFileSizeBytes}, ` +
        `FILENAME_PATTERN 'part-{i}', RETURN_STATS)`,
    );
    const files = stats
      .map((s) => ({
        name: String(s.filename).split('/').pop()!,
        bytes: Number(s.file_size_bytes),
        rows: Number(s.count),
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    const written = files.reduce((n, f) => n + f.rows, 0);
    if (written !== rows) {
      throw new StepFailedError(step.name, `wrote ${written} rows for dt ${dt}, expected ${rows}`);
    }
    return { location, files, rows, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  }

  /** Switches a table's manifest to its new partitions (one atomic rename). */
  async #publish(step: PipelineStep, all: ReadonlyMap<string, ManifestPartition | null>): Promise<void> {
    const dir = this.#tableDir(step);
    const old = await readManifest(dir);
    // Removing a partition that does not exist changes nothing: not a publish.
    const written = new Map(
      [...all].filter(([dt, entry]) => entry !== null || old?.partitions[dt] !== undefined),
    );
    this.#changed.set(step.name, new Set(written.keys()));
    if (written.size === 0) return;
    const now = new Date(this.#settings.nowMs()).toISOString();
    const partitions: Record<string, ManifestPartition> = { ...(old?.partitions ?? {}) };
    const superseded = [...(old?.superseded ?? [])];
    for (const [dt, entry] of written) {
      const previous = partitions[dt];
      if (previous) superseded.push({ location: previous.location, since: now });
      if (entry) partitions[dt] = entry;
      else delete partitions[dt];
    }
    const schema = this.#schema(step);
    const manifest: TableManifest = {
      format: MANIFEST_FORMAT,
      table: `${step.table!.zone}/${step.table!.name}`,
      version: (old?.version ?? 0) + 1,
      runId: this.#settings.runId,
      publishedAt: now,
      engine: 'duckdb',
      columns: schema.columns,
      partitionKeys: [PARTITION_COLUMN],
      partitions,
      superseded,
    };
    await writeManifest(dir, manifest);
    const entries = [...written.values()].filter((e): e is ManifestPartition => e !== null);
    this.#tables[step.name] = {
      dts: [...written.keys()].sort(),
      rows: entries.reduce((n, e) => n + e.rows, 0),
      files: entries.reduce((n, e) => n + e.files.length, 0),
      bytes: entries.reduce((n, e) => n + e.bytes, 0),
      version: manifest.version,
    };
    this.#settings.onProgress({
      step: step.name,
      message: `published version ${manifest.version}: ${written.size} dt partition(s), ${this.#tables[step.name]!.rows} rows`,
    });
  }
}
