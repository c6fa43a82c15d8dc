import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Sleep } from '../../common/retry/index.js';
import type { DownloadedResults } from './workerFiles.js';

/** Where load-worker tasks run: what RunTask needs besides the per-worker overrides. */
export interface EcsWorkerTarget {
  /** Cluster name or ARN. */
  readonly cluster: string;
  /** Task definition: family (latest ACTIVE revision), `family:revision` or ARN. */
  readonly taskDefinition: string;
  /** Private subnets of the tasks (no public IP is assigned). */
  readonly subnets: readonly string[];
  /** Security groups of the tasks. */
  readonly securityGroups: readonly string[];
}

/** The deployed load-worker target of an environment, as its task definition's tags describe it. */
export interface DeployedLoadWorker extends EcsWorkerTarget {
  /** Where the environment's runs put their files, `s3://<bucket>/runs`; a run's own prefix is `<that>/<run id>`. */
  readonly resultsBase: string;
  /** The task definition's full ARN (with the revision that was current). */
  readonly taskDefinitionArn: string;
}

/** Clients and clocks {@link launchEcsWorkers} and its parts use; tests inject fakes. */
export interface EcsRuntime {
  /** ECS client. @default a new one (default credential chain, `region` or `AWS_REGION`) */
  readonly client?: ECSClient;
  /** S3 client for the scenario upload and the results. @default the lake's standard one */
  readonly s3Client?: S3Client;
  /** AWS region of the cluster. @default `AWS_REGION` */
  readonly region?: string;
  /** Waits between polls; honours the signal. @default a real timer */
  readonly sleep?: Sleep;
  /** Wall clock, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Progress and failure lines (plain text, one event each). @default none */
  readonly onProgress?: (line: string) => void;
}

/** Options of {@link launchEcsWorkers}. */
export interface LaunchEcsWorkersOptions extends EcsWorkerTarget, EcsRuntime {
  /**
   * The scenario the workers run: a `.yaml` path (the run's effective copy, RUN_DIR/scenario.yaml) or a shipped
   * scenario's name; validated (target kind `aws` or `kinesis`), then uploaded next to the results.
   */
  readonly scenario: string;
  /** The run's id (`<scenario>-<UTC stamp>`). */
  readonly runId: string;
  /** How many tasks (workers) to start, 1..1000: each takes 1/N of the rate and its own sequence range. */
  readonly workers: number;
  /** The run's results prefix, `s3://bucket/prefix/<run id>`: workers write `workers/w<i>.json` below it. */
  readonly resultsUri: string;
  /** The run's local folder: the worker result files are copied into `<runDir>/workers/`. */
  readonly runDir: string;
  /**
   * How long after the launch the workers start their load together (`--start-at`): time for Fargate to
   * place the tasks and pull the image. @default 180 s
   */
  readonly startDelayMs?: number;
  /** Stop the tasks (and report them timed out) when they have not all stopped this long after launch. @default no limit */
  readonly maxWaitMs?: number;
  /** Aborting stops every task (SIGTERM: each worker ends its load and writes its result), then waits for them. */
  readonly signal?: AbortSignal;
}

/** One started worker task. */
export interface StartedWorker {
  /** `w<index>`. */
  readonly worker: string;
  readonly index: number;
  readonly taskArn: string;
}

/** How one worker task ended. */
export interface EcsWorkerReport {
  /** `w<index>`. */
  readonly worker: string;
  readonly index: number;
  readonly taskArn: string;
  /**
   * `succeeded`: the container exited 0; `failed`: another exit code, or the task stopped without one (failed
   * to start, stopped by a user, timed out); `missing`: ECS no longer knows the task.
   */
  readonly outcome: 'succeeded' | 'failed' | 'missing';
  /** The load worker container's exit code, when it ran. */
  readonly exitCode?: number;
  /** ECS's stop code (`EssentialContainerExited`, `TaskFailedToStart`, `UserInitiated`, …). */
  readonly stopCode?: string;
  /** ECS's reason the task stopped. */
  readonly stoppedReason?: string;
  /** The container's own reason (e.g. `CannotPullContainerError: …`, `OutOfMemoryError`). */
  readonly containerReason?: string;
  /** ISO-8601 times the task started and stopped, when known. */
  readonly startedAt?: string;
  readonly stoppedAt?: string;
}

/** What {@link launchEcsWorkers} did. */
export interface EcsRunOutcome {
  /** The instant the workers were told to start their load at. */
  readonly startAt: string;
  /** Where the scenario was uploaded (the workers' `--scenario`). */
  readonly scenarioUri: string;
  /** One report per worker, by index. */
  readonly workers: readonly EcsWorkerReport[];
  /** The worker result files copied into `<runDir>/workers/`, the missing and the invalid ones. */
  readonly results: DownloadedResults;
  /** Whether the launch was interrupted (the signal aborted) or timed out. */
  readonly interrupted: boolean;
  readonly timedOut: boolean;
  /** True when every task exited 0 and every worker's result file arrived. */
  readonly ok: boolean;
  /** One line per failed worker and per missing or invalid result file (empty when ok). */
  readonly problems: readonly string[];
}
