import { setTimeout as sleep } from 'node:timers/promises';
import {
  RETRY_DEFAULTS,
  type RetryDefaults,
  TRANSIENT_ERROR_NAMES,
  TRANSIENT_NETWORK_CODES,
} from './constants.js';
import { RetriesExhaustedError } from './errors.js';

/** Options of {@link createRetrier}; every field defaults to {@link RETRY_DEFAULTS}. */
export type RetryOptions = Partial<RetryDefaults> & {
  /** Random source in [0, 1), for deterministic tests. @default Math.random */
  readonly random?: () => number;
};

/**
 * Stops retrying at once: the retrier rejects with the given error.
 *
 * @param error - what the retrier rejects with
 */
export type Bail = (error: unknown) => never;

/**
 * Runs `fn` until it resolves, a non-retriable error is thrown, `bail` is called, or the retry
 * budget (attempts or total time) runs out.
 *
 * @param fn - the operation; receives `bail` and the 0-based attempt number
 * @param signal - aborts the waiting between attempts (the retrier then rejects with the last error)
 */
export type Retrier = <T>(
  fn: (bail: Bail, attempt: number) => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;

const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

class BailSignal {
  public constructor(public readonly error: unknown) {}
}

/**
 * Whether retrying may help, decided on the error's `retriable` flag, then its `name` (and the socket
 * error `code` for network failures), never its message. Programming errors are never retriable.
 *
 * @param error - any thrown value
 */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (PROGRAMMING_ERRORS.has(error.name)) return false;
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
 * `maxBackoffMs`, scaled by a random factor in [1 - factor, 1 + factor] so that producers throttled
 * together do not retry together.
 *
 * @param attempt - 0-based number of the attempt that just failed
 * @param options - retry timing
 * @param random - random source in [0, 1)
 */
export function backoffDelayMs(attempt: number, options: RetryDefaults, random: () => number): number {
  const base = Math.min(options.maxBackoffMs, options.initialRetryTimeMs * options.multiplier ** attempt);
  const jitter = 1 - options.factor + 2 * options.factor * random();
  return Math.max(0, Math.round(base * jitter));
}

/**
 * Creates the retrier: jittered exponential backoff with a maximum total time and a `bail` to stop
 * early. One retrier is injected wherever something is retried, so tests swap in fast timing
 * ({@link RETRY_TEST_DEFAULTS}) in one place.
 *
 * @param options - timing overrides
 * @example
 * ```ts
 * const retry = createRetrier({ maxRetryTimeMs: 60_000 });
 * const shards = await retry(async (bail) => {
 *   try { return await listShards(); }
 *   catch (err) { if (!isRetriable(err)) bail(err); throw err; }
 * });
 * ```
 */
export function createRetrier(options: RetryOptions = {}): Retrier {
  const timing: RetryDefaults = {
    initialRetryTimeMs: options.initialRetryTimeMs ?? RETRY_DEFAULTS.initialRetryTimeMs,
    multiplier: options.multiplier ?? RETRY_DEFAULTS.multiplier,
    factor: options.factor ?? RETRY_DEFAULTS.factor,
    maxBackoffMs: options.maxBackoffMs ?? RETRY_DEFAULTS.maxBackoffMs,
    maxRetryTimeMs: options.maxRetryTimeMs ?? RETRY_DEFAULTS.maxRetryTimeMs,
    retries: options.retries ?? RETRY_DEFAULTS.retries,
  };
  const random = options.random ?? Math.random;
  const bail: Bail = (error) => {
    throw new BailSignal(error);
  };
  return async <T>(fn: (bail: Bail, attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(bail, attempt);
      } catch (err) {
        if (err instanceof BailSignal) throw err.error;
        if (!isRetriable(err)) throw err;
        const delay = backoffDelayMs(attempt, timing, random);
        const elapsed = Date.now() - started;
        if (attempt >= timing.retries || elapsed + delay > timing.maxRetryTimeMs || signal?.aborted) {
          throw new RetriesExhaustedError(attempt + 1, err);
        }
        try {
          await sleep(delay, undefined, signal ? { signal } : undefined);
        } catch {
          throw new RetriesExhaustedError(attempt + 1, err);
        }
      }
    }
  };
}
