export { type AbortOnSignalsOptions, abortOnSignals, EXIT_CODES, signalExitCode } from './abortOnSignals.js';
export { BufferPool, type BufferPoolOptions } from './BufferPool.js';
export { GridstreamError } from './errors.js';
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
