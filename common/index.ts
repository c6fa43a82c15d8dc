export { type AbortOnSignalsOptions, abortOnSignals, EXIT_CODES, signalExitCode } from './abortOnSignals.js';
export { BufferPool, type BufferPoolOptions } from './BufferPool.js';
export { GridstreamError } from './errors.js';
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
