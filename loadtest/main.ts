// `validate` and `plan` without the CLI (`gridstream loadtest validate|plan` is the documented way):
//   node --import tsx loadtest/main.ts validate SCENARIO   check a scenario file (exit 2 with file:line, key, value)
//   node --import tsx loadtest/main.ts plan SCENARIO       its events, shard prediction and cost, before any load
import { EXIT_CODES } from '../common/abortOnSignals.js';
import { LoadtestError, ScenarioError } from './errors.js';
import { formatPlan, planScenario } from './plan.js';
import { loadScenario } from './scenario/loadScenario.js';

const USAGE = 'usage: loadtest validate|plan SCENARIO (a .yaml path or a shipped scenario name)';

/**
 * Runs one harness command.
 *
 * @param argv - arguments after the script
 * @param out - standard output
 * @param err - standard error
 * @returns the exit code: 0, or 2 for a bad scenario or usage
 */
export function loadtestMain(
  argv: readonly string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): number {
  const [command, scenario, ...rest] = argv;
  if ((command !== 'validate' && command !== 'plan') || scenario === undefined || rest.length > 0) {
    err(USAGE);
    return EXIT_CODES.usage;
  }
  try {
    const s = loadScenario(scenario);
    if (command === 'validate')
      out(`${s.file}: valid (${Object.keys(s.datasets).join(', ')}; ${s.thresholds.length} thresholds)`);
    else for (const line of formatPlan(planScenario(s))) out(line);
    return EXIT_CODES.ok;
  } catch (e) {
    if (e instanceof ScenarioError) {
      err(e.message);
      return e.exitCode;
    }
    if (e instanceof LoadtestError) {
      err(e.message);
      return EXIT_CODES.failed;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = loadtestMain(process.argv.slice(2));
