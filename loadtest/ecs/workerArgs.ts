import { WorkerArgsError } from './errors.js';

/**
 * What one load worker is told on its command line (`gridstream loadtest worker …`, docs/LOADTEST.md
 * "Load worker command"): the same whether the worker is a child process of the coordinator or an ECS task.
 */
export interface WorkerArgs {
  /** 0-based index of this worker: it takes its slice of the rate and its own sequence range by it. */
  readonly index: number;
  /** How many workers share the scenario (≥ 1, > index). */
  readonly of: number;
  /** The run's id (`<scenario>-<UTC stamp>`): part of every producer id, so it names the events. */
  readonly runId: string;
  /** The scenario: a `.yaml` path, a shipped scenario's name, or an `s3://` URL (see {@link stageWorkerScenario}). */
  readonly scenario: string;
  /** The run's folder (RUN_DIR) or `s3://bucket/prefix/<run id>`: the worker writes `workers/w<index>.json` there. */
  readonly results: string;
  /**
   * The instant (ISO-8601 UTC) every worker starts its load at, so that tasks started one after the other
   * begin together; a worker that comes up later starts at once, and its lag behind the intended send times
   * shows. @default start at once
   */
  readonly startAt?: string;
}

/** The flags of {@link WorkerArgs}, in the order {@link formatWorkerArgs} writes them. */
export const WORKER_FLAGS = {
  index: '--index',
  of: '--of',
  runId: '--run',
  scenario: '--scenario',
  results: '--results',
  startAt: '--start-at',
} as const;

/** Highest worker count one run may ask for. */
export const MAX_WORKERS = 1000;

/**
 * A run id as it appears in keys, file names and producer ids: letters, digits, `.`, `_` and `-`, starting
 * with a letter or digit, at most 128 characters.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Name of worker `index`'s result file and of its producer ids' worker part: `w<index>`. */
export function workerName(index: number): string {
  return `w${index}`;
}

/** Key of worker `index`'s result file below the run's folder or prefix: `workers/w<index>.json`. */
export function workerResultKey(index: number): string {
  return `workers/${workerName(index)}.json`;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function show(value: string): string {
  return JSON.stringify(value);
}

/**
 * Parses the arguments of `gridstream loadtest worker` (everything after `worker`): `--flag value` or
 * `--flag=value`, each flag once. The cli calls it; the ECS launcher writes the same arguments with
 * {@link formatWorkerArgs}.
 *
 * @param argv - the arguments after `loadtest worker`
 * @returns the validated arguments
 * @throws WorkerArgsError (exit code 2) naming the flag and the value received
 * @example
 * ```ts
 * const args = parseWorkerArgs(['--index', '0', '--of', '2', '--run', 'smoke-20261205T030000Z',
 *   '--scenario', 'smoke', '--results', 's3://gridstream-dev-loadtest/runs/smoke-20261205T030000Z']);
 * ```
 */
export function parseWorkerArgs(argv: readonly string[]): WorkerArgs {
  const known = new Map<string, keyof WorkerArgs>(
    Object.entries(WORKER_FLAGS).map(([k, f]) => [f, k as keyof WorkerArgs]),
  );
  const given = new Map<keyof WorkerArgs, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const key = known.get(flag);
    if (key === undefined) {
      throw new WorkerArgsError(
        `loadtest worker: unknown argument ${show(arg)} (expected ${Object.values(WORKER_FLAGS).join(', ')})`,
      );
    }
    let value: string | undefined;
    if (flag !== arg) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || (flag === arg && value.startsWith('--'))) {
      throw new WorkerArgsError(`loadtest worker: ${flag} needs a value`);
    }
    if (given.has(key)) throw new WorkerArgsError(`loadtest worker: ${flag} given twice`);
    given.set(key, value);
  }
  const required = (key: Exclude<keyof WorkerArgs, 'startAt'>): string => {
    const v = given.get(key);
    if (v === undefined || v === '')
      throw new WorkerArgsError(`loadtest worker: ${WORKER_FLAGS[key]} is required`);
    return v;
  };
  const integer = (key: 'index' | 'of', min: number, max: number): number => {
    const raw = required(key);
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new WorkerArgsError(
        `loadtest worker: ${WORKER_FLAGS[key]} must be an integer in ${min}..${max}, got ${show(raw)}`,
      );
    }
    return n;
  };
  const of = integer('of', 1, MAX_WORKERS);
  const index = integer('index', 0, MAX_WORKERS - 1);
  if (index >= of) {
    throw new WorkerArgsError(
      `loadtest worker: --index must be below --of (${of}), got ${show(String(index))}`,
    );
  }
  const runId = required('runId');
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new WorkerArgsError(
      `loadtest worker: --run must be 1-128 of [A-Za-z0-9._-] starting with a letter or digit, got ${show(runId)}`,
    );
  }
  const scenario = required('scenario');
  const results = required('results');
  if (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(results) &&
    !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/|$)/.test(results)
  ) {
    throw new WorkerArgsError(
      `loadtest worker: --results must be a directory or s3://bucket/prefix, got ${show(results)}`,
    );
  }
  const startAt = given.get('startAt');
  if (startAt !== undefined && (!ISO_UTC.test(startAt) || Number.isNaN(Date.parse(startAt)))) {
    throw new WorkerArgsError(
      `loadtest worker: --start-at must be an ISO-8601 UTC instant like 2026-12-05T03:10:00Z, got ${show(startAt)}`,
    );
  }
  return { index, of, runId, scenario, results, ...(startAt === undefined ? {} : { startAt }) };
}

/**
 * The command line of one worker: the inverse of {@link parseWorkerArgs} (`parseWorkerArgs(formatWorkerArgs(a))`
 * equals `a`).
 *
 * @param args - the worker's arguments
 * @returns the arguments after `loadtest worker`
 */
export function formatWorkerArgs(args: WorkerArgs): string[] {
  const out = [
    WORKER_FLAGS.index,
    String(args.index),
    WORKER_FLAGS.of,
    String(args.of),
    WORKER_FLAGS.runId,
    args.runId,
    WORKER_FLAGS.scenario,
    args.scenario,
    WORKER_FLAGS.results,
    args.results,
  ];
  if (args.startAt !== undefined) out.push(WORKER_FLAGS.startAt, args.startAt);
  return out;
}
