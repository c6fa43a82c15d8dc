import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { LOAD_WORKER_CONTAINER } from '../../common/loadWorkerTask.js';
import {
  backoffDelayMs,
  createRetrier,
  isRetriable,
  RETRY_DEFAULTS,
  type Retrier,
  realSleep,
} from '../../common/retry/index.js';
import { openLakeStorage } from '../../datalake/storage/index.js';
import { loadScenario } from '../scenario/loadScenario.js';
import {
  DEFAULT_START_DELAY_MS,
  DESCRIBE_TASKS_BATCH,
  STOP_REASONS,
  TASK_POLL_TIMING,
  WORKER_ENV,
} from './constants.js';
import { EcsLaunchError } from './errors.js';
import type {
  EcsRunOutcome,
  EcsRuntime,
  EcsWorkerReport,
  EcsWorkerTarget,
  LaunchEcsWorkersOptions,
  StartedWorker,
} from './types.js';
import { formatWorkerArgs, MAX_WORKERS, RUN_ID_PATTERN, type WorkerArgs, workerName } from './workerArgs.js';
import { downloadWorkerResults } from './workerFiles.js';

/**
 * An ECS client with the standard AWS configuration: default credential chain, the region given or
 * `AWS_REGION`, the endpoint of `AWS_ENDPOINT_URL_ECS` when set.
 *
 * @param region - the cluster's region
 */
export function createEcsClient(region?: string): ECSClient {
  const r = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return new ECSClient(r ? { region: r } : {});
}

/** RunTask's `startedBy`: the run id in the characters it allows (letters, digits, `-`, `/`, `_`), ≤ 128. */
export function startedByOf(runId: string): string {
  return `gridstream-loadtest/${runId.replace(/[^A-Za-z0-9/_-]/g, '_')}`.slice(0, 128);
}

/**
 * RunTask's idempotency token of one worker: a retried RunTask of the same worker of the same run returns
 * the task the first one started instead of starting a second.
 */
function clientTokenOf(runId: string, index: number): string {
  return createHash('sha256').update(`${runId}\n${index}`).digest('hex').slice(0, 64);
}

function retrierOf(runtime: EcsRuntime): Retrier {
  return createRetrier({ ...RETRY_DEFAULTS, maxRetryTimeMs: 120_000, sleep: runtime.sleep ?? realSleep });
}

/** Calls `fn` through the retrier: throttles and 5xx are retried, anything else fails at once. */
function withRetries<T>(retry: Retrier, fn: () => Promise<T>): Promise<T> {
  return retry(async (bail) => {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriable(err)) bail(err);
      throw err;
    }
  });
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: unknown };
  const inner = e.name === 'RetriesExhaustedError' && e.cause ? (e.cause as Error) : undefined;
  return inner ? `${inner.name}: ${inner.message}` : `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

/** Options of {@link startEcsWorkers}. */
export interface StartEcsWorkersOptions extends EcsWorkerTarget, EcsRuntime {
  /** Each worker's arguments (index 0 … N-1). */
  readonly workers: readonly WorkerArgs[];
}

/**
 * Starts one Fargate task per worker with RunTask (one call each: every task has its own container
 * overrides), in private subnets without a public IP. When a worker cannot start, the tasks already started
 * are stopped and the launch fails: a run never goes on with part of its rate.
 *
 * @param options - target, the workers' arguments, clients
 * @returns the started tasks, by index
 * @throws EcsLaunchError naming each worker that could not start and why
 */
export async function startEcsWorkers(options: StartEcsWorkersOptions): Promise<StartedWorker[]> {
  const client = options.client ?? createEcsClient(options.region);
  const retry = retrierOf(options);
  const started: StartedWorker[] = [];
  const failures: string[] = [];
  for (const args of options.workers) {
    const worker = workerName(args.index);
    try {
      const out = await withRetries(retry, () =>
        client.send(
          new RunTaskCommand({
            cluster: options.cluster,
            taskDefinition: options.taskDefinition,
            launchType: 'FARGATE',
            platformVersion: 'LATEST',
            count: 1,
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: [...options.subnets],
                securityGroups: [...options.securityGroups],
                assignPublicIp: 'DISABLED',
              },
            },
            overrides: {
              containerOverrides: [
                {
                  name: LOAD_WORKER_CONTAINER,
                  command: formatWorkerArgs(args),
                  environment: [
                    { name: WORKER_ENV.run, value: args.runId },
                    { name: WORKER_ENV.worker, value: worker },
                  ],
                },
              ],
            },
            startedBy: startedByOf(args.runId),
            clientToken: clientTokenOf(args.runId, args.index),
          }),
        ),
      );
      const task = out.tasks?.[0];
      if (task?.taskArn) {
        started.push({ worker, index: args.index, taskArn: task.taskArn });
        options.onProgress?.(`ecs: ${worker} started task ${shortTaskId(task.taskArn)}`);
      } else {
        const f = out.failures?.[0];
        failures.push(
          `${worker}: RunTask started no task: ${f ? `${f.reason ?? 'no reason'}${f.detail ? ` (${f.detail})` : ''}` : 'no task and no failure returned'}`,
        );
      }
    } catch (err) {
      failures.push(`${worker}: RunTask failed: ${describeError(err)}`);
    }
    if (failures.length > 0) break;
  }
  if (failures.length > 0) {
    await stopEcsWorkers(started, STOP_REASONS.launchFailed, { ...options, client });
    throw new EcsLaunchError(
      `could not start the load workers on ECS cluster ${options.cluster} (task definition ${options.taskDefinition}): ${failures.join('; ')}` +
        (started.length > 0 ? `; stopped the ${started.length} already started` : ''),
    );
  }
  return started;
}

/**
 * Stops tasks (ECS sends SIGTERM, then SIGKILL after the container's stop timeout). A task already gone is
 * not an error.
 *
 * @param tasks - the tasks
 * @param reason - StopTask's reason (shown as the task's stopped reason)
 * @param options - cluster and clients
 */
export async function stopEcsWorkers(
  tasks: readonly StartedWorker[],
  reason: string,
  options: Pick<EcsWorkerTarget, 'cluster'> & EcsRuntime,
): Promise<void> {
  const client = options.client ?? createEcsClient(options.region);
  const retry = retrierOf(options);
  for (const t of tasks) {
    try {
      await withRetries(retry, () =>
        client.send(new StopTaskCommand({ cluster: options.cluster, task: t.taskArn, reason })),
      );
    } catch (err) {
      options.onProgress?.(`ecs: ${t.worker}: StopTask failed: ${describeError(err)}`);
    }
  }
}

function shortTaskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** The report of a stopped (or vanished) task. */
function reportOf(worker: StartedWorker, task: Task | undefined): EcsWorkerReport {
  const base = { worker: worker.worker, index: worker.index, taskArn: worker.taskArn };
  if (!task) {
    return {
      ...base,
      outcome: 'missing',
      stoppedReason: 'ECS no longer knows the task (stopped tasks stay visible for about an hour)',
    };
  }
  const container = task.containers?.find((c) => c.name === LOAD_WORKER_CONTAINER) ?? task.containers?.[0];
  const exitCode = container?.exitCode;
  return {
    ...base,
    outcome: exitCode === 0 ? 'succeeded' : 'failed',
    ...(exitCode === undefined ? {} : { exitCode }),
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(container?.reason ? { containerReason: container.reason } : {}),
    ...(task.startedAt ? { startedAt: task.startedAt.toISOString() } : {}),
    ...(task.stoppedAt ? { stoppedAt: task.stoppedAt.toISOString() } : {}),
  };
}

/**
 * One line on a worker that did not succeed: its task, exit code, ECS's stop code and reasons.
 *
 * @param r - the worker's report
 */
export function describeWorkerFailure(r: EcsWorkerReport): string {
  const who = `${r.worker} (task ${shortTaskId(r.taskArn)})`;
  if (r.outcome === 'missing') return `${who} missing: ${r.stoppedReason}`;
  const parts = [
    r.exitCode === undefined ? 'stopped without an exit code' : `exited with code ${r.exitCode}`,
  ];
  if (r.stopCode) parts.push(`stop code ${r.stopCode}`);
  if (r.stoppedReason) parts.push(`reason: ${r.stoppedReason}`);
  if (r.containerReason) parts.push(`container: ${r.containerReason}`);
  return `${who} ${parts.join(', ')}`;
}

/** Options of {@link waitForEcsWorkers}. */
export interface WaitForEcsWorkersOptions extends Pick<EcsWorkerTarget, 'cluster'>, EcsRuntime {
  /** Aborting stops every task still running (reason "interrupted") and waits for them to stop. */
  readonly signal?: AbortSignal;
  /** Epoch ms after which the tasks still running are stopped (reason "timed out"). @default none */
  readonly deadline?: number;
}

/**
 * Waits until every task has stopped, polling DescribeTasks with a growing interval (5 s up to 30 s), and
 * reports each task's end: the load worker container's exit code, ECS's stop code and reasons. Status
 * changes go to `onProgress`.
 *
 * @param tasks - the started tasks
 * @param options - cluster, signal, deadline, clients
 * @returns one report per task (same order), and whether an abort or the deadline stopped them
 */
export async function waitForEcsWorkers(
  tasks: readonly StartedWorker[],
  options: WaitForEcsWorkersOptions,
): Promise<{ reports: EcsWorkerReport[]; interrupted: boolean; timedOut: boolean }> {
  const client = options.client ?? createEcsClient(options.region);
  const retry = retrierOf(options);
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const runtime = { ...options, client };
  const done = new Map<string, EcsWorkerReport>();
  const lastStatus = new Map<string, string>();
  let interrupted = false;
  let timedOut = false;
  for (let poll = 0; done.size < tasks.length; poll++) {
    const pending = tasks.filter((t) => !done.has(t.taskArn));
    if (!interrupted && !timedOut && options.signal?.aborted) {
      interrupted = true;
      options.onProgress?.(`ecs: interrupted: stopping ${pending.length} task(s)`);
      await stopEcsWorkers(pending, STOP_REASONS.interrupted, runtime);
    } else if (!interrupted && !timedOut && options.deadline !== undefined && now() >= options.deadline) {
      timedOut = true;
      options.onProgress?.(`ecs: time limit reached: stopping ${pending.length} task(s)`);
      await stopEcsWorkers(pending, STOP_REASONS.timedOut, runtime);
    }
    for (let i = 0; i < pending.length; i += DESCRIBE_TASKS_BATCH) {
      const batch = pending.slice(i, i + DESCRIBE_TASKS_BATCH);
      const out = await withRetries(retry, () =>
        client.send(
          new DescribeTasksCommand({ cluster: options.cluster, tasks: batch.map((t) => t.taskArn) }),
        ),
      );
      const byArn = new Map((out.tasks ?? []).map((t) => [t.taskArn ?? '', t]));
      const missing = new Set((out.failures ?? []).filter((f) => f.reason === 'MISSING').map((f) => f.arn));
      for (const t of batch) {
        const task = byArn.get(t.taskArn);
        if (!task) {
          if (missing.has(t.taskArn)) done.set(t.taskArn, reportOf(t, undefined));
          continue;
        }
        const status = task.lastStatus ?? 'UNKNOWN';
        if (lastStatus.get(t.taskArn) !== status) {
          lastStatus.set(t.taskArn, status);
          options.onProgress?.(`ecs: ${t.worker} ${status}`);
        }
        if (status === 'STOPPED') {
          const report = reportOf(t, task);
          done.set(t.taskArn, report);
          if (report.outcome !== 'succeeded') options.onProgress?.(`ecs: ${describeWorkerFailure(report)}`);
        }
      }
    }
    if (done.size === tasks.length) break;
    const delay = backoffDelayMs(poll, TASK_POLL_TIMING, Math.random);
    const bounded =
      options.deadline !== undefined && !timedOut
        ? Math.min(delay, Math.max(0, options.deadline - now()))
        : delay;
    const listening = interrupted || timedOut ? undefined : options.signal;
    await sleep(bounded, listening).catch(() => undefined);
  }
  return {
    reports: tasks.map((t) => done.get(t.taskArn) as EcsWorkerReport),
    interrupted,
    timedOut,
  };
}

/**
 * Runs a scenario's load workers as ECS Fargate tasks and collects their results: validates the scenario
 * (a bad one fails before any task starts), uploads it to `<resultsUri>/scenario/<file>`, starts one task per
 * worker with its index, the worker count, the run id, the results prefix and a common start instant as its
 * command (`gridstream loadtest worker …`), waits for every task to stop (reporting each one's exit code and
 * stopped reason), then copies `<resultsUri>/workers/*.json` into `<runDir>/workers/` — where reconciliation
 * and the merge of worker results read them as they read local workers' files.
 *
 * The scenario file is what the workers read: pass the run's effective copy (RUN_DIR/scenario.yaml, with any
 * command-line target override applied), not the shipped original.
 *
 * @param options - scenario, run id, worker count, target, results prefix, run folder, clients
 * @returns each worker's end and the result files
 * @throws ScenarioError (exit 2) for a bad scenario; EcsLaunchError when the tasks cannot be started
 * @example
 * ```ts
 * const target = await describeLoadWorkerTarget({ env: 'dev' });
 * const outcome = await launchEcsWorkers({
 *   ...target, scenario: 'steady-20k', runId, workers: 8, runDir,
 *   resultsUri: `${target.resultsBase}/${runId}`, signal: controller.signal, onProgress: console.error,
 * });
 * ```
 */
export async function launchEcsWorkers(options: LaunchEcsWorkersOptions): Promise<EcsRunOutcome> {
  const { runId, workers, resultsUri } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new EcsLaunchError(
      `--workers must be an integer in 1..${MAX_WORKERS}, got ${JSON.stringify(workers)}`,
    );
  }
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new EcsLaunchError(`run id must be 1-128 of [A-Za-z0-9._-], got ${JSON.stringify(runId)}`);
  }
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/.test(resultsUri)) {
    throw new EcsLaunchError(
      `the results of ECS workers must go to s3://bucket/prefix (the tasks cannot write to this machine), got ${JSON.stringify(resultsUri)}`,
    );
  }
  if (options.subnets.length === 0) {
    throw new EcsLaunchError(
      'ECS workers need at least one subnet (the load-worker stack tags its task definition with them)',
    );
  }
  const scenario = loadScenario(options.scenario);
  if (scenario.target.kind === 'kafka') {
    // The ECS worker's target carries Kinesis streams only (describeLoadWorkerTarget): it would not send to Kafka.
    throw new EcsLaunchError(
      `${scenario.file}: target.kind kafka is not supported by ECS workers yet; run it with local workers`,
    );
  }
  if (scenario.target.kind === 'embedded') {
    throw new EcsLaunchError(
      `${scenario.file}: target.kind embedded runs the pipeline on this machine, out of the tasks' reach; ` +
        "ECS workers need target kind aws (the environment's streams) or kinesis with an endpoint the VPC reaches",
    );
  }
  const fileName = basename(scenario.file);
  const scenarioUri = `${resultsUri.replace(/\/+$/, '')}/scenario/${fileName}`;
  const storage = openLakeStorage(resultsUri, options.s3Client ? { s3Client: options.s3Client } : {});
  try {
    await storage.putBytes(`scenario/${fileName}`, await readFile(scenario.file));
  } catch (err) {
    throw new EcsLaunchError(`cannot upload the scenario to ${scenarioUri}: ${describeError(err)}`, {
      cause: err,
    });
  } finally {
    await storage.close();
  }

  const now = options.now ?? Date.now;
  const launchedAt = now();
  const startAt = new Date(launchedAt + (options.startDelayMs ?? DEFAULT_START_DELAY_MS)).toISOString();
  const client = options.client ?? createEcsClient(options.region);
  const runtime = { ...options, client };
  const args: WorkerArgs[] = Array.from({ length: workers }, (_, index) => ({
    index,
    of: workers,
    runId,
    scenario: scenarioUri,
    results: resultsUri,
    startAt,
  }));
  options.onProgress?.(
    `ecs: starting ${workers} load worker task(s) of ${options.taskDefinition} on ${options.cluster}; load starts at ${startAt}`,
  );
  const started = await startEcsWorkers({ ...runtime, workers: args });
  const waited = await waitForEcsWorkers(started, {
    ...runtime,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxWaitMs === undefined ? {} : { deadline: launchedAt + options.maxWaitMs }),
  });
  const results = await downloadWorkerResults(resultsUri, options.runDir, {
    workers,
    ...(options.s3Client ? { s3Client: options.s3Client } : {}),
  });
  const problems = [
    ...waited.reports.filter((r) => r.outcome !== 'succeeded').map(describeWorkerFailure),
    ...results.missing.map((w) => `${w} left no result file in ${resultsUri}/workers/`),
    ...results.invalid.map((x) => `${resultsUri}/${x.key}: ${x.reason}`),
  ];
  for (const p of problems) options.onProgress?.(`ecs: ${p}`);
  options.onProgress?.(
    `ecs: ${waited.reports.filter((r) => r.outcome === 'succeeded').length}/${workers} worker(s) exited 0; ` +
      `${Object.keys(results.files).length} result file(s) copied into ${options.runDir}/workers/`,
  );
  return {
    startAt,
    scenarioUri,
    workers: waited.reports,
    results,
    interrupted: waited.interrupted,
    timedOut: waited.timedOut,
    ok: problems.length === 0,
    problems,
  };
}
