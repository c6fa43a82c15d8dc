import { existsSync, readdirSync } from 'node:fs';
import { abortOnSignals, EXIT_CODES } from '../../common/abortOnSignals.js';
import { LoadtestError, ScenarioError } from '../../loadtest/errors.js';
import { formatPlan, planScenario } from '../../loadtest/plan.js';
import { reconcileRun } from '../../loadtest/reconcile/index.js';
import { RUN_EXIT_CODES, runScenario, TargetUnreachableError } from '../../loadtest/run/runScenario.js';
import { loadScenario } from '../../loadtest/scenario/loadScenario.js';
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

/** `gridstream loadtest run SCENARIO [--out DIR]`. */
const run: Command = {
  name: 'loadtest run',
  summary: 'Run a load-test scenario: open-model load, SLOs, freshness, exact reconciliation, report',
  usage: 'SCENARIO [--out DIR] [--workers N] [--started-at ISO]',
  allowPositionals: true,
  details: `
SCENARIO is a .yaml path or a shipped scenario (loadtest/scenarios: smoke, steady-20k, ercot-peak-day,
spike-storm, soak, knee). The embedded target starts its own pipeline as separate processes —
\`gridstream kinesis\` (port 0), \`gridstream deliver\` into RUN_DIR/lake — checks the streams answer
before any load, forks the load workers, prints a progress line every 5 s (stage, rate asked, events
acknowledged, PutRecords p99, lost so far), then stops the load, lets delivery drain, curates once,
reconciles every event sent against the lake and writes RUN_DIR/summary.json and report.html.
A kinesis or aws target gets load only (no delivery, no reconciliation).

Ctrl-C stops the load; delivery still drains, reconciliation and the report still run (verdict
interrupted). A second Ctrl-C ends everything at once.

Exit codes: 0 every SLO passed and the reconciliation is exact; 1 an SLO failed (named on stderr), the
reconciliation is not exact, or the target was unreachable before any load; 2 bad scenario or usage;
130 interrupted by Ctrl-C (reconciled and reported; 1 instead when the reconciliation is not exact).

Examples:
  gridstream loadtest run smoke
  gridstream loadtest run steady-20k --out runs/steady
  gridstream loadtest run my-scenario.yaml --workers 4`,
  options: {
    out: {
      type: 'string',
      description: 'Run folder (default: ./loadtest-runs/<scenario>-<UTC stamp>); must be new or empty',
      valueName: 'DIR',
    },
    workers: {
      type: 'string',
      description: "Load worker processes (default: the scenario's workers)",
      valueName: 'N',
    },
    'started-at': {
      type: 'string',
      description:
        'Record this as the run start (run id, event ids, simulated clock): the same value replays the same events, e.g. on another target',
      valueName: 'ISO',
    },
  },
  run(values, positionals) {
    const scenario = one(positionals, 'SCENARIO');
    const startedAt = values['started-at'] === undefined ? undefined : new Date(String(values['started-at']));
    if (startedAt && Number.isNaN(startedAt.getTime()))
      throw new UsageError(`--started-at must be an ISO time, got ${JSON.stringify(values['started-at'])}`);
    let workers: number | undefined;
    if (values.workers !== undefined) {
      workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
        throw new UsageError(
          `--workers must be a whole number from 1 to 64, got ${JSON.stringify(values.workers)}`,
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
          signal: controller.signal,
          print,
          err: printErr,
        });
        return r.exitCode;
      } catch (err) {
        if (err instanceof TargetUnreachableError) {
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
  usage: 'RUN_DIR',
  allowPositionals: true,
  details: `
Reads RUN_DIR/run.json and workers/*.json (the event ids each worker sent, as seed, producer id and
sequence range, minus the events the sink wrote off) and looks every one up in the lake's raw zone.
Prints one \`key: value\` line each (sent, found_raw, lost, duplicated_raw, …) and writes
RUN_DIR/reconciliation.json. Runs at the end of every \`loadtest run\`; run it again on an archived run.

Exit codes: 0 exact; 1 something lost or duplicated; 2 usage.

Examples:
  gridstream loadtest reconcile loadtest-runs/smoke-20261205T030000Z`,
  options: {},
  async run(_values, positionals) {
    const dir = one(positionals, 'RUN_DIR');
    try {
      const r = await reconcileRun(dir);
      for (const line of r.lines) print(line);
      return r.exitCode;
    } catch (err) {
      if (err instanceof LoadtestError) throw new UsageError(err.message);
      throw err;
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
export const commands = { run, reconcile, validate, plan } as const;
