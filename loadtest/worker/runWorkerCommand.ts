import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { WorkerArgsError } from '../ecs/errors.js';
import { type WorkerArgs, workerName } from '../ecs/workerArgs.js';
import { publishWorkerResult, stageWorkerScenario, WORKERS_FOLDER } from '../ecs/workerFiles.js';
import { loadScenario } from '../scenario/loadScenario.js';
import { scenarioStreams } from '../scenario/scenarioStreams.js';
import { runLoadWorker } from './runLoadWorker.js';
import type { WorkerResult } from './types.js';

/** Options of {@link runWorkerCommand}. */
export interface WorkerCommandOptions {
  /** SIGTERM / Ctrl-C: the worker stops its load, sends what it generated and still writes its result. */
  readonly signal?: AbortSignal;
  /** Result lines (stdout). */
  readonly print?: (line: string) => void;
  /** S3 client for an `s3://` scenario or results. @default the standard configuration */
  readonly s3Client?: S3Client;
}

/** The UTC stamp a run id ends with (`smoke-20261205T030000Z`), as epoch ms. */
export function runIdStampMs(runId: string): number | undefined {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(runId);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function sleepUntil(ms: number, signal?: AbortSignal): Promise<void> {
  const wait = ms - Date.now();
  if (wait <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, wait);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `gridstream loadtest worker …` (docs/LOADTEST.md "Load worker command"): one load worker as a process of
 * its own — an ECS task, or a process started by hand — running the same {@link runLoadWorker} as the
 * coordinator's child workers. It stages the scenario (downloads an `s3://` one), sends its slice of the
 * profile to the scenario's target (`kinesis` endpoint or `aws` streams), and writes
 * `workers/w<index>.json` into `--results` with {@link publishWorkerResult}.
 *
 * The simulated clock of every worker counts from one instant T0 (so worker spans, and with them natural
 * keys, stay disjoint): `--start-at`, else the UTC stamp the run id ends with.
 *
 * @param args - parsed with parseWorkerArgs
 * @param options - signal, output, S3 client
 * @returns the result and where it was written
 * @throws WorkerArgsError (exit 2) for a target the worker cannot reach or no common T0; ScenarioError (exit 2)
 */
export async function runWorkerCommand(
  args: WorkerArgs,
  options: WorkerCommandOptions = {},
): Promise<{ result: WorkerResult; written: string }> {
  const s3 = options.s3Client ? { s3Client: options.s3Client } : {};
  const scenario = loadScenario(await stageWorkerScenario(args.scenario, s3));
  if (scenario.target.kind === 'embedded') {
    throw new WorkerArgsError(
      `loadtest worker: ${scenario.file}: target.kind embedded is started by \`gridstream loadtest run\`; a worker of its own needs target kind kinesis (with endpoint) or aws`,
    );
  }
  const startAtMs = args.startAt === undefined ? undefined : Date.parse(args.startAt);
  const t0 = startAtMs ?? runIdStampMs(args.runId);
  if (t0 === undefined && args.of > 1) {
    throw new WorkerArgsError(
      `loadtest worker: give --start-at (or a run id ending in a UTC stamp like smoke-20261205T030000Z): ${args.of} workers need one common start, got run id ${JSON.stringify(args.runId)}`,
    );
  }
  const endpoint = scenario.target.endpoint;
  const region = scenario.target.region ?? (endpoint ? 'us-east-1' : undefined);
  const name = workerName(args.index);
  const result = await runLoadWorker(
    {
      runId: args.runId,
      scenarioFile: scenario.file,
      name,
      index: args.index,
      of: args.of,
      target: {
        ...(endpoint ? { endpoint } : {}),
        ...(region ? { region } : {}),
        streams: scenarioStreams(scenario),
      },
      simulatedStartMs: t0 ?? Date.now(),
      resultFile: join(args.results, WORKERS_FOLDER, `${name}.json`),
    },
    {
      start: async () => {
        // Intended send times count from --start-at: a worker that comes up late shows its lag.
        if (startAtMs === undefined) return Date.now();
        await sleepUntil(startAtMs, options.signal);
        return startAtMs;
      },
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const written = await publishWorkerResult(args.results, args.index, `${JSON.stringify(result)}\n`, s3);
  options.print?.(
    `loadtest worker ${name} of ${args.of}: ${Object.entries(result.datasets)
      .map(([d, x]) => `${d} ${x.acknowledged}/${x.emitted} acknowledged`)
      .join(
        ', ',
      )}${result.interrupted ? ' (interrupted)' : ''}${result.limit ? `; ${result.limit}` : ''}; result ${written}`,
  );
  return { result, written };
}
