import { GridGenerator } from '../../producers/sources/GridGenerator.js';
import { batchStepMs, planRate, type RatePlan } from '../../producers/sources/ratePlan.js';
import type { GeneratorOptions } from '../../producers/sources/types.js';
import { WeatherGenerator } from '../../producers/sources/WeatherGenerator.js';
import type { Dataset } from '../../schemas/index.js';
import { peakRate } from '../model/scenarioModels.js';
import type { RateProfile } from '../profile/RateProfile.js';
import type { DatasetLoad } from '../scenario/types.js';

/** One worker's share of one dataset: its events, producer id, simulated time and generator options. */
export interface WorkerSlice {
  readonly dataset: Dataset;
  readonly producerId: string;
  /** Events of this worker: profile indexes index, index + of, … below the profile's total. */
  readonly events: number;
  /** Simulated span every worker gets, ms (a multiple of the dataset's batch step). */
  readonly spanMs: number;
  /** First simulated time of this worker, epoch ms. */
  readonly simulatedStartMs: number;
  /** The rate plan: universe, real-time rate, clock, generator options (startSequence = first sequence). */
  readonly plan: RatePlan;
  /** Options for createGenerator: the plan's, the seed, the producer id and the event mix. */
  readonly generatorOptions: GeneratorOptions;
  /** Wall-clock hold of a late event: late_by / speed, ms. */
  readonly lateHoldMs: number;
  /** Longest hold of an out-of-order event (two batches of wall time), ms. */
  readonly outOfOrderHoldMs: number;
}

/**
 * Events of worker `index` of `of` in a profile of `total` events (fractional: event k exists while k < total).
 *
 * @param total - the profile's totalEvents
 * @param index - worker number
 * @param of - workers
 */
export function workerEventCount(total: number, index: number, of: number): number {
  const n = Math.ceil(total);
  return index >= n ? 0 : Math.ceil((n - index) / of);
}

/**
 * One worker's slice of a dataset (the spec's natural-key rule): its own producer id
 * (`lt-<run_id>-<worker>-<dataset>`), and its own simulated time, starting at T0 + index × span where span
 * covers the largest worker's events at the universe's real-time rate, rounded up to a batch, plus one
 * batch of margin — so no two workers share a natural key or an event id. The universe is planRate's for
 * the worker's share of the profile's peak rate.
 *
 * @param dataset - dataset
 * @param load - its scenario load
 * @param profile - its rate profile
 * @param options - run id, worker name/number, seed and the run's simulated start
 */
export function workerSlice(
  dataset: Dataset,
  load: DatasetLoad,
  profile: RateProfile,
  options: {
    readonly runId: string;
    readonly name: string;
    readonly index: number;
    readonly of: number;
    readonly seed: number;
    readonly simulatedStartMs: number;
  },
): WorkerSlice {
  const { index, of } = options;
  const rate = Math.max(peakRate(profile) / of, 0.001);
  const probe = planRate(dataset, { rate, startMs: options.simulatedStartMs });
  const step = batchStepMs(dataset) ?? Math.max(1, Math.round(1000 / probe.realtimeRate));
  // The mix may leave record types out: the universe's real rate is then the generator's own.
  const mixed = withMix(dataset, load, probe.generatorOptions);
  const realtime =
    dataset === 'grid'
      ? new GridGenerator(mixed).eventsPerHour / 3600
      : dataset === 'weather'
        ? new WeatherGenerator(mixed).eventsPerHour / 3600
        : probe.realtimeRate;
  const biggest = workerEventCount(profile.totalEvents, 0, of);
  // Grid price corrections add a few events beyond the real-time rate: 2 % and a batch of margin.
  const spanMs = (Math.ceil(((biggest / realtime) * 1000 * 1.02) / step) + 1) * step;
  const plan = planRate(dataset, {
    rate,
    universe: probe.universe,
    startMs: probe.startMs + index * spanMs,
  });
  const producerId = `lt-${options.runId}-${options.name}-${dataset}`;
  const speed = rate / realtime;
  return {
    dataset,
    producerId,
    events: workerEventCount(profile.totalEvents, index, of),
    spanMs,
    simulatedStartMs: plan.startMs,
    plan,
    generatorOptions: withMix(dataset, load, {
      ...plan.generatorOptions,
      seed: options.seed,
      producerId,
    }),
    lateHoldMs: load.lateByMs / speed,
    outOfOrderHoldMs: Math.min(5_000, (2 * step) / speed),
  };
}

/**
 * The scenario's event mix as generator options: transactions' AMEND and CANCEL weights are the trade
 * generator's amend and cancel rates; for grid and weather a record type weighted 0 is left out (the
 * generators emit every key of their universe each interval, so other weights follow the universe).
 */
function withMix(dataset: Dataset, load: DatasetLoad, options: GeneratorOptions): GeneratorOptions {
  const mix = load.mix;
  if (!mix) return options;
  if (dataset === 'transactions') {
    return {
      ...options,
      transactions: { ...options.transactions, amendRate: mix.AMEND ?? 0, cancelRate: mix.CANCEL ?? 0 },
    };
  }
  if (dataset === 'grid') {
    return {
      ...options,
      grid: {
        ...options.grid,
        ...(mix.SETTLEMENT_POINT_PRICE === 0 ? { includePrices: false } : {}),
        ...(mix.SYSTEM_CONDITIONS === 0 ? { includeSystemConditions: false } : {}),
      },
    };
  }
  return {
    ...options,
    weather: {
      ...options.weather,
      ...(mix.OBSERVATION === 0 ? { includeObservations: false } : {}),
      ...(mix.FORECAST === 0 ? { forecastHorizonsHours: [] } : {}),
    },
  };
}
