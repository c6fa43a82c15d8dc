import type { Dataset, EventByDataset } from '../../schemas/index.js';
import { GRID_DEFAULTS, HOUR_MS, MINUTE_MS } from './constants.js';
import { createGenerator } from './createGenerator.js';
import { InvalidSourceOptionError } from './errors.js';
import { seed32Of } from './generatorOptions.js';
import { gridIntervalAt, inScarcityEvent } from './gridModel.js';
import { batchStepMs, COMPANY_UNIVERSE, planRate } from './ratePlan.js';
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
  const finest = grid?.series ? Math.min(...grid.series.map((x) => x.intervalMinutes)) : undefined;
  const clock = backfillClock(dataset, {
    startMs,
    ...(finest !== undefined
      ? { intervalMinutes: finest }
      : grid?.intervalMinutes || grid?.market === 'DAM'
        ? { intervalMinutes: grid.intervalMinutes ?? 60 }
        : {}),
    ...(tradesPerSecond !== undefined ? { tradesPerSecond } : {}),
  });
  const generator = createGenerator(dataset, { ...generatorOptions, clock });
  return { [Symbol.iterator]: () => eventsUntil(generator, endMs) };
}

/** Options of {@link backfillEvents}. */
export interface BackfillEventsOptions {
  /** Generator seed. */
  readonly seed: number;
  /** Start of the range, epoch ms (aligned down to the dataset's batch: 5 min for grid, 1 h for weather). */
  readonly startMs: number;
  /** End of the range, epoch ms, exclusive (aligned down likewise): batches starting before it are included. */
  readonly endMs: number;
  /** Universe size on the dataset's knob (`UNIVERSE_KNOBS`). @default the company universe's */
  readonly universe?: number;
  /** `producer_id`. @default `gridstream-<dataset>-<seed>` */
  readonly producerId?: string;
  /** Sequence of the first event. @default 0 */
  readonly startSequence?: number;
}

/**
 * Every event a company-universe producer sends over a range of simulated time, without Kinesis:
 * exactly what `gridstream up`'s backfill and `gridstream seed` deliver for the same seed and range
 * (they use this function), so a test can compute an independent oracle from it. The range ends
 * "at now" in the sense of the last complete batch: a batch (grid: one 5-minute step with the 15-minute
 * and hourly intervals starting then; weather: one hour) is included when it starts before `endMs`.
 *
 * @param dataset - dataset
 * @param options - seed and range
 * @example
 * ```ts
 * const end = Date.now();
 * const grid = [...backfillEvents('grid', { seed: 7, startMs: end - 86_400_000, endMs: end })];
 * ```
 */
export function backfillEvents<D extends Dataset>(
  dataset: D,
  options: BackfillEventsOptions,
): Iterable<EventByDataset[D]> {
  const { seed, startMs, endMs } = options;
  const plan = planRate(dataset, {
    rate: 0,
    startMs,
    ...(options.universe !== undefined ? { universe: options.universe } : {}),
  });
  const step = batchStepMs(dataset);
  const end = step === undefined ? endMs : Math.floor(endMs / step) * step;
  return {
    [Symbol.iterator]: () =>
      eventsUntil(
        createGenerator(dataset, {
          ...plan.generatorOptions,
          seed,
          clock: plan.clock(),
          ...(options.producerId !== undefined ? { producerId: options.producerId } : {}),
          ...(options.startSequence !== undefined ? { startSequence: options.startSequence } : {}),
        }),
        end,
      ),
  };
}

/** A scarcity interval of the company grid universe (RTM, 5- or 15-minute). */
export interface ScarcityInterval {
  /** Interval start, epoch ms. */
  readonly startMs: number;
  /** 5 (SCED) or 15 (settlement). */
  readonly intervalMinutes: 5 | 15;
  /** System lambda, $/MWh (≥ the scarcity threshold). */
  readonly energyUsdMwh: number;
  /** True when part of the seeded daily scarcity event (else a random spike). */
  readonly dailyEvent: boolean;
}

/**
 * The RTM intervals of the company grid universe whose energy price is at or above
 * `SCARCITY_THRESHOLD_USD_MWH`, in a range: deterministic from the seed, the list an oracle compares
 * a spike query with. Every 24-hour range holds at least one (the daily scarcity event).
 *
 * @param options - seed and range (batches starting in [startMs, endMs), aligned down to 5 min)
 */
export function scarcityIntervals(options: {
  seed: number;
  startMs: number;
  endMs: number;
}): ScarcityInterval[] {
  const step = 5 * MINUTE_MS;
  const seed32 = seed32Of(options.seed);
  const { spikeRate } = GRID_DEFAULTS;
  const out: ScarcityInterval[] = [];
  const end = Math.floor(options.endMs / step) * step;
  for (let t = Math.floor(options.startMs / step) * step; t < end; t += step) {
    const interval = gridIntervalAt(t, seed32, spikeRate, COMPANY_UNIVERSE.grid.dailyScarcity);
    if (!interval.spike) continue;
    const entry = {
      startMs: t,
      energyUsdMwh: interval.drivers.energyCents / 100,
      dailyEvent: inScarcityEvent(seed32, t),
    };
    out.push({ ...entry, intervalMinutes: 5 });
    if (t % (15 * MINUTE_MS) === 0) out.push({ ...entry, intervalMinutes: 15 });
  }
  return out;
}
