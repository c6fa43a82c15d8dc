import { KINESIS_SHARD_WRITE_LIMITS } from '../kinesis/constants.js';

/** Write limits of one shard. */
export interface ShardWriteLimits {
  /** Data plus partition key bytes per second. */
  readonly bytesPerSecond: number;
  /** Records per second. */
  readonly recordsPerSecond: number;
}

/** What a {@link ShardWriteLimiter} let through and refused. */
export interface ShardWriteStats {
  readonly admittedRecords: number;
  readonly throttledRecords: number;
  /** Throttled records by shard key (`<stream>/<shardId>`), only shards that throttled. */
  readonly throttledByShard: Readonly<Record<string, number>>;
}

/** Buckets per window: the window slides in steps of a tenth of it. */
const BUCKETS = 10;

interface ShardWindow {
  /** Bucket number (time / bucket length) each slot holds. */
  readonly slot: Float64Array;
  readonly records: Float64Array;
  readonly bytes: Float64Array;
  sumRecords: number;
  sumBytes: number;
}

/**
 * Kinesis's per-shard write limits over a sliding 1-second window (ten 100 ms buckets): a record is
 * admitted when the shard's records and bytes of the last second, with it, stay within the limits;
 * otherwise it is throttled and not counted (a retry competes again). Used by the embedded emulator
 * when it enforces shard limits.
 *
 * @example
 * ```ts
 * const limiter = new ShardWriteLimiter();
 * limiter.admit('grid/shardId-000000000000', 512); // true until 1,000 records or 1 MiB in a second
 * ```
 */
export class ShardWriteLimiter {
  /** The limits enforced. */
  public readonly limits: ShardWriteLimits;
  readonly #now: () => number;
  readonly #bucketMs: number;
  readonly #shards = new Map<string, ShardWindow>();
  readonly #throttled = new Map<string, number>();
  #admitted = 0;
  #throttledTotal = 0;

  /**
   * @param limits - per-shard limits @default {@link KINESIS_SHARD_WRITE_LIMITS}
   * @param now - clock, milliseconds @default Date.now
   * @param windowMs - length of the window the limits apply to @default 1000
   */
  public constructor(
    limits: ShardWriteLimits = KINESIS_SHARD_WRITE_LIMITS,
    now: () => number = Date.now,
    windowMs = 1000,
  ) {
    if (!(limits.bytesPerSecond > 0) || !(limits.recordsPerSecond > 0)) {
      throw new RangeError(
        `ShardWriteLimiter: limits must be > 0, got ${limits.recordsPerSecond} records/s and ${limits.bytesPerSecond} B/s`,
      );
    }
    this.limits = { bytesPerSecond: limits.bytesPerSecond, recordsPerSecond: limits.recordsPerSecond };
    this.#now = now;
    this.#bucketMs = windowMs / BUCKETS;
  }

  /**
   * Counts a record against its shard when it fits the window, else refuses it.
   *
   * @param shard - shard key, e.g. `<stream>/<shardId>`
   * @param bytes - data plus partition key bytes
   * @returns true when admitted, false when throttled
   */
  public admit(shard: string, bytes: number): boolean {
    const bucket = Math.floor(this.#now() / this.#bucketMs);
    let w = this.#shards.get(shard);
    if (w === undefined) {
      w = {
        slot: new Float64Array(BUCKETS).fill(Number.NEGATIVE_INFINITY),
        records: new Float64Array(BUCKETS),
        bytes: new Float64Array(BUCKETS),
        sumRecords: 0,
        sumBytes: 0,
      };
      this.#shards.set(shard, w);
    }
    for (let i = 0; i < BUCKETS; i++) {
      if (w.slot[i]! <= bucket - BUCKETS && (w.records[i]! > 0 || w.bytes[i]! > 0)) {
        w.sumRecords -= w.records[i]!;
        w.sumBytes -= w.bytes[i]!;
        w.records[i] = 0;
        w.bytes[i] = 0;
      }
    }
    if (w.sumRecords + 1 > this.limits.recordsPerSecond || w.sumBytes + bytes > this.limits.bytesPerSecond) {
      this.#throttledTotal += 1;
      this.#throttled.set(shard, (this.#throttled.get(shard) ?? 0) + 1);
      return false;
    }
    const i = bucket % BUCKETS;
    w.slot[i] = bucket;
    w.records[i]! += 1;
    w.bytes[i]! += bytes;
    w.sumRecords += 1;
    w.sumBytes += bytes;
    this.#admitted += 1;
    return true;
  }

  /** Records admitted and throttled so far. */
  public stats(): ShardWriteStats {
    return {
      admittedRecords: this.#admitted,
      throttledRecords: this.#throttledTotal,
      throttledByShard: Object.fromEntries(this.#throttled),
    };
  }
}
