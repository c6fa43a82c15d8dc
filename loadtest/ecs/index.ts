// Load workers at scale: one ECS Fargate task per worker (docs/LOADTEST.md, "At scale on AWS").
export { DEFAULT_START_DELAY_MS, STOP_REASONS, TASK_POLL_TIMING, WORKER_ENV } from './constants.js';
export {
  type DescribeLoadWorkerTargetOptions,
  describeLoadWorkerTarget,
} from './describeLoadWorkerTarget.js';
export { EcsLaunchError, WorkerArgsError } from './errors.js';
export { type FargateCost, type FargateTasks, fargateCost } from './fargateCost.js';
export {
  createEcsClient,
  describeWorkerFailure,
  launchEcsWorkers,
  type StartEcsWorkersOptions,
  startEcsWorkers,
  startedByOf,
  stopEcsWorkers,
  type WaitForEcsWorkersOptions,
  waitForEcsWorkers,
} from './launchEcsWorkers.js';
export type {
  DeployedLoadWorker,
  EcsRunOutcome,
  EcsRuntime,
  EcsWorkerReport,
  EcsWorkerTarget,
  LaunchEcsWorkersOptions,
  StartedWorker,
} from './types.js';
export {
  formatWorkerArgs,
  MAX_WORKERS,
  parseWorkerArgs,
  RUN_ID_PATTERN,
  WORKER_FLAGS,
  type WorkerArgs,
  workerName,
  workerResultKey,
} from './workerArgs.js';
export {
  type DownloadedResults,
  downloadWorkerResults,
  publishWorkerResult,
  type ResultsStorageOptions,
  stageWorkerScenario,
  WORKERS_FOLDER,
} from './workerFiles.js';
