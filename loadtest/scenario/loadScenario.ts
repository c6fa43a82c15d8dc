import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { KafkaSaslMechanism } from '../../kafka/kafkaConnection.js';
import { parseBrokers } from '../../kafka/parseBrokers.js';
import {
  type AvroEnum,
  DATASETS,
  type Dataset,
  type JsonSchema,
  readCurrentSchema,
  validateJson,
} from '../../schemas/index.js';
import {
  COUNT_METRIC_PREFIXES,
  DURATION_METRIC_PREFIXES,
  ERCOT_DAILY_LOAD_SHAPE,
  MIX_FIELDS,
  SCENARIO_DIR,
  SCENARIO_SCHEMA_FILE,
  STAGE_KINDS,
} from '../constants.js';
import { ScenarioError } from '../errors.js';
import { parseDuration } from './parseDuration.js';
import type { DatasetLoad, Scenario, Stage, Target, Threshold } from './types.js';

/** Path segments of a key in the parsed document. */
type KeyPath = readonly (string | number)[];

/** A value read from the YAML document (JSON-compatible). */
type Json = Record<string, unknown>;

/** Error sink of one file: builds the ScenarioError with the key's dotted name and its line. */
interface Reporter {
  fail(path: KeyPath, reason: string, value?: unknown): never;
}

/**
 * The shipped scenarios (`loadtest/scenarios/*.yaml`), by name.
 *
 * @param dir - folder to list (tests point it elsewhere)
 */
export function shippedScenarios(dir: string = SCENARIO_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Resolves SCENARIO as `gridstream loadtest run` takes it: a file path, or the name of a shipped
 * scenario.
 *
 * @param nameOrPath - `smoke`, `knee`, or a path to a `.yaml` file
 * @param dir - folder of the shipped scenarios
 * @throws ScenarioError when it is neither
 */
export function resolveScenarioPath(nameOrPath: string, dir: string = SCENARIO_DIR): string {
  if (existsSync(nameOrPath) && extname(nameOrPath) !== '') return nameOrPath;
  if (/^[a-z0-9][a-z0-9-]*$/.test(nameOrPath)) {
    const shipped = join(dir, `${nameOrPath}.yaml`);
    if (existsSync(shipped)) return shipped;
  }
  throw new ScenarioError(
    nameOrPath,
    '',
    undefined,
    `no such file, and no shipped scenario of that name (shipped: ${shippedScenarios(dir).join(', ')})`,
  );
}

/**
 * Reads, validates and normalises a scenario: YAML → the JSON Schema of
 * `loadtest/scenario/scenario.schema.json` → the checks a schema cannot state (shares ≤ 1, a spike inside
 * its stage, thresholds naming existing datasets and stages, mix keys that are the contract's symbols).
 *
 * @param nameOrPath - a shipped scenario's name or a file path
 * @param dir - folder of the shipped scenarios
 * @returns the scenario with defaults applied and durations in milliseconds
 * @throws ScenarioError naming the file, the key (with its line) and the value received
 * @example
 * ```ts
 * const scenario = loadScenario('smoke');
 * scenario.datasets.grid?.profile[0]?.durationMs; // 20_000
 * ```
 */
export function loadScenario(nameOrPath: string, dir: string = SCENARIO_DIR): Scenario {
  const file = resolveScenarioPath(nameOrPath, dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, '', undefined, `cannot read: ${(err as Error).message}`);
  }
  return parseScenario(text, file);
}

/**
 * Validates and normalises scenario text (see {@link loadScenario}).
 *
 * @param text - YAML text
 * @param file - file name used in errors and as the scenario's name
 * @throws ScenarioError naming the file, the key and the value
 */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ScenarioError(file, '', undefined, `not valid YAML: ${first.message.split('\n')[0]}`, line);
  }
  const lineOf = (path: KeyPath): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  const reporter: Reporter = {
    fail(path, reason, value) {
      throw new ScenarioError(file, dotted(path), value, reason, lineOf(path));
    },
  };
  if (!isMap(doc.contents))
    reporter.fail([], 'a scenario is a YAML mapping (target, datasets, …)', doc.toJS());
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  checkSchema(raw, reporter);
  return normalise(raw as Json, file, reporter);
}

function dotted(path: KeyPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function fromPointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p];
  return v;
}

let schemaCache: JsonSchema | undefined;

/** The scenario JSON Schema. */
export function scenarioSchema(): JsonSchema {
  schemaCache ??= JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')) as JsonSchema;
  return schemaCache;
}

/**
 * Validates against the JSON Schema. The schema's `stage` is a `oneOf` discriminated by `kind`; the
 * project's validator (schemas/jsonSchema.ts) has no `oneOf`, and a `oneOf` failure would name every
 * branch anyway, so a stage is checked against the one branch its `kind` names.
 */
function checkSchema(raw: unknown, reporter: Reporter): void {
  const schema = scenarioSchema();
  const defs = schema.$defs as Record<string, JsonSchema>;
  const outer: JsonSchema = {
    ...schema,
    $defs: {
      ...defs,
      stage: { type: 'object', required: ['kind'], properties: { kind: { enum: [...STAGE_KINDS] } } },
    },
  };
  const report = (issues: ReturnType<typeof validateJson>, prefix: KeyPath): void => {
    const issue = issues[0];
    if (!issue) return;
    const path = [...prefix, ...fromPointer(issue.path)];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue(s))` : '';
    reporter.fail(path, `${issue.message}${more}`, valueAt(raw, path));
  };
  report(validateJson(outer, raw), []);
  const datasets = ((raw as Json).datasets ?? {}) as Record<string, Json>;
  for (const [dataset, load] of Object.entries(datasets)) {
    for (const [i, stage] of ((load.profile ?? []) as Json[]).entries()) {
      const branch = { ...defs[`stage_${String(stage.kind)}`], $defs: defs };
      report(validateJson(branch, stage), ['datasets', dataset, 'profile', i]);
    }
  }
}

function duration(value: unknown, path: KeyPath, reporter: Reporter, positive = true): number {
  const ms = parseDuration(value);
  if (ms === undefined) reporter.fail(path, 'not a duration (seconds, or e.g. 250ms, 30s, 5m, 1h30m)', value);
  if (positive && ms <= 0) reporter.fail(path, 'must be longer than 0', value);
  return ms;
}

function share(value: unknown, path: KeyPath, reporter: Reporter): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || value < 0 || value > 1)
    reporter.fail(path, 'must be a fraction in [0, 1]', value);
  return value;
}

const mixSymbolCache = new Map<Dataset, readonly string[]>();

/** The enum symbols a dataset's mix weighs (from its current Avro contract). */
export function mixSymbols(dataset: Dataset): readonly string[] {
  let symbols = mixSymbolCache.get(dataset);
  if (!symbols) {
    const field = readCurrentSchema(dataset).fields.find((f) => f.name === MIX_FIELDS[dataset]);
    symbols = (field?.type as AvroEnum | undefined)?.symbols ?? [];
    mixSymbolCache.set(dataset, symbols);
  }
  return symbols;
}

function normalise(raw: Json, file: string, reporter: Reporter): Scenario {
  const t = raw.target as Json;
  if (t.endpoint !== undefined && t.kind !== 'kinesis') {
    reporter.fail(
      ['target', 'endpoint'],
      `only a kinesis target takes an endpoint (target.kind is ${t.kind})`,
      t.endpoint,
    );
  }
  if (t.enforce_shard_limits !== undefined && t.kind !== 'embedded') {
    reporter.fail(
      ['target', 'enforce_shard_limits'],
      'only the embedded target enforces shard limits',
      t.enforce_shard_limits,
    );
  }
  for (const key of ['brokers', 'partitions', 'tls', 'sasl'] as const) {
    if (t[key] !== undefined && t.kind !== 'kafka')
      reporter.fail(['target', key], `only a kafka target takes ${key} (target.kind is ${t.kind})`, t[key]);
  }
  for (const key of ['tls', 'sasl'] as const) {
    if (t[key] !== undefined && t.kind === 'kafka' && t.brokers === undefined)
      reporter.fail(
        ['target', key],
        `${key} is for an external cluster (target.brokers); the embedded broker takes plaintext clients`,
        t[key],
      );
  }
  let brokers: string[] | undefined;
  if (typeof t.brokers === 'string') {
    try {
      brokers = parseBrokers(t.brokers);
    } catch (err) {
      reporter.fail(['target', 'brokers'], (err as Error).message, t.brokers);
    }
  }
  const target: Target = {
    kind: t.kind as Target['kind'],
    ...(brokers ? { brokers } : {}),
    ...(t.partitions === undefined ? {} : { partitions: t.partitions as number }),
    ...(t.tls === undefined ? {} : { tls: t.tls as boolean }),
    ...(t.sasl === undefined ? {} : { sasl: t.sasl as KafkaSaslMechanism }),
    enforceShardLimits: t.enforce_shard_limits === true,
    ...(t.endpoint === undefined ? {} : { endpoint: t.endpoint as string }),
    ...(t.region === undefined ? {} : { region: t.region as string }),
    ...(t.stream_prefix === undefined ? {} : { streamPrefix: t.stream_prefix as string }),
    ...(t.env === undefined ? {} : { env: t.env as string }),
    ...(t.shards === undefined ? {} : { shards: t.shards as number }),
  };

  const rawDatasets = raw.datasets as Record<string, Json>;
  if (Object.keys(rawDatasets).length === 0)
    reporter.fail(['datasets'], 'at least one dataset needs a profile', {});
  const datasets: Partial<Record<Dataset, DatasetLoad>> = {};
  for (const dataset of DATASETS) {
    const load = rawDatasets[dataset];
    if (load) datasets[dataset] = normaliseDataset(dataset, load, reporter);
  }

  const rawThresholds = (raw.thresholds ?? []) as Json[];
  const thresholds = rawThresholds.map((th, i) =>
    normaliseThreshold(th, ['thresholds', i], datasets, reporter),
  );
  const names = new Set<string>();
  for (const [i, th] of thresholds.entries()) {
    if (names.has(th.name))
      reporter.fail(['thresholds', i, 'name'], 'two thresholds have this name', th.name);
    names.add(th.name);
  }
  for (const [dataset, load] of Object.entries(datasets)) {
    for (const [i, stage] of load.profile.entries()) {
      if (stage.kind !== 'search') continue;
      for (const [j, n] of stage.until.entries()) {
        if (!names.has(n)) {
          reporter.fail(
            ['datasets', dataset, 'profile', i, 'until', j],
            `names no threshold (thresholds: ${[...names].join(', ') || 'none'})`,
            n,
          );
        }
      }
      if (stage.until.length === 0 && thresholds.length === 0) {
        reporter.fail(
          ['datasets', dataset, 'profile', i],
          'a search stage needs thresholds: their breach is the knee',
          undefined,
        );
      }
    }
  }
  const cost = (raw.cost ?? {}) as Json;
  return {
    name: basename(file).replace(/\.ya?ml$/, ''),
    file,
    ...(raw.description === undefined ? {} : { description: raw.description as string }),
    seed: (raw.seed as number | undefined) ?? 1,
    workers: (raw.workers as number | undefined) ?? 1,
    target,
    datasets,
    thresholds,
    cost: {
      kinesisMode: (cost.kinesis_mode as 'on_demand' | 'provisioned' | undefined) ?? 'on_demand',
      probeQueriesPerHour: (cost.probe_queries_per_hour as number | undefined) ?? 60,
    },
  };
}

function normaliseDataset(dataset: Dataset, load: Json, reporter: Reporter): DatasetLoad {
  const at = (...rest: (string | number)[]): KeyPath => ['datasets', dataset, ...rest];
  const profile = (load.profile as Json[]).map((s, i) => normaliseStage(s, i, at('profile', i), reporter));
  const seen = new Set<string>();
  for (const [i, s] of profile.entries()) {
    if (seen.has(s.name))
      reporter.fail(at('profile', i, 'name'), 'two stages of this dataset have this name', s.name);
    seen.add(s.name);
  }
  let mix: Record<string, number> | undefined;
  if (load.mix !== undefined) {
    const weights = load.mix as Record<string, number>;
    const symbols = mixSymbols(dataset);
    for (const key of Object.keys(weights)) {
      if (!symbols.includes(key)) {
        reporter.fail(
          at('mix', key),
          `not a ${MIX_FIELDS[dataset]} of ${dataset} (one of ${symbols.join(', ')})`,
          key,
        );
      }
    }
    const sum = Object.values(weights).reduce((a, b) => a + b, 0);
    if (!(sum > 0)) reporter.fail(at('mix'), 'the weights must add up to more than 0', weights);
    mix = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, w / sum]));
  }
  const lateShare = share(load.late_share, at('late_share'), reporter);
  const lateByMs = load.late_by === undefined ? 3_600_000 : duration(load.late_by, at('late_by'), reporter);
  return {
    profile,
    ...(mix ? { mix } : {}),
    lateShare,
    lateByMs,
    outOfOrderShare: share(load.out_of_order_share, at('out_of_order_share'), reporter),
    ...(load.event_bytes === undefined ? {} : { eventBytes: load.event_bytes as number }),
    ...(load.partition_keys === undefined ? {} : { partitionKeys: load.partition_keys as number }),
  };
}

function normaliseStage(s: Json, index: number, at: KeyPath, reporter: Reporter): Stage {
  const name = (s.name as string | undefined) ?? `${index}-${String(s.kind)}`;
  const ms = (key: string): number => duration(s[key], [...at, key], reporter);
  const num = (key: string): number => s[key] as number;
  switch (s.kind) {
    case 'constant':
    case 'soak':
      return {
        kind: s.kind,
        name,
        durationMs: ms('duration'),
        rate: num('rate'),
        ...(s.sample_every === undefined ? {} : { sampleEveryMs: ms('sample_every') }),
      };
    case 'ramp':
      return { kind: 'ramp', name, durationMs: ms('duration'), from: num('from'), to: num('to') };
    case 'step':
      return {
        kind: 'step',
        name,
        durationMs: ms('duration'),
        from: num('from'),
        to: num('to'),
        steps: num('steps'),
      };
    case 'spike': {
      const durationMs = ms('duration');
      const spikeDurationMs = ms('spike_duration');
      const spikeAtMs =
        s.spike_at === undefined
          ? (durationMs - spikeDurationMs) / 2
          : duration(s.spike_at, [...at, 'spike_at'], reporter, false);
      if (spikeAtMs < 0 || spikeAtMs + spikeDurationMs > durationMs) {
        reporter.fail(
          [...at, s.spike_at === undefined ? 'spike_duration' : 'spike_at'],
          'the spike must fit inside the stage (spike_at + spike_duration <= duration)',
          s.spike_at ?? s.spike_duration,
        );
      }
      const repeatEveryMs = s.repeat_every === undefined ? undefined : ms('repeat_every');
      if (repeatEveryMs !== undefined && repeatEveryMs <= spikeDurationMs) {
        reporter.fail([...at, 'repeat_every'], 'must be longer than spike_duration', s.repeat_every);
      }
      if (num('peak') < num('base'))
        reporter.fail([...at, 'peak'], `must be at least base (${num('base')})`, s.peak);
      return {
        kind: 'spike',
        name,
        durationMs,
        base: num('base'),
        peak: num('peak'),
        spikeAtMs,
        spikeDurationMs,
        ...(repeatEveryMs === undefined ? {} : { repeatEveryMs }),
      };
    }
    case 'daily': {
      if (s.hourly !== undefined && s.shape !== undefined)
        reporter.fail([...at, 'hourly'], 'give shape or hourly, not both', s.hourly);
      const factors =
        (s.hourly as number[] | undefined) ??
        (s.shape === 'flat' ? new Array<number>(24).fill(1) : [...ERCOT_DAILY_LOAD_SHAPE]);
      if (factors.length !== 24)
        reporter.fail([...at, 'hourly'], `needs 24 factors (hour 0 first), got ${factors.length}`, s.hourly);
      const fMax = Math.max(...factors);
      const fMin = Math.min(...factors);
      if (!(fMax > 0)) reporter.fail([...at, 'hourly'], 'at least one factor must be above 0', s.hourly);
      const peak = num('peak');
      const trough = s.trough as number | undefined;
      if (trough !== undefined && trough > peak)
        reporter.fail([...at, 'trough'], `must be at most peak (${peak})`, trough);
      const hourly = factors.map((f) =>
        trough === undefined || fMax === fMin
          ? (peak * f) / fMax
          : trough + ((peak - trough) * (f - fMin)) / (fMax - fMin),
      );
      return { kind: 'daily', name, durationMs: ms('duration'), hourly };
    }
    default: {
      // search (the schema admitted no other kind)
      const start = num('start');
      const max = num('max');
      const increase = num('increase');
      const factor = s.factor === true;
      if (max <= start) reporter.fail([...at, 'max'], `must be above start (${start})`, s.max);
      if (factor ? increase <= 1 : increase <= 0) {
        reporter.fail(
          [...at, 'increase'],
          factor ? 'a factor must be above 1' : 'must be above 0',
          s.increase,
        );
      }
      if (start <= 0 && factor)
        reporter.fail([...at, 'start'], 'a multiplying search starts above 0', s.start);
      const stepDurationMs = ms('step_duration');
      const steps = searchRates(start, increase, factor, max).length;
      return {
        kind: 'search',
        name,
        durationMs: steps * stepDurationMs,
        start,
        increase,
        factor,
        stepDurationMs,
        max,
        until: (s.until as string[] | undefined) ?? [],
      };
    }
  }
}

/**
 * The rates a `search` stage tries, in order: start, then raised by `increase` (added, or multiplied
 * with `factor`) while at most `max`; `max` itself is the last step.
 *
 * @param start - first rate
 * @param increase - increment or multiplier
 * @param factor - multiply instead of add
 * @param max - highest rate
 */
export function searchRates(start: number, increase: number, factor: boolean, max: number): number[] {
  const rates: number[] = [];
  for (let r = start; r < max && rates.length < 10_000; r = factor ? r * increase : r + increase)
    rates.push(r);
  rates.push(max);
  return rates;
}

function isDurationMetric(metric: string): boolean {
  return DURATION_METRIC_PREFIXES.some((p) => metric.startsWith(p));
}

function normaliseThreshold(
  th: Json,
  at: KeyPath,
  datasets: Partial<Record<Dataset, DatasetLoad>>,
  reporter: Reporter,
): Threshold {
  const metric = th.metric as string;
  if (th.max === undefined && th.min === undefined) reporter.fail(at, 'a threshold needs max or min', th);
  const bound = (key: 'max' | 'min'): number | undefined => {
    const v = th[key];
    if (v === undefined) return undefined;
    if (isDurationMetric(metric)) return duration(v, [...at, key], reporter, false);
    if (typeof v !== 'number') reporter.fail([...at, key], `${metric} is bounded by a number`, v);
    return v;
  };
  const max = bound('max');
  const min = bound('min');
  if (min !== undefined && COUNT_METRIC_PREFIXES.some((p) => metric.startsWith(p))) {
    reporter.fail([...at, 'min'], `${metric} is a count: bound it with max`, th.min);
  }
  if (metric === 'rate.achieved_ratio' && min !== undefined && (min < 0 || min > 1)) {
    reporter.fail([...at, 'min'], 'a ratio in [0, 1]', th.min);
  }
  const dataset = th.dataset as Dataset | undefined;
  if (dataset !== undefined && !datasets[dataset]) {
    reporter.fail(
      [...at, 'dataset'],
      `the scenario has no load for this dataset (it has ${Object.keys(datasets).join(', ')})`,
      dataset,
    );
  }
  const stage = th.stage as string | undefined;
  if (stage !== undefined) {
    const scope = dataset ? [datasets[dataset]!] : Object.values(datasets);
    if (!scope.some((d) => d.profile.some((s) => s.name === stage))) {
      reporter.fail([...at, 'stage'], 'names no stage of the profile(s) in scope', stage);
    }
  }
  const scopeText = [dataset, stage].filter((x) => x !== undefined).join('/');
  return {
    name: (th.name as string | undefined) ?? (scopeText === '' ? metric : `${metric} (${scopeText})`),
    metric,
    ...(max === undefined ? {} : { max }),
    ...(min === undefined ? {} : { min }),
    ...(dataset === undefined ? {} : { dataset }),
    ...(stage === undefined ? {} : { stage }),
    abort: th.abort === true,
  };
}
