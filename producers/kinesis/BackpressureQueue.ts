import type { BufferGauges } from './types.js';

/** The buffer limits a {@link BackpressureQueue} enforces. */
export interface BackpressureLimits {
  /** Max bytes accepted and not yet released. */
  readonly maxBytes: number;
  /** Max records accepted and not yet released. */
  readonly maxRecords: number;
}

interface Waiter {
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The sink's first stage: a budget of records and bytes accepted but not yet acknowledged, and the
 * queue of `put()` calls waiting for room in it. A record reserves its size when accepted and gives it
 * back when Kinesis acknowledges it (or it expires or fails); waiters are admitted in arrival order, so
 * a small record never overtakes a large one that waits. A record always fits an empty buffer, however
 * large, so nothing waits forever.
 *
 * The queue keeps the gauges it is given up to date in place (the sink passes its live counters), so
 * readers see them without a copy.
 *
 * @example
 * ```ts
 * const queue = new BackpressureQueue({ maxBytes: 32 * 1024 * 1024, maxRecords: 100_000 });
 * if (!queue.tryReserve(size)) await queue.wait(size); // room reserved either way
 * // … later, when Kinesis has the record:
 * queue.release(1, size);
 * ```
 */
export class BackpressureQueue {
  /** Live buffer gauges (the object given to the constructor). */
  public readonly gauges: BufferGauges;
  readonly #maxBytes: number;
  readonly #maxRecords: number;
  #waiters: Waiter[] = [];
  #empty: (() => void)[] = [];

  /**
   * @param limits - max records and bytes in the buffer
   * @param gauges - where the gauges live (reset to zero here)
   */
  public constructor(limits: BackpressureLimits, gauges: BufferGauges = {} as BufferGauges) {
    this.#maxBytes = limits.maxBytes;
    this.#maxRecords = limits.maxRecords;
    this.gauges = gauges;
    gauges.bufferedRecords = 0;
    gauges.bufferedBytes = 0;
    gauges.peakBufferedRecords = 0;
    gauges.peakBufferedBytes = 0;
    gauges.blockedPuts = 0;
  }

  /** `put()` calls waiting for room. */
  public get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Reserves room for one record when there is some and nobody waits before it.
   *
   * @param size - the record's bytes
   * @returns false when the caller must {@link wait}
   */
  public tryReserve(size: number): boolean {
    if (this.#waiters.length > 0 || !this.#fits(size)) return false;
    this.#reserve(size);
    return true;
  }

  /**
   * Queues a record behind those already waiting; resolves once its room is reserved.
   *
   * @param size - the record's bytes
   * @returns a promise that resolves when admitted, or rejects with the error given to {@link rejectWaiting}
   */
  public wait(size: number): Promise<void> {
    this.gauges.blockedPuts += 1;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ size, resolve, reject });
    });
  }

  /**
   * Gives back the room of records that left the buffer, admits waiters that now fit (in arrival order),
   * and wakes {@link drained} callers when the buffer is empty.
   *
   * @param records - how many records left
   * @param bytes - their bytes
   */
  public release(records: number, bytes: number): void {
    const g = this.gauges;
    g.bufferedBytes -= bytes;
    g.bufferedRecords -= records;
    while (this.#waiters.length > 0) {
      const w = this.#waiters[0]!;
      if (!this.#fits(w.size)) break;
      this.#waiters.shift();
      g.blockedPuts -= 1;
      this.#reserve(w.size);
      w.resolve();
    }
    if (g.bufferedRecords === 0 && this.#empty.length > 0) {
      const empty = this.#empty;
      this.#empty = [];
      for (const resolve of empty) resolve();
    }
  }

  /** Resolves once the buffer holds no record (at once when it is empty now). */
  public drained(): Promise<void> {
    if (this.gauges.bufferedRecords === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#empty.push(resolve));
  }

  /**
   * Turns every waiter away (the sink stopped or closed).
   *
   * @param error - what their `wait()` rejects with
   */
  public rejectWaiting(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    this.gauges.blockedPuts = 0;
    for (const w of waiters) w.reject(error);
  }

  /** Whether a record fits now (the first one always fits an empty buffer). */
  #fits(size: number): boolean {
    const g = this.gauges;
    return (
      g.bufferedRecords === 0 ||
      (g.bufferedBytes + size <= this.#maxBytes && g.bufferedRecords + 1 <= this.#maxRecords)
    );
  }

  #reserve(size: number): void {
    const g = this.gauges;
    g.bufferedBytes += size;
    g.bufferedRecords += 1;
    if (g.bufferedBytes > g.peakBufferedBytes) g.peakBufferedBytes = g.bufferedBytes;
    if (g.bufferedRecords > g.peakBufferedRecords) g.peakBufferedRecords = g.bufferedRecords;
  }
}
