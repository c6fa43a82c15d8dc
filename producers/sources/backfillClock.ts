import type { Dataset } from '../../schemas/index.js';
import { GRID_DEFAULTS, HOUR_MS, MINUTE_MS } from './constants.js';
import { InvalidSourceOptionError } from './errors.js';
import { SimulatedClock } from './SimulatedClock.js';

/** Options of {@link backfillClock}. */
export interface BackfillClockOptions {
  /** First event time, epoch ms (rounded down to the dataset's interval for grid and weather). */
  readonly startMs: number;
  /** End of the range (exclusive), epoch ms. */
  readonly endMs: number;
  /** Grid interval length, minutes; must match the generator's `grid.intervalMinutes`. @default 15 */
  readonly intervalMinutes?: number;
  /** Transactions per simulated second. @default 1 */
  readonly tradesPerSecond?: number;
}

/**
 * A simulated clock that walks a generator through a time range exactly once: one step per grid
 * interval, per weather hour, or per trade. Generate until `clock.done`.
 *
 * @param dataset - dataset of the generator the clock drives
 * @param options - range and pacing
 * @example
 * ```ts
 * const clock = backfillClock('grid', { startMs: Date.UTC(2025, 6, 1), endMs: Date.UTC(2025, 6, 8) });
 * const gen = createGenerator('grid', { seed: 3, clock });
 * const events = [];
 * while (!clock.done) events.push(gen.next());
 * ```
 */
export function backfillClock(dataset: Dataset, options: BackfillClockOptions): SimulatedClock {
  const { startMs, endMs } = options;
  let stepMs: number;
  if (dataset === 'grid') stepMs = (options.intervalMinutes ?? GRID_DEFAULTS.intervalMinutes) * MINUTE_MS;
  else if (dataset === 'weather') stepMs = HOUR_MS;
  else {
    const rate = options.tradesPerSecond ?? 1;
    if (!(rate > 0 && rate <= 1000)) throw new InvalidSourceOptionError('tradesPerSecond', rate, 'a number in (0, 1000]');
    stepMs = Math.max(1, Math.round(1000 / rate));
  }
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0) {
    throw new InvalidSourceOptionError('intervalMinutes', options.intervalMinutes, 'a positive integer');
  }
  const aligned = dataset === 'transactions' ? startMs : Math.floor(startMs / stepMs) * stepMs;
  return new SimulatedClock({ startMs: aligned, stepMs, endMs });
}
