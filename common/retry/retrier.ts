import { setTimeout as timer } from 'node:timers/promises';
import {
  PROGRAMMING_ERROR_NAMES,
  RETRY_DEFAULTS,
  TRANSIENT_ERROR_NAMES,
  TRANSIENT_NETWORK_CODES,
} from './constants.js';
import { RetriesExhaustedError } from './errors.js';
import type { Bail, Retrier, RetryClock, RetryOptions, RetryTiming, Sleep } from './types.js';

class BailSignal {
  public constructor(public readonly error: unknown) {}
}

const WALL_CLOCK: RetryClock = { now: () => Date.now() };

/** Waits with a timer (the production default); an aborted `signal` rejects the wait. */
export const realSleep: Sleep = async (ms, signal) => {
  await timer(ms, undefined, signal ? { signal } : undefined);
};

/**
 * Whether retrying may help. Decided on the error's `retriable` flag first; without one, on its `name`,
 * its socket error `code`, the AWS SDK's `$retryable` and an HTTP 5xx/429 status; never on its message.
 * Programming errors (`TypeError`, `RangeError`, …) are never retriable, whatever their flag says.
 *
 * @param error - any thrown value
 */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error) || PROGRAMMING_ERROR_NAMES.has(error.name)) return false;
  const e = error as Error & {
    retriable?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

/**
 * The delay before attempt `attempt + 1`: exponential from `initialRetryTimeMs`, capped at
 * `maxBackoffMs`, scaled by a random factor in [1 - factor, 1 + factor] so that clients throttled
 * together do not retry together.
 *
 * @param attempt - 0-based number of the attempt that just failed
 * @param timing - retry timing
 * @param random - random source in [0, 1)
 */
export function backoffDelayMs(
  attempt: number,
  timing: Pick<RetryTiming, 'initialRetryTimeMs' | 'multiplier' | 'factor' | 'maxBackoffMs'>,
  random: () => number,
): number {
  const base = Math.min(timing.maxBackoffMs, timing.initialRetryTimeMs * timing.multiplier ** attempt);
  return Math.max(0, Math.round(base * (1 - timing.factor + 2 * timing.factor * random())));
}

/**
 * Creates the retrier (kafkajs style): jittered exponential backoff, a total time budget and a `bail`.
 * A `retryAfterMs` on the error (HTTP Retry-After) raises the wait to at least that long; one beyond
 * `maxRetryAfterMs` ends the retries. One retrier is injected wherever something is retried, so tests
 * swap in fast timing and a fake sleep, clock and random source in one place.
 *
 * @param options - timing (unset fields from {@link RETRY_DEFAULTS}; callers pass their own preset) and
 *   the injected sleep, clock and random source
 * @example
 * ```ts
 * const retry = createRetrier({ ...HTTP_RETRY_DEFAULTS, sleep: async () => {} });
 * const shards = await retry(async (bail) => {
 *   try { return await listShards(); }
 *   catch (err) { if (!isRetriable(err)) bail(err); throw err; }
 * }, abortController.signal);
 * ```
 */
export function createRetrier(options: RetryOptions = {}): Retrier {
  const timing = withDefaults(options);
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? WALL_CLOCK;
  const bail: Bail = (error) => {
    throw new BailSignal(error);
  };
  return async <T>(fn: (bail: Bail, attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    const started = clock.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(bail, attempt);
      } catch (err) {
        if (err instanceof BailSignal) throw err.error;
        if (!isRetriable(err)) throw err;
        const retryAfter = (err as { retryAfterMs?: unknown }).retryAfterMs;
        const asked = typeof retryAfter === 'number' ? retryAfter : 0;
        const delay = Math.max(backoffDelayMs(attempt, timing, random), asked);
        const elapsed = clock.now() - started;
        if (
          attempt >= timing.retries ||
          elapsed + delay > timing.maxRetryTimeMs ||
          asked > timing.maxRetryAfterMs ||
          signal?.aborted
        ) {
          throw new RetriesExhaustedError(attempt + 1, err);
        }
        try {
          await sleep(delay, signal);
        } catch {
          throw new RetriesExhaustedError(attempt + 1, err);
        }
        // An injected sleep may ignore the signal; an abort during the wait still ends the retries.
        if (signal?.aborted) throw new RetriesExhaustedError(attempt + 1, err);
      }
    }
  };
}

/** The timing of `options`, each unset (or `undefined`) field taken from {@link RETRY_DEFAULTS}. */
function withDefaults(options: RetryOptions): RetryTiming {
  const pick = (key: keyof RetryTiming): number => options[key] ?? RETRY_DEFAULTS[key];
  return {
    retries: pick('retries'),
    initialRetryTimeMs: pick('initialRetryTimeMs'),
    multiplier: pick('multiplier'),
    factor: pick('factor'),
    maxBackoffMs: pick('maxBackoffMs'),
    maxRetryTimeMs: pick('maxRetryTimeMs'),
    maxRetryAfterMs: pick('maxRetryAfterMs'),
  };
}
