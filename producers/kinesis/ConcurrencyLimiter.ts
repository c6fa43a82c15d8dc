import type { ConcurrencyGauges } from './types.js';

/**
 * How many PutRecords calls the sink may have in flight, adapted like TCP's congestion window
 * (additive increase, multiplicative decrease): a throttled call halves the limit (never below one), a
 * call without throttling raises it by one, up to the configured maximum. Throttling thus slows the sink
 * on top of the retrier's backoff, and the buffer fills until `put()` waits, instead of records being
 * dropped.
 *
 * The limiter keeps the gauges it is given up to date in place (the sink passes its live counters).
 *
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter(8);
 * while (batches.length > 0 && limiter.tryAcquire()) send(batches.shift()).finally(() => limiter.release());
 * ```
 */
export class ConcurrencyLimiter {
  /** Live gauges: calls in flight, the current limit and the lowest it reached. */
  public readonly gauges: ConcurrencyGauges;
  readonly #max: number;

  /**
   * @param max - the limit to start at and never exceed (at least 1; the sink validates it)
   * @param gauges - where the gauges live (initialized here)
   */
  public constructor(max: number, gauges: ConcurrencyGauges = {} as ConcurrencyGauges) {
    this.#max = max;
    this.gauges = gauges;
    gauges.inFlightCalls = 0;
    gauges.concurrencyLimit = max;
    gauges.lowestConcurrencyLimit = max;
  }

  /** The current limit. */
  public get limit(): number {
    return this.gauges.concurrencyLimit;
  }

  /**
   * Takes a slot for one call when fewer than the limit are in flight.
   *
   * @returns false when the call must wait for a {@link release}
   */
  public tryAcquire(): boolean {
    const g = this.gauges;
    if (g.inFlightCalls >= g.concurrencyLimit) return false;
    g.inFlightCalls += 1;
    return true;
  }

  /** Gives back the slot of a call that finished. */
  public release(): void {
    this.gauges.inFlightCalls -= 1;
  }

  /** Kinesis throttled a call (or entries of it): halve the limit, not below one. */
  public onThrottled(): void {
    const g = this.gauges;
    g.concurrencyLimit = Math.max(1, Math.floor(g.concurrencyLimit / 2));
    if (g.concurrencyLimit < g.lowestConcurrencyLimit) g.lowestConcurrencyLimit = g.concurrencyLimit;
  }

  /**
   * A call went through without throttling: one more call may fly, up to the maximum.
   *
   * @returns true when the limit grew (a waiting batch may go now)
   */
  public onSucceeded(): boolean {
    const g = this.gauges;
    if (g.concurrencyLimit >= this.#max) return false;
    g.concurrencyLimit += 1;
    return true;
  }
}
