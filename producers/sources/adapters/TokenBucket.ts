import { realSleep, type Sleep } from '../../../common/retry/index.js';
import { InvalidSourceOptionError } from '../errors.js';
import type { Clock } from '../types.js';
import { WALL_CLOCK } from '../WallClock.js';
import type { RateLimitOptions } from './types.js';

/** Options of a {@link TokenBucket}. */
export interface TokenBucketOptions extends RateLimitOptions {
  /** Time source. @default the wall clock */
  readonly clock?: Clock;
  /** How to wait. @default setTimeout */
  readonly sleep?: Sleep;
}

/**
 * Client-side rate limit: a token bucket of `capacity` tokens refilled at `refillPerSecond`. Every
 * request takes one token; callers wait in FIFO order when the bucket is empty.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 0.5 }); // 30 requests/minute
 * await bucket.take();
 * ```
 */
export class TokenBucket {
  /** Burst size. */
  public readonly capacity: number;
  /** Tokens per second. */
  public readonly refillPerSecond: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private waited = 0;

  /**
   * @param options - capacity, refill rate, clock and sleep
   * @throws InvalidSourceOptionError on a non-positive capacity or rate
   */
  public constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1)) {
      throw new InvalidSourceOptionError('rateLimit.capacity', options.capacity, 'a number >= 1');
    }
    if (!(options.refillPerSecond > 0)) {
      throw new InvalidSourceOptionError(
        'rateLimit.refillPerSecond',
        options.refillPerSecond,
        'a number > 0',
      );
    }
    this.capacity = options.capacity;
    this.refillPerSecond = options.refillPerSecond;
    this.clock = options.clock ?? WALL_CLOCK;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = options.capacity;
    this.last = this.clock.now();
  }

  /** Total time callers were asked to wait, ms. */
  public get waitedMs(): number {
    return this.waited;
  }

  /** Takes a token, waiting for one when the bucket is empty. */
  public take(): Promise<void> {
    const turn = this.queue.then(() => this.acquire());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.refillPerSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const wait = Math.ceil(((1 - this.tokens) * 1000) / this.refillPerSecond);
      this.waited += wait;
      await this.sleep(wait);
    }
  }
}
