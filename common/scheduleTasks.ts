/**
 * Work run on a schedule beside delivery (curation, compaction of closed raw hours). One scheduler
 * runs every task of a process one at a time, so two tasks never touch the lake together.
 *
 * @typeParam C - what each run receives besides the stop signal (e.g. the lake)
 */
export interface ScheduledTask<C extends object = object> {
  /** Name shown in the status. */
  readonly name: string;
  /** Interval between the end of one run of this task and the start of its next, ms. */
  readonly everyMs: number;
  /** Delay of the first run after the schedule starts, ms. @default everyMs */
  readonly firstRunAfterMs?: number;
  /** Run once more at shutdown ({@link TaskSchedule.runFinal}). @default true */
  readonly runOnShutdown?: boolean;
  /**
   * One run.
   *
   * @returns a short status shown in the live view (e.g. "curated 12,000 rows")
   */
  run(context: C & { readonly signal: AbortSignal }): Promise<string | undefined>;
}

/** The clock of a schedule; tests inject one that advances instantly. */
export interface SchedulerClock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts; leaves no listener on `signal` behind. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * Waits `ms` or until `signal` aborts, whichever comes first, and removes its abort listener either
 * way: a loop that sleeps on a long-lived signal must not add one listener per round (Node warns with
 * MaxListenersExceededWarning after 10 and the listeners leak).
 *
 * @param ms - how long
 * @param signal - ends the wait early
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The wall clock. */
export const SYSTEM_SCHEDULER_CLOCK: SchedulerClock = { now: () => Date.now(), sleep: abortableSleep };

/** The state of a task of a schedule, for a status view. */
export interface TaskStatus {
  readonly name: string;
  /** Status of the last run ("waiting" before the first; "failed: …" after an error). */
  readonly status: string;
  /** Runs so far (failed ones included). */
  readonly runs: number;
  /** Error of the last run, if it failed. */
  readonly error?: unknown;
}

/** Options of {@link scheduleTasks}. */
export interface TaskScheduleOptions<C extends object> {
  /** The tasks; when several are due together, the earlier in this list runs first. */
  readonly tasks: readonly ScheduledTask<C>[];
  /** Passed to every run. */
  readonly context: C;
  /** Stops the schedule (like {@link TaskSchedule.stop}). */
  readonly signal?: AbortSignal;
  /** @default the wall clock */
  readonly clock?: SchedulerClock;
  /** Called after every run (also failed ones: the schedule goes on, the next run redoes the work). */
  readonly onRun?: (status: TaskStatus) => void;
}

/** A running schedule. */
export interface TaskSchedule {
  /** Each task's last status, in task order. */
  readonly statuses: readonly TaskStatus[];
  /** Stops scheduling; resolves once a run in progress has finished. Idempotent. */
  stop(): Promise<void>;
  /**
   * After {@link stop}: runs every task with `runOnShutdown !== false` once more, in task order
   * (e.g. a last curation after delivery flushed everything).
   *
   * @param signal - given to the runs @default a signal that never aborts
   */
  runFinal(signal?: AbortSignal): Promise<void>;
}

/**
 * The one scheduler of gridstream's periodic work: a single loop that sleeps until the next task is
 * due, runs it to its end, and schedules that task's next run `everyMs` later. Runs never overlap
 * (curation and compaction see each other's results whole; both also hold the lake's lock against
 * a manual `gridstream curate`). A failed run is reported (`failed: <message>`) and the schedule goes
 * on. One abort listener on `signal` for the schedule's life, one per sleep, removed when it ends.
 *
 * @param options - tasks, context, signal, clock
 * @example
 * ```ts
 * const schedule = scheduleTasks({ tasks: [task], context: { lake }, signal });
 * // ... on shutdown:
 * await schedule.stop();
 * await schedule.runFinal();
 * ```
 */
export function scheduleTasks<C extends object>(options: TaskScheduleOptions<C>): TaskSchedule {
  const clock = options.clock ?? SYSTEM_SCHEDULER_CLOCK;
  const stopper = new AbortController();
  const onExternal = (): void => stopper.abort();
  options.signal?.addEventListener('abort', onExternal, { once: true });
  if (options.signal?.aborted) stopper.abort();
  const tasks = options.tasks;
  const statuses: TaskStatus[] = tasks.map((t) => ({ name: t.name, status: 'waiting', runs: 0 }));
  const start = clock.now();
  const due = tasks.map((t) => start + (t.firstRunAfterMs ?? t.everyMs));

  const runOne = async (i: number, signal: AbortSignal): Promise<void> => {
    const task = tasks[i]!;
    let next: TaskStatus;
    try {
      const status = await task.run({ ...options.context, signal });
      next = { name: task.name, status: status ?? 'ok', runs: statuses[i]!.runs + 1 };
    } catch (error) {
      next = {
        name: task.name,
        status: `failed: ${(error as Error)?.message ?? String(error)}`,
        runs: statuses[i]!.runs + 1,
        error,
      };
    }
    statuses[i] = next;
    options.onRun?.(next);
  };

  const loop = async (): Promise<void> => {
    if (tasks.length === 0) return;
    while (!stopper.signal.aborted) {
      let i = 0;
      for (let k = 1; k < tasks.length; k++) if (due[k]! < due[i]!) i = k;
      const wait = due[i]! - clock.now();
      if (wait > 0) await clock.sleep(wait, stopper.signal);
      if (stopper.signal.aborted) break;
      await runOne(i, stopper.signal);
      due[i] = clock.now() + tasks[i]!.everyMs;
    }
  };
  const done = loop();

  return {
    statuses,
    async stop() {
      stopper.abort();
      options.signal?.removeEventListener('abort', onExternal);
      await done;
    },
    async runFinal(signal = new AbortController().signal) {
      for (const [i, t] of tasks.entries()) if (t.runOnShutdown !== false) await runOne(i, signal);
    },
  };
}
