/** Retry timing: jittered exponential backoff bounded by a number of retries and a total time. */
export interface RetryTiming {
  /** Max attempts after the first one. */
  readonly retries: number;
  /** First backoff delay, ms. */
  readonly initialRetryTimeMs: number;
  /** Growth factor of the delay per attempt. */
  readonly multiplier: number;
  /** Jitter: each delay is scaled by a random factor in [1 - factor, 1 + factor]. */
  readonly factor: number;
  /** Cap on a single backoff delay, ms. */
  readonly maxBackoffMs: number;
  /** Total time after the first attempt after which the retrier gives up, ms. */
  readonly maxRetryTimeMs: number;
  /** A Retry-After (`retryAfterMs` on the error) longer than this is not waited for; the retrier gives up. */
  readonly maxRetryAfterMs: number;
}

/**
 * Waits `ms` milliseconds; injected so tests never really wait.
 *
 * @param ms - how long to wait
 * @param signal - rejects the wait early when aborted (an injected sleep may ignore it)
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Time source of the retry budget (structurally the same as the generators' `Clock`). */
export interface RetryClock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** Options of `createRetrier`: timing overrides plus the injected random source, sleep and clock. */
export type RetryOptions = Partial<RetryTiming> & {
  /** Random source in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** How to wait between attempts. @default `realSleep` (a timer that honours the abort signal) */
  readonly sleep?: Sleep;
  /** Time source for the total time budget. @default the wall clock */
  readonly clock?: RetryClock;
};

/**
 * Stops retrying at once: the retrier rejects with the given error.
 *
 * @param error - what the retrier rejects with
 */
export type Bail = (error: unknown) => never;

/**
 * Runs `fn` until it resolves, throws a non-retriable error, calls `bail`, or the retry budget
 * (attempts, total time, or a too long Retry-After) runs out; then rejects with `RetriesExhaustedError`.
 *
 * @param fn - the operation; receives `bail` and the 0-based attempt number
 * @param signal - aborts the waiting between attempts (the retrier then rejects with `RetriesExhaustedError`)
 */
export type Retrier = <T>(
  fn: (bail: Bail, attempt: number) => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;
