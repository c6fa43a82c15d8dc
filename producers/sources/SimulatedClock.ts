import { InvalidSourceOptionError } from './errors.js';
import type { Clock } from './types.js';

/** Options of a {@link SimulatedClock}. */
export interface SimulatedClockOptions {
  /** First reading, epoch milliseconds. */
  readonly startMs: number;
  /**
   * Advance after every reading, ms. The generators read the clock once per batch (grid: once per
   * interval, weather: once per hour) and once per event (transactions), so the step is "per
   * interval" for grid and weather and "per event" for transactions. 0 leaves the clock still until
   * {@link SimulatedClock.advance} is called.
   * @default 0
   */
  readonly stepMs?: number;
  /** End of the simulated range (exclusive), epoch milliseconds; {@link SimulatedClock.done} turns true there. */
  readonly endMs?: number;
}

/**
 * A deterministic clock for backfills and tests: time moves only by steps, never with real time.
 *
 * @example
 * ```ts
 * // Backfill July 2025 of 15-minute grid intervals
 * const clock = new SimulatedClock({ startMs: Date.UTC(2025, 6, 1), stepMs: 15 * 60_000, endMs: Date.UTC(2025, 7, 1) });
 * const gen = createGenerator('grid', { seed: 7, clock });
 * while (!clock.done) send(gen.next());
 * ```
 */
export class SimulatedClock implements Clock {
  /** Step after every reading, ms. */
  public readonly stepMs: number;
  /** End of the range, or +Infinity. */
  public readonly endMs: number;
  private current: number;

  public constructor(options: SimulatedClockOptions) {
    const { startMs, stepMs = 0, endMs = Number.POSITIVE_INFINITY } = options;
    if (!Number.isSafeInteger(startMs)) {
      throw new InvalidSourceOptionError('clock.startMs', startMs, 'epoch milliseconds (integer)');
    }
    if (!Number.isSafeInteger(stepMs) || stepMs < 0) {
      throw new InvalidSourceOptionError('clock.stepMs', stepMs, 'an integer >= 0');
    }
    if (endMs !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(endMs) || endMs < startMs)) {
      throw new InvalidSourceOptionError('clock.endMs', endMs, `an integer >= startMs (${startMs})`);
    }
    this.current = startMs;
    this.stepMs = stepMs;
    this.endMs = endMs;
  }

  /** Current simulated time; then advances by `stepMs`. */
  public now(): number {
    const t = this.current;
    this.current = t + this.stepMs;
    return t;
  }

  /** The next reading, without advancing. */
  public peek(): number {
    return this.current;
  }

  /**
   * Moves the clock forward.
   *
   * @param ms - how far; defaults to one step
   */
  public advance(ms: number = this.stepMs): void {
    if (!(ms >= 0)) throw new InvalidSourceOptionError('advance(ms)', ms, 'a number >= 0');
    this.current += ms;
  }

  /** True once the next reading would be at or after `endMs`. */
  public get done(): boolean {
    return this.current >= this.endMs;
  }
}
