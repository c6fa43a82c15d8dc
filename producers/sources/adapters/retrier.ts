import { WALL_CLOCK } from '../WallClock.js';
import { RETRY_DEFAULTS } from './constants.js';
import { RetriesExhaustedError } from './errors.js';
import type { RetryOptions, RetryTiming, Sleep } from './types.js';

/**
 * Stops retrying at once: the retrier rejects with the given error.
 *
 * @param error - what the retrier rejects with
 */
export type Bail = (error: unknown) => never;

/**
 * Runs `fn` until it resolves, throws a non-retriable error, calls `bail`, or the retry budget
 * (attempts or total time) runs out, then rejects with {@link RetriesExhaustedError}.
 */
export type Retrier = <T>(fn: (bail: Bail, attempt: number) => Promise<T>) => Promise<T>;

const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

class BailSignal {
  public constructor(public readonly error: unknown) {}
}

/** Waits with `setTimeout` (the production default). */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether retrying may help, decided on the error's `retriable` flag, never on its message.
 * Programming errors (`TypeError`, `RangeError`, …) and errors without the flag are not retried.
 *
 * @param error - any thrown value
 */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error) || PROGRAMMING_ERRORS.has(error.name)) return false;
  return (error as { retriable?: unknown }).retriable === true;
}

/**
 * Delay before the next attempt: exponential from `initialRetryTimeMs`, capped at `maxBackoffMs`,
 * scaled by a random factor in [1 - factor, 1 + factor] so that clients throttled together do not
 * retry together.
 *
 * @param attempt - 0-based number of the attempt that just failed
 * @param timing - retry timing
 * @param random - random source in [0, 1)
 */
export function backoffDelayMs(attempt: number, timing: RetryTiming, random: () => number): number {
  const base = Math.min(timing.maxBackoffMs, timing.initialRetryTimeMs * timing.multiplier ** attempt);
  return Math.max(0, Math.round(base * (1 - timing.factor + 2 * timing.factor * random())));
}

/**
 * Creates the retrier (kafkajs style): jittered exponential backoff, a total time budget and a
 * `bail`. A `retryAfterMs` on the error (HTTP Retry-After) raises the wait to at least that long;
 * a Retry-After beyond `maxRetryAfterMs` ends the retries.
 *
 * @param options - timing (production defaults in `RETRY_DEFAULTS`, fast ones in `RETRY_TEST_DEFAULTS`)
 *   and the injected sleep, clock and random source
 * @example
 * ```ts
 * const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, sleep: async () => {} });
 * const body = await retry(async (bail, attempt) => fetchPage(attempt));
 * ```
 */
export function createRetrier(options: RetryOptions = {}): Retrier {
  const timing: RetryTiming = { ...RETRY_DEFAULTS, ...stripUndefined(options) };
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? WALL_CLOCK;
  const bail: Bail = (error) => {
    throw new BailSignal(error);
  };
  return async <T>(fn: (bail: Bail, attempt: number) => Promise<T>): Promise<T> => {
    const started = clock.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(bail, attempt);
      } catch (err) {
        if (err instanceof BailSignal) throw err.error;
        if (!isRetriable(err)) throw err;
        const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs;
        const delay = Math.max(backoffDelayMs(attempt, timing, random), retryAfter ?? 0);
        const elapsed = clock.now() - started;
        if (
          attempt >= timing.retries ||
          elapsed + delay > timing.maxRetryTimeMs ||
          (retryAfter !== undefined && retryAfter > timing.maxRetryAfterMs)
        ) {
          throw new RetriesExhaustedError(attempt + 1, err);
        }
        await sleep(delay);
      }
    }
  };
}

function stripUndefined(options: RetryOptions): Partial<RetryTiming> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(RETRY_DEFAULTS) as (keyof RetryTiming)[]) {
    const v = options[key];
    if (v !== undefined) out[key] = v;
  }
  return out as Partial<RetryTiming>;
}
