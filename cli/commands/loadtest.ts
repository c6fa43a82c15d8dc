import { existsSync, readdirSync } from 'node:fs';
import { abortOnSignals, EXIT_CODES } from '../../common/abortOnSignals.js';
import { EcsLaunchError, WorkerArgsError } from '../../loadtest/ecs/errors.js';
import { MAX_WORKERS, parseWorkerArgs, WORKER_FLAGS } from '../../loadtest/ecs/workerArgs.js';
import { LoadtestError, ScenarioError } from '../../loadtest/errors.js';
import { formatPlan, planScenario } from '../../loadtest/plan.js';
import { reconcileRun } from '../../loadtest/reconcile/index.js';
import { compareRuns } from '../../loadtest/report/compareRuns.js';
import { RUN_EXIT_CODES, runScenario, TargetUnreachableError } from '../../loadtest/run/runScenario.js';
import { loadScenario } from '../../loadtest/scenario/loadScenario.js';
import { runWorkerCommand } from '../../loadtest/worker/runWorkerCommand.js';
import { type Command, UsageError } from '../command.js';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const printErr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** A scenario error ends the command with exit 2 and its message (file:line, key, value). */
function scenarioErrors(name: string, fn: () => Promise<number> | number): Promise<number> {
  return Promise.resolve()
    .then(fn)
    .catch((err: unknown) => {
      if (err instanceof ScenarioError) {
        printErr(`gridstream loadtest ${name}: ${err.message}`);
        return EXIT_CODES.usage;
      }
      throw err;
    });
}

function one(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`give exactly one ${what}, got ${positionals.length}`);
  return positionals[0]!;
}

/** Largest `--workers` of local worker processes (one machine). */
const MAX_LOCAL_WORKERS = 64;

/** `gridstream loadtest run SCENARIO [--out DIR] [--workers N] [--on local|ecs] [--env ENV]`. */
const run: Command = {
  name: 'loadtest run',
  summary: 'Run a load-test scenario: open-model load, SLOs, freshness, exact reconciliation, report',
  usage: 'SCENARIO [--out DIR] [--workers N] [--on local|ecs] [--env ENV] [--started-at ISO]',
  allowPositionals: true,
  details: `
SCENARIO is a .yaml path or a shipped scenario (loadtest/scenarios: smoke, steady-20k, ercot-peak-day,
spike-storm, soak, knee, parity-kafka). The embedded target starts its own pipeline as separate processes —
\`gridstream kinesis\` (port 0), \`gridstream deliver\` into RUN_DIR/lake — checks the streams answer
before any load, forks the load workers, shows live progress (one line rewritten in place on a terminal,
a line every 10 s otherwise: stage, rate asked/achieved, PutRecords p99, lost so far), then stops the
load, lets delivery drain, curates once, reconciles every event sent against the lake and writes RUN_DIR/summary.json and report.html.
The kafka target does the same on \`gridstream kafka\` (or target.brokers) and \`deliver --source kafka\`.
A kinesis or aws target gets load only (no delivery, no reconciliation).

--on ecs runs the N load workers as ECS Fargate tasks of the environment --env (the load-worker task
deployed with \`npx cdk deploy --all -c env=ENV -c gridstream.loadtest.enabled=true\`): the run's copy of
the scenario (RUN_DIR/scenario.yaml) gets target aws in ENV, the tasks read it from S3, and their result
files are copied into RUN_DIR/workers/ and merged as local workers' are. AWS_REGION and the default
credential chain apply.

Ctrl-C stops the load; delivery still drains, reconciliation and the report still run (verdict
interrupted). A second Ctrl-C ends everything at once.

Exit codes: 0 every SLO passed and the reconciliation is exact; 1 an SLO failed (named on stderr), the
reconciliation is not exact, or the target was unreachable before any load; 2 bad scenario or usage;
130 interrupted by Ctrl-C (reconciled and reported; 1 instead when the reconciliation is not exact).

Examples:
  gridstream loadtest run smoke
  gridstream loadtest run steady-20k --out runs/steady
  gridstream loadtest run my-scenario.yaml --workers 4
  AWS_REGION=us-east-1 gridstream loadtest run steady-20k --workers 8 --on ecs --env dev`,
  options: {
    out: {
      type: 'string',
      description: 'Run folder (default: ./loadtest-runs/<scenario>-<UTC stamp>); must be new or empty',
      valueName: 'DIR',
    },
    workers: {
      type: 'string',
      description: `Load workers (default: the scenario's workers; 1-${MAX_LOCAL_WORKERS} local, 1-${MAX_WORKERS} on ecs)`,
      valueName: 'N',
    },
    'started-at': {
      type: 'string',
      description:
        'Record this as the run start (run id, event ids, simulated clock): the same value replays the same events, e.g. on another target',
      valueName: 'ISO',
    },
    on: {
      type: 'string',
      description: 'Where the load workers run: local processes, or ECS Fargate tasks (needs --env)',
      valueName: 'local|ecs',
      default: 'local',
    },
    env: {
      type: 'string',
      description: 'With --on ecs: the deployed environment (its streams and load-worker task)',
      valueName: 'ENV',
    },
  },
  run(values, positionals) {
    const scenario = one(positionals, 'SCENARIO');
    const startedAt = values['started-at'] === undefined ? undefined : new Date(String(values['started-at']));
    if (startedAt && Number.isNaN(startedAt.getTime()))
      throw new UsageError(`--started-at must be an ISO time, got ${JSON.stringify(values['started-at'])}`);
    const on = String(values.on ?? 'local');
    if (on !== 'local' && on !== 'ecs') {
      throw new UsageError(`--on must be local or ecs, got ${JSON.stringify(on)}`);
    }
    const env = values.env === undefined ? undefined : String(values.env);
    if (on === 'ecs' && (env === undefined || env === '')) {
      throw new UsageError(
        '--on ecs needs --env ENV: the deployed environment whose load-worker task runs the workers (e.g. --env dev)',
      );
    }
    if (env !== undefined && on !== 'ecs') throw new UsageError('--env applies to --on ecs only');
    if (env !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(env)) {
      throw new UsageError(
        `--env must be an environment name like dev (a-z, 0-9, -), got ${JSON.stringify(env)}`,
      );
    }
    const maxWorkers = on === 'ecs' ? MAX_WORKERS : MAX_LOCAL_WORKERS;
    let workers: number | undefined;
    if (values.workers !== undefined) {
      workers = /^\d+$/.test(String(values.workers)) ? Number(values.workers) : Number.NaN;
      if (!Number.isInteger(workers) || workers < 1 || workers > maxWorkers) {
        throw new UsageError(
          `--workers must be a whole number from 1 to ${maxWorkers}${on === 'ecs' ? ' with --on ecs' : ''}, got ${JSON.stringify(values.workers)}`,
        );
      }
    }
    const outDir = values.out === undefined ? undefined : String(values.out);
    if (outDir !== undefined && existsSync(outDir) && readdirSync(outDir).length > 0) {
      throw new UsageError(`--out ${outDir} is not empty: a run folder holds one run; choose a new folder`);
    }
    return scenarioErrors('run', async () => {
      const controller = new AbortController();
      const dispose = abortOnSignals(controller, {
        onFirst: (sig) =>
          printErr(`loadtest: ${sig}: stopping the load (again to end at once, unreconciled)`),
      });
      try {
        const r = await runScenario({
          scenario,
          ...(outDir === undefined ? {} : { out: outDir }),
          ...(workers === undefined ? {} : { workers }),
          ...(startedAt ? { startedAt } : {}),
          ...(on === 'ecs' ? { on: 'ecs' as const, env: env! } : {}),
          signal: controller.signal,
          print,
          err: printErr,
        });
        return r.exitCode;
      } catch (err) {
        if (err instanceof TargetUnreachableError || err instanceof EcsLaunchError) {
          printErr(`gridstream loadtest run: ${err.message}`);
          return RUN_EXIT_CODES.fail;
        }
        throw err;
      } finally {
        dispose();
      }
    });
  },
};

/** `gridstream loadtest reconcile RUN_DIR`. */
const reconcile: Command = {
  name: 'loadtest reconcile',
  summary: "Reconcile a run folder: every event sent looked up in the run's lake (lost, duplicated)",
  usage: 'RUN_DIR [--margin-hours H | --margin-hours all]',
  allowPositionals: true,
  details: `
Reads RUN_DIR/run.json and workers/*.json (the event ids each worker sent, as seed, producer id and
sequence range, minus the events the sink wrote off) and looks every one up in the lake's raw zone.
Prints one \`key: value\` line each (sent, found_raw, lost, duplicated_raw, …) and writes
RUN_DIR/reconciliation.json. Runs at the end of every \`loadtest run\`; run it again on an archived run.

Only the raw hours of the run's simulated time, widened by --margin-hours each side (default 6), are
read, so a long-lived lake (an s3:// one above all) is not read whole; a row placed further off than the
margin counts as lost rather than misplaced. \`--margin-hours all\` reads every hour.

Exit codes: 0 exact; 1 something lost or duplicated; 2 usage.

Examples:
  gridstream loadtest reconcile loadtest-runs/smoke-20261205T030000Z
  gridstream loadtest reconcile loadtest-runs/smoke-20261205T030000Z --margin-hours all`,
  options: {
    'margin-hours': {
      type: 'string',
      description: "Raw hours read each side of the run's simulated time, or all",
      valueName: 'H',
    },
  },
  async run(values, positionals) {
    const dir = one(positionals, 'RUN_DIR');
    const margin = values['margin-hours'];
    let partitionMarginMs: number | undefined;
    if (margin === 'all') partitionMarginMs = Number.POSITIVE_INFINITY;
    else if (margin !== undefined) {
      const h = Number(margin);
      if (typeof margin !== 'string' || margin.trim() === '' || !Number.isFinite(h) || h < 0)
        throw new UsageError(
          `--margin-hours must be a number of hours ≥ 0 or all, got ${JSON.stringify(margin)}`,
        );
      partitionMarginMs = h * 3_600_000;
    }
    try {
      const r = await reconcileRun(dir, partitionMarginMs === undefined ? {} : { partitionMarginMs });
      for (const line of r.lines) print(line);
      return r.exitCode;
    } catch (err) {
      if (err instanceof LoadtestError) throw new UsageError(err.message);
      throw err;
    }
  },
};

/** `gridstream loadtest compare RUN_A RUN_B`. */
const compare: Command = {
  name: 'loadtest compare',
  summary:
    'Compare two finished runs side by side: rates, latency, freshness, SLOs, reconciliation, processes',
  usage: 'RUN_A RUN_B',
  allowPositionals: true,
  details: `
Reads RUN_A/summary.json and RUN_B/summary.json (a run folder or the file itself) and prints, per dataset,
SLO, reconciliation count and process, the value of A, the value of B, the change and whether B is better
or worse (within 0.5 % it is the same; reconciliation counts must be equal). Runs of different scenarios
are compared with a note.

Exit codes: 0 compared; 2 a folder holds no valid summary.json (named, with what is wrong) or usage.

Examples:
  gridstream loadtest compare loadtest-runs/smoke-20261205T030000Z loadtest-runs/smoke-20261205T040000Z`,
  options: {},
  run(_values, positionals) {
    if (positionals.length !== 2)
      throw new UsageError(`give RUN_A and RUN_B, got ${positionals.length} argument(s)`);
    const r = compareRuns(positionals[0]!, positionals[1]!);
    for (const line of r.lines)
      (r.exitCode === 0 ? print : printErr)(r.exitCode === 0 ? line : `gridstream loadtest compare: ${line}`);
    return r.exitCode;
  },
};

/** `gridstream loadtest worker --index I --of N --run RUN_ID --scenario … --results … [--start-at ISO]`. */
const worker: Command = {
  name: 'loadtest worker',
  summary:
    "Run one load worker: its slice of a scenario's rate, its result file into --results (ECS tasks run this)",
  usage: '--index I --of N --run RUN_ID --scenario FILE|NAME|s3://… --results DIR|s3://… [--start-at ISO]',
  details: `
The process an ECS task of \`loadtest run --on ecs\` runs; also usable by hand. It takes events I, I + N, …
of the scenario's profile (its own producer ids lt-<run id>-w<I>-<dataset> and span of simulated time),
sends them to the scenario's target (kinesis with endpoint, or aws), and writes workers/w<I>.json into
--results (a folder or s3://bucket/prefix/<run id>). Simulated time counts from --start-at, else from the
UTC stamp the run id ends with, so all N workers share one start. SIGTERM or Ctrl-C stops the load; the
result is still written (interrupted: true).

Exit codes: 0 the load ran and the result is written; 1 a failure; 2 bad arguments (named with their value).

Examples:
  gridstream loadtest worker --index 0 --of 2 --run smoke-20261205T030000Z --scenario my-kinesis.yaml --results runs/smoke`,
  options: {
    index: { type: 'string', description: '0-based index of this worker (below --of)', valueName: 'I' },
    of: {
      type: 'string',
      description: `How many workers share the scenario (1-${MAX_WORKERS})`,
      valueName: 'N',
    },
    run: { type: 'string', description: 'The run id (1-128 of A-Za-z0-9._-)', valueName: 'RUN_ID' },
    scenario: {
      type: 'string',
      description: "A .yaml path, a shipped scenario's name, or s3://…",
      valueName: 'FILE',
    },
    results: {
      type: 'string',
      description: 'The run folder or s3://bucket/prefix/<run id>',
      valueName: 'DIR',
    },
    'start-at': {
      type: 'string',
      description: 'ISO-8601 UTC instant all workers start at',
      valueName: 'ISO',
    },
  },
  async run(values) {
    const argv: string[] = [];
    for (const flag of Object.values(WORKER_FLAGS)) {
      const v = values[flag.slice(2)];
      if (v !== undefined) argv.push(flag, String(v));
    }
    const controller = new AbortController();
    const dispose = abortOnSignals(controller, {
      onFirst: (sig) => printErr(`loadtest worker: ${sig}: stopping the load, writing the result`),
    });
    try {
      const args = parseWorkerArgs(argv);
      await runWorkerCommand(args, { signal: controller.signal, print });
      return EXIT_CODES.ok;
    } catch (err) {
      if (err instanceof WorkerArgsError || err instanceof ScenarioError) {
        printErr(err instanceof WorkerArgsError ? err.message : `loadtest worker: ${err.message}`);
        return EXIT_CODES.usage;
      }
      throw err;
    } finally {
      dispose();
    }
  },
};

/** `gridstream loadtest validate SCENARIO`. */
const validate: Command = {
  name: 'loadtest validate',
  summary: 'Check a load-test scenario file (exit 2 names file:line, key and value)',
  usage: 'SCENARIO',
  allowPositionals: true,
  details: `
Exit codes: 0 valid; 2 invalid (file:line, key and value on stderr) or usage.

Examples:
  gridstream loadtest validate smoke
  gridstream loadtest validate my-scenario.yaml`,
  options: {},
  run(_values, positionals) {
    const file = one(positionals, 'SCENARIO');
    return scenarioErrors('validate', () => {
      const s = loadScenario(file);
      print(`${s.file}: valid (${Object.keys(s.datasets).join(', ')}; ${s.thresholds.length} thresholds)`);
      return EXIT_CODES.ok;
    });
  },
};

/** `gridstream loadtest plan SCENARIO`. */
const plan: Command = {
  name: 'loadtest plan',
  summary: 'Plan a load-test scenario before any load: events, peak rate, shard prediction, AWS cost',
  usage: 'SCENARIO',
  allowPositionals: true,
  details: `
Exit codes: 0 planned; 2 invalid scenario or usage.

Examples:
  gridstream loadtest plan spike-storm`,
  options: {},
  run(_values, positionals) {
    const file = one(positionals, 'SCENARIO');
    return scenarioErrors('plan', () => {
      for (const line of formatPlan(planScenario(loadScenario(file)))) print(line);
      return EXIT_CODES.ok;
    });
  },
};

/** The `gridstream loadtest …` commands, by the word after `loadtest`. */
export const commands = { run, reconcile, compare, worker, validate, plan } as const;
