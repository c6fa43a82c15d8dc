import type { OpenModelScheduler, ScheduledEvent } from './OpenModelScheduler.js';

/** The time source of {@link runOpenModel}: the wall clock in a run, a simulated one in tests. */
export interface LoadClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves at (or after) an epoch time, or early when the signal aborts. */
  sleepUntil(epochMs: number, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link runOpenModel}. */
export interface RunOpenModelOptions {
  readonly scheduler: OpenModelScheduler;
  readonly clock: LoadClock;
  /**
   * Generates and hands over a batch of due events (the array is reused: copy what you keep). Awaited:
   * a sink pushing back makes the loop fall behind, which shows as lag, never as a lower rate.
   */
  readonly emit: (events: readonly ScheduledEvent[]) => void | Promise<void>;
  /** Called after each batch with how late its oldest event was handed over, milliseconds. */
  readonly onLag?: (lagMs: number, stage: number) => void;
  /** Most events per batch. @default 500 */
  readonly maxBatch?: number;
  /** Stops the loop (Ctrl-C, an aborting threshold); the events not yet taken are not sent. */
  readonly signal?: AbortSignal;
}

/** What {@link runOpenModel} did. */
export interface OpenModelResult {
  /** Events handed to emit. */
  readonly emitted: number;
  /** Largest lag seen, milliseconds. */
  readonly maxLagMs: number;
  /** True when the signal stopped it before the profile's end. */
  readonly interrupted: boolean;
}

/**
 * Drives one worker's slice of a profile in the open model: sleeps until the next intended time, takes
 * every due event, emits them, and repeats; when emitting takes longer than the schedule allows, the
 * next round takes everything that fell due meanwhile (catching up) and reports the lag.
 *
 * @param options - scheduler, clock, emit and lag hooks
 * @example
 * ```ts
 * const scheduler = new OpenModelScheduler(new RateProfile(stages), { startMs: Date.now() });
 * await runOpenModel({ scheduler, clock: WALL_LOAD_CLOCK, emit: (batch) => sink.putAll(batch.map(make)) });
 * ```
 */
export async function runOpenModel(options: RunOpenModelOptions): Promise<OpenModelResult> {
  const { scheduler, clock, emit, onLag, signal } = options;
  const maxBatch = options.maxBatch ?? 500;
  const batch: ScheduledEvent[] = [];
  let emitted = 0;
  let maxLagMs = 0;
  while (!scheduler.done && !signal?.aborted) {
    const now = clock.now();
    if (scheduler.take(now, maxBatch, batch) === 0) {
      await clock.sleepUntil(scheduler.nextIntendedMs!, signal);
      continue;
    }
    const lag = now - batch[0]!.intendedMs;
    if (lag > maxLagMs) maxLagMs = lag;
    onLag?.(lag, batch[0]!.stage);
    await emit(batch);
    emitted += batch.length;
  }
  return { emitted, maxLagMs, interrupted: !scheduler.done };
}

/** The wall clock, sleeping with timers. */
export const WALL_LOAD_CLOCK: LoadClock = {
  now: () => Date.now(),
  sleepUntil: (epochMs, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, epochMs - Date.now()));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
