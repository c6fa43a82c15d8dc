/** How long after the launch the workers start their load together, by default: Fargate placement plus image pull. */
export const DEFAULT_START_DELAY_MS = 180_000;

/**
 * Polling of DescribeTasks while the workers run: from 5 s, × 1.5 per poll, at most 30 s apart (a task's
 * end is seen within 30 s; a 100-task run costs one call per poll).
 */
export const TASK_POLL_TIMING = {
  initialRetryTimeMs: 5_000,
  multiplier: 1.5,
  factor: 0.1,
  maxBackoffMs: 30_000,
} as const;

/** DescribeTasks takes at most this many tasks per call. */
export const DESCRIBE_TASKS_BATCH = 100;

/** `reason` of the StopTask calls the launcher makes. */
export const STOP_REASONS = {
  interrupted: 'gridstream loadtest: interrupted',
  timedOut: 'gridstream loadtest: the run took longer than its time limit',
  launchFailed: 'gridstream loadtest: another worker of the run could not start',
} as const;

/** Environment variables each task gets besides its command (shown in the console's task details). */
export const WORKER_ENV = {
  run: 'GRIDSTREAM_LOADTEST_RUN',
  worker: 'GRIDSTREAM_LOADTEST_WORKER',
} as const;
