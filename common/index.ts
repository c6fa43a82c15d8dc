export { type AbortOnSignalsOptions, abortOnSignals, EXIT_CODES, signalExitCode } from './abortOnSignals.js';
export { BufferPool, type BufferPoolOptions } from './BufferPool.js';
export { GridstreamError } from './errors.js';
export {
  LOAD_WORKER_CONTAINER,
  LOAD_WORKER_RESULTS_PREFIX,
  LOAD_WORKER_SCRATCH_DIR,
  LOAD_WORKER_STOP_TIMEOUT_SECONDS,
  LOAD_WORKER_TAGS,
  loadWorkerFamily,
} from './loadWorkerTask.js';
export {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_SERVICES,
  METRICS_ENV,
  METRICS_NAMESPACE,
  type MetricDimensions,
  type MetricService,
  metricDimensions,
  useServiceDimension,
} from './metrics.js';
export * from './retry/index.js';
export {
  abortableSleep,
  type ScheduledTask,
  type SchedulerClock,
  SYSTEM_SCHEDULER_CLOCK,
  scheduleTasks,
  type TaskSchedule,
  type TaskScheduleOptions,
  type TaskStatus,
} from './scheduleTasks.js';
