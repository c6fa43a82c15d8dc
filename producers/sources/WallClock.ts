import type { Clock } from './types.js';

/** The system clock: event time advances with real time. */
export class WallClock implements Clock {
  /** Current time, epoch milliseconds. */
  public now(): number {
    return Date.now();
  }
}

/** The shared wall clock, the generators' default. */
export const WALL_CLOCK: Clock = new WallClock();
