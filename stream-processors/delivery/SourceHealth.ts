import { setTimeout as delay } from 'node:timers/promises';
import {
  type Bail,
  isRetriable,
  type Retrier,
  RetriesExhaustedError,
  THROTTLING_ERROR_NAMES,
} from '../../common/retry/index.js';
import { describeSourceError, SourceUnreachableError } from './errors.js';

/** Wait before another retrier run when the last one made a single attempt (a retrier without retries), ms. */
const RESTART_PAUSE_MS = 1_000;

/** Carries a `bail` of a call run through {@link SourceHealth.retrierFor}. */
class Bailed {
  public constructor(public readonly error: unknown) {}
}
const bailOut: Bail = (error) => {
  throw new Bailed(error);
};

/**
 * True for "too fast" answers: Kinesis is there and answered, so they are retried but never count as
 * an outage.
 *
 * @param err - any thrown value
 */
export function isThrottling(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    (typeof e?.name === 'string' && THROTTLING_ERROR_NAMES.has(e.name)) ||
    e?.$metadata?.httpStatusCode === 429
  );
}

/** How long the worker keeps retrying a failing Kinesis. */
export interface SourcePolicy {
  /**
   * Give up (`SourceUnreachableError`) once Kinesis, after answering at least once, has been failing
   * this long, ms. `Infinity` for a long-running worker: an outage of any length is waited out.
   */
  readonly giveUpAfterMs: number;
  /** Give up once Kinesis has not answered at all this long since the start, ms. */
  readonly neverReachedGiveUpMs: number;
}

/**
 * Whether the worker's Kinesis answers: since when it has been failing, with which last error, and
 * whether it ever answered since the start. Every Kinesis call of the worker goes through
 * {@link SourceHealth.call}, which retries transient failures with the injected retrier, past its
 * own time budget, until the {@link SourcePolicy} says to give up.
 */
export class SourceHealth {
  readonly #now: () => number;
  readonly #policy: SourcePolicy;
  readonly #startedAt: number;
  #reached = false;
  #failingSince: number | undefined;
  #lastError: unknown;
  /** Transient Kinesis call failures since the start (every retried attempt counts). */
  public errors = 0;

  /**
   * @param now - clock, epoch ms
   * @param policy - when to give up
   */
  public constructor(now: () => number, policy: SourcePolicy) {
    this.#now = now;
    this.#policy = policy;
    this.#startedAt = now();
  }

  /** True once Kinesis answered a call. */
  public get reached(): boolean {
    return this.#reached;
  }

  /** How long Kinesis has been failing (since the start when it never answered), ms; 0 when it answers. */
  public get unreachableMs(): number {
    return this.#failingSince === undefined ? 0 : this.#now() - this.#failingSince;
  }

  /** The last error while failing, in short (`ECONNREFUSED`), or undefined when Kinesis answers. */
  public get lastError(): string | undefined {
    return this.#failingSince === undefined ? undefined : describeSourceError(this.#lastError);
  }

  /** Records a call Kinesis answered. */
  public succeeded(): void {
    this.#reached = true;
    this.#failingSince = undefined;
    this.#lastError = undefined;
  }

  /**
   * Records a transient failure.
   *
   * @param err - the error
   */
  public failed(err: unknown): void {
    this.errors++;
    this.#failingSince ??= this.#reached ? this.#now() : this.#startedAt;
    this.#lastError = err;
  }

  /** The error to give up with, when the policy's time is spent; else undefined. */
  public giveUp(): SourceUnreachableError | undefined {
    if (this.#failingSince === undefined) return undefined;
    const limit = this.#reached ? this.#policy.giveUpAfterMs : this.#policy.neverReachedGiveUpMs;
    const failing = this.#now() - this.#failingSince;
    return failing >= limit ? new SourceUnreachableError(this.#reached, failing, this.#lastError) : undefined;
  }

  /**
   * Runs a Kinesis call with retries: non-retriable errors end it at once, transient ones are retried
   * (with the retrier's backoff, starting over when its own budget runs out) until the call succeeds,
   * `signal` aborts (rejects with `RetriesExhaustedError`) or the policy gives up (rejects with
   * `SourceUnreachableError`).
   *
   * @param retrier - backoff between attempts
   * @param signal - stops the retries
   * @param fn - the call; receives the 0-based attempt number within the current retrier run
   * @param beforeRetry - runs before each retry (e.g. to flush a batch whose buffer interval passed)
   */
  public async call<T>(
    retrier: Retrier,
    signal: AbortSignal | undefined,
    fn: (attempt: number) => Promise<T>,
    beforeRetry?: () => Promise<void>,
  ): Promise<T> {
    for (;;) {
      try {
        return await retrier(async (bail, attempt) => {
          if (attempt > 0) {
            const give = this.giveUp();
            if (give) bail(give);
            try {
              await beforeRetry?.();
            } catch (err) {
              bail(err);
            }
          }
          let v: T;
          try {
            v = await fn(attempt);
          } catch (err) {
            if (err instanceof Bailed) bail(err.error);
            if (!isRetriable(err)) bail(err);
            // Our own stop aborted the call: not a sign of an outage.
            if (signal?.aborted) bail(new RetriesExhaustedError(attempt + 1, err));
            if (isThrottling(err)) this.succeeded();
            else this.failed(err);
            throw err;
          }
          this.succeeded();
          return v;
        }, signal);
      } catch (err) {
        // The retrier's own budget ran out, but the outage policy allows more: start another run.
        if (err instanceof RetriesExhaustedError && !signal?.aborted && isRetriable(err.cause)) {
          const give = this.giveUp();
          if (give) throw give;
          if (err.attempts <= 1)
            await delay(RESTART_PAUSE_MS, undefined, signal ? { signal } : {}).catch(() => {});
          if (signal?.aborted) throw err;
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * A `Retrier` that runs every call through {@link SourceHealth.call} (for helpers that take a
   * retrier, such as `listShards`); `bail` works as with the plain retrier.
   *
   * @param retrier - backoff between attempts
   * @param signal - stops the retries
   */
  public retrierFor(retrier: Retrier, signal: AbortSignal): Retrier {
    return <T>(fn: (bail: Bail, attempt: number) => Promise<T>): Promise<T> =>
      this.call(retrier, signal, (attempt) => fn(bailOut, attempt));
  }
}
