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
}

/**
 * A deterministic clock for backfills and tests: time moves only by steps, never with real time.
 *
 * @example
 * ```ts
 * // 15-minute grid intervals from 1 July 2025; eventsUntil stops after the last complete interval
 * const clock = new SimulatedClock({ startMs: Date.UTC(2025, 6, 1), stepMs: 15 * 60_000 });
 * const gen = createGenerator('grid', { seed: 7, clock });
 * for (const e of eventsUntil(gen, Date.UTC(2025, 7, 1))) send(e);
 * ```
 */
export class SimulatedClock implements Clock {
  /** Step after every reading, ms. */
  public readonly stepMs: number;
  private current: number;

  public constructor(options: SimulatedClockOptions) {
    const { startMs, stepMs = 0 } = options;
    if (!Number.isSafeInteger(startMs)) {
      throw new InvalidSourceOptionError('clock.startMs', startMs, 'epoch milliseconds (integer)');
    }
    if (!Number.isSafeInteger(stepMs) || stepMs < 0) {
      throw new InvalidSourceOptionError('clock.stepMs', stepMs, 'an integer >= 0');
    }
    this.current = startMs;
    this.stepMs = stepMs;
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
}
