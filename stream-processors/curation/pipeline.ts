import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractFor, DATASETS, type Dataset, isDataset } from '../../schemas/index.js';
import { DT_COLUMN, SQL_CURATED_DIR } from './constants.js';
import { PipelineDefinitionError } from './errors.js';
import { compileQualityRules } from './qualityRules.js';
import { renderTemplate } from './sqlTemplate.js';
import type {
  DialectMacro,
  Engine,
  NaturalKey,
  Pipeline,
  PipelineStep,
  QualityRule,
  TableSchema,
} from './types.js';

/** Files of sql/curated besides the step SQL. */
export const PIPELINE_FILES = {
  pipeline: 'pipeline.json',
  qualityRules: 'quality_rules.json',
  dialects: 'dialects.json',
  tables: 'tables.json',
  /** Generated: every step rendered for both engines (what the Glue job runs). */
  rendered: 'pipeline.rendered.json',
} as const;

function readJson(dir: string, file: string): unknown {
  const path = join(dir, file);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PipelineDefinitionError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The relation a step input names: `raw_<dataset>` for the raw zone, else a step.
 *
 * @param input - input name
 * @returns the dataset for a raw input, undefined otherwise
 */
export function rawInputDataset(input: string): Dataset | undefined {
  if (!input.startsWith('raw_')) return undefined;
  const d = input.slice(4);
  return isDataset(d) ? d : undefined;
}

function validate(steps: readonly PipelineStep[], sqlDir: string): void {
  const byName = new Map<string, PipelineStep>();
  steps.forEach((s, i) => {
    if (!/^[a-z][a-z0-9_]*$/.test(s.name))
      throw new PipelineDefinitionError(`step name ${JSON.stringify(s.name)} is invalid`);
    if (byName.has(s.name)) throw new PipelineDefinitionError(`step ${s.name} is declared twice`);
    if (s.mode !== 'aligned' && s.mode !== 'full') {
      throw new PipelineDefinitionError(
        `step ${s.name}: mode must be aligned or full, got ${JSON.stringify(s.mode)}`,
      );
    }
    if (!existsSync(join(sqlDir, s.sql)))
      throw new PipelineDefinitionError(`step ${s.name}: ${s.sql} does not exist`);
    if (s.table && `${s.table.zone}_${s.table.name}` !== s.name) {
      throw new PipelineDefinitionError(
        `step ${s.name} publishes ${s.table.zone}/${s.table.name}: its name must be ${s.table.zone}_${s.table.name}`,
      );
    }
    if (s.dataset !== undefined && !isDataset(s.dataset)) {
      throw new PipelineDefinitionError(`step ${s.name}: unknown dataset ${JSON.stringify(s.dataset)}`);
    }
    for (const input of s.inputs) {
      if (rawInputDataset(input)) continue;
      const source = byName.get(input);
      if (!source)
        throw new PipelineDefinitionError(
          `step ${s.name}: input ${input} is not raw_<dataset> or an earlier step`,
        );
      if (!source.table) {
        // A working table exists only while its consumers run: they must follow it directly and
        // agree on the mode (an aligned working table holds one dt at a time).
        if (source.mode !== s.mode) {
          throw new PipelineDefinitionError(
            `step ${s.name} (${s.mode}) cannot read working table ${input} (${source.mode})`,
          );
        }
        const between = steps.slice(steps.indexOf(source) + 1, i);
        if (between.some((b) => !b.inputs.includes(input))) {
          throw new PipelineDefinitionError(
            `step ${s.name} must directly follow ${input} (with its other readers)`,
          );
        }
      }
    }
    byName.set(s.name, s);
  });
}

/**
 * Loads pipeline.json with its SQL, quality rules, dialect shim and table schemas.
 *
 * @param dir - sql/curated (default: the repository's)
 * @param options - `withoutTables` while tables.json is being generated
 * @throws PipelineDefinitionError naming the file and the problem
 */
export function loadPipeline(
  dir: string = SQL_CURATED_DIR,
  options: { withoutTables?: boolean } = {},
): Pipeline {
  const spec = readJson(dir, PIPELINE_FILES.pipeline) as {
    params?: Record<string, string | number>;
    naturalKeys?: Partial<Record<Dataset, NaturalKey>>;
    steps?: PipelineStep[];
  };
  const steps = spec.steps ?? [];
  validate(steps, dir);
  const rules = readJson(dir, PIPELINE_FILES.qualityRules) as Record<string, QualityRule[]>;
  const qualityRules = Object.fromEntries(DATASETS.map((d) => [d, rules[d] ?? []])) as Record<
    Dataset,
    QualityRule[]
  >;
  const dialects = readJson(dir, PIPELINE_FILES.dialects) as { macros?: Record<string, DialectMacro> };
  const tables =
    options.withoutTables || !existsSync(join(dir, PIPELINE_FILES.tables))
      ? {}
      : (readJson(dir, PIPELINE_FILES.tables) as { tables: Record<string, TableSchema> }).tables;
  for (const s of steps) {
    if (s.table && !options.withoutTables && !tables[s.name]) {
      throw new PipelineDefinitionError(
        `tables.json has no schema for ${s.name}: regenerate it (see stream-processors/curation/writeGenerated.ts)`,
      );
    }
  }
  const naturalKeys = Object.fromEntries(
    DATASETS.map((d) => [d, validateNaturalKey(d, spec.naturalKeys?.[d])]),
  ) as Record<Dataset, NaturalKey>;
  return {
    dir,
    params: spec.params ?? {},
    naturalKeys,
    steps,
    sqlText: Object.fromEntries(steps.map((s) => [s.name, readFileSync(join(dir, s.sql), 'utf8')])),
    qualityRules,
    macros: dialects.macros ?? {},
    tables,
  };
}

function validateNaturalKey(dataset: Dataset, key: NaturalKey | undefined): NaturalKey {
  if (!key || !Array.isArray(key.columns) || key.columns.length === 0) {
    throw new PipelineDefinitionError(`pipeline.json naturalKeys.${dataset} needs a non-empty columns list`);
  }
  if (!Array.isArray(key.latestFirst) || key.latestFirst.length === 0) {
    throw new PipelineDefinitionError(
      `pipeline.json naturalKeys.${dataset} needs a non-empty latestFirst list`,
    );
  }
  for (const t of key.latestFirst) {
    if (!/^[a-z_][a-z0-9_]* (ASC|DESC)$/.test(t)) {
      throw new PipelineDefinitionError(
        `pipeline.json naturalKeys.${dataset}.latestFirst: ${JSON.stringify(t)} is not "<column> ASC|DESC"`,
      );
    }
  }
  return key;
}

/**
 * The order that picks a natural key's winner: the dataset's `latestFirst` terms, then the latest
 * ingest file, then event_id (unique after the event_id dedup), all NULLS LAST: a total order, so
 * DuckDB and Spark keep the same row.
 *
 * @param key - the dataset's natural key
 */
export function latestFirstSql(key: NaturalKey): string {
  return [...key.latestFirst, 'ingest_file DESC', 'event_id DESC'].map((t) => `${t} NULLS LAST`).join(', ');
}

/**
 * The latest-ingest order of a dataset's duplicates: greatest produced_at, then greatest ingest file
 * name, then every other contract column (a total order, so both engines keep the same row).
 *
 * @param dataset - dataset of the step
 */
export function ingestOrderSql(dataset: Dataset): string {
  const rest = contractFor(dataset)
    .columns.map((c) => c.name)
    .filter((n) => n !== 'event_id' && n !== 'produced_at');
  return [
    'produced_at DESC NULLS LAST',
    'ingest_file DESC NULLS LAST',
    ...rest.map((n) => `${n} DESC NULLS LAST`),
  ].join(', ');
}

/**
 * A step's SELECT, rendered for an engine.
 *
 * @param pipeline - the loaded pipeline
 * @param step - the step
 * @param engine - `duckdb` or `spark`
 */
export function renderStep(pipeline: Pipeline, step: PipelineStep, engine: Engine): string {
  const values: Record<string, string> = Object.fromEntries(
    Object.entries(pipeline.params).map(([k, v]) => [k, String(v)]),
  );
  if (step.dataset) {
    const dq = compileQualityRules(pipeline.qualityRules[step.dataset], engine);
    values.dq_rule = dq.first;
    values.dq_rules = dq.all;
    values.dq_reason = dq.reason;
    values.ingest_order = ingestOrderSql(step.dataset);
    const key = pipeline.naturalKeys[step.dataset];
    values.natural_key = key.columns.join(', ');
    values.latest_first = latestFirstSql(key);
  }
  return renderTemplate(pipeline.sqlText[step.name]!, {
    engine,
    macros: pipeline.macros,
    values,
    source: step.sql,
  });
}

/** Published steps, in pipeline order. */
export function tableSteps(pipeline: Pipeline): PipelineStep[] {
  return pipeline.steps.filter((s) => s.table !== undefined);
}

/** The dt partition column every published table has. */
export const PARTITION_COLUMN = { name: DT_COLUMN, type: 'string', comment: 'UTC date, yyyy-MM-dd' } as const;
