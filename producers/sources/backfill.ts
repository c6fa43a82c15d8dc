import type { Dataset, EventByDataset } from '../../schemas/index.js';
import { GRID_DEFAULTS, HOUR_MS, MINUTE_MS } from './constants.js';
import { createGenerator } from './createGenerator.js';
import { InvalidSourceOptionError } from './errors.js';
import { SimulatedClock } from './SimulatedClock.js';
import type { EventGenerator, GeneratorOptions } from './types.js';

/** Pacing of {@link backfillClock}. */
export interface BackfillClockOptions {
  /** First clock reading, epoch ms (rounded down to the dataset's interval for grid and weather). */
  readonly startMs: number;
  /** Grid interval length, minutes; must match the generator's `grid.intervalMinutes`. @default 15 (60 for DAM) */
  readonly intervalMinutes?: number;
  /** Transactions per simulated second. @default 1 */
  readonly tradesPerSecond?: number;
}

/**
 * A simulated clock that walks a generator through time exactly once: one step per grid interval,
 * per weather hour, or per trade (the generators read the clock once per batch, and once per trade).
 *
 * @param dataset - dataset of the generator the clock drives
 * @param options - start and pacing
 */
export function backfillClock(dataset: Dataset, options: BackfillClockOptions): SimulatedClock {
  const { startMs } = options;
  let stepMs: number;
  if (dataset === 'grid') stepMs = (options.intervalMinutes ?? GRID_DEFAULTS.intervalMinutes) * MINUTE_MS;
  else if (dataset === 'weather') stepMs = HOUR_MS;
  else {
    const rate = options.tradesPerSecond ?? 1;
    if (!(rate > 0 && rate <= 1000)) {
      throw new InvalidSourceOptionError('tradesPerSecond', rate, 'a number in (0, 1000]');
    }
    stepMs = Math.max(1, Math.round(1000 / rate));
  }
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0) {
    throw new InvalidSourceOptionError('intervalMinutes', options.intervalMinutes, 'a positive integer');
  }
  const aligned = dataset === 'transactions' ? startMs : Math.floor(startMs / stepMs) * stepMs;
  return new SimulatedClock({ startMs: aligned, stepMs });
}

/**
 * The events of a generator until its clock reaches `endMs`: stops at the first event whose
 * `produced_at` (the clock reading of its batch) is at or after `endMs`, so every batch (interval or
 * hour) before the end is complete.
 *
 * @param generator - any generator
 * @param endMs - end of the range, exclusive, epoch ms
 */
export function* eventsUntil<D extends Dataset>(
  generator: EventGenerator<D>,
  endMs: number,
): Generator<EventByDataset[D], void, undefined> {
  for (;;) {
    const event = generator.next();
    if (event.produced_at >= endMs) return;
    yield event;
  }
}

/** Options of {@link backfill}: the generator's options (without a clock) plus the range and pacing. */
export type BackfillOptions = Omit<GeneratorOptions, 'clock'> & {
  /** Start of the range, epoch ms. */
  readonly startMs: number;
  /** End of the range, exclusive, epoch ms. */
  readonly endMs: number;
  /** Transactions per simulated second. @default 1 */
  readonly tradesPerSecond?: number;
};

/**
 * Every event of a dataset over a time range, in simulated time (as fast as the CPU allows).
 *
 * @param dataset - dataset
 * @param options - seed, producer id, model options, range and pacing
 * @example
 * ```ts
 * for (const e of backfill('grid', { seed: 7, startMs: Date.UTC(2025, 6, 1), endMs: Date.UTC(2025, 7, 1) })) send(e);
 * ```
 */
export function backfill<D extends Dataset>(
  dataset: D,
  options: BackfillOptions,
): Iterable<EventByDataset[D]> {
  const { startMs, endMs, tradesPerSecond, ...generatorOptions } = options;
  if (!Number.isSafeInteger(startMs))
    throw new InvalidSourceOptionError('startMs', startMs, 'epoch milliseconds');
  if (!Number.isSafeInteger(endMs) || endMs <= startMs) {
    throw new InvalidSourceOptionError('endMs', endMs, `epoch milliseconds after startMs (${startMs})`);
  }
  const grid = generatorOptions.grid;
  const clock = backfillClock(dataset, {
    startMs,
    ...(grid?.intervalMinutes || grid?.market === 'DAM'
      ? { intervalMinutes: grid.intervalMinutes ?? 60 }
      : {}),
    ...(tradesPerSecond !== undefined ? { tradesPerSecond } : {}),
  });
  const generator = createGenerator(dataset, { ...generatorOptions, clock });
  return { [Symbol.iterator]: () => eventsUntil(generator, endMs) };
}
