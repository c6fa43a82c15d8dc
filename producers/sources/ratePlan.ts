import type { Dataset } from '../../schemas/index.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, TRADE_EVENTS_PER_BOOK_PER_DAY } from './constants.js';
import { MAX_RESOURCE_NODES, MAX_STATIONS_PER_LOCATION, SETTLEMENT_POINTS } from './ercotCatalog.js';
import { InvalidSourceOptionError, SourceError } from './errors.js';
import { GridGenerator } from './GridGenerator.js';
import { SimulatedClock } from './SimulatedClock.js';
import { MAX_BOOKS } from './TransactionsGenerator.js';
import type { Clock, GeneratorOptions, GridGeneratorOptions } from './types.js';
import { WeatherGenerator } from './WeatherGenerator.js';

/**
 * The key universe of a real company's day, which `gridstream up` runs at speed 1 and backfills:
 * - grid: 7 hubs, 8 load zones and 200 resource nodes priced every 5 minutes (SCED), every 15
 *   minutes (RTM settlement) and every hour (DAM), plus 6 zones' system conditions every 15 minutes,
 *   a seeded evening scarcity event every day and rare price corrections: 3,679 events an hour
 *   (1.02/s);
 * - weather: 11 Texas locations, an observation and 6 forecast horizons each, every hour: 77 events an
 *   hour (0.021/s);
 * - transactions: 4 books trading 48 events a day each: 192 a day (0.0022/s).
 */
export const COMPANY_UNIVERSE = {
  grid: {
    series: [
      { market: 'RTM', intervalMinutes: 5 },
      { market: 'RTM', intervalMinutes: 15 },
      { market: 'DAM', intervalMinutes: 60 },
    ],
    resourceNodes: 200,
    dailyScarcity: true,
    correctionRate: 0.0005,
  },
  weather: { stationsPerLocation: 1 },
  transactions: { books: 4 },
} as const satisfies {
  grid: GridGeneratorOptions;
  weather: GeneratorOptions['weather'];
  transactions: GeneratorOptions['transactions'];
};

/** The one number that widens a dataset's key universe. */
export const UNIVERSE_KNOBS = {
  grid: { option: 'resourceNodes', unit: 'resource nodes', min: 0, max: MAX_RESOURCE_NODES },
  weather: {
    option: 'stationsPerLocation',
    unit: 'stations per location',
    min: 1,
    max: MAX_STATIONS_PER_LOCATION,
  },
  transactions: { option: 'books', unit: 'books', min: 1, max: MAX_BOOKS },
} as const;

/** The company universe's size on each dataset's knob. */
export const COMPANY_UNIVERSE_SIZE: Readonly<Record<Dataset, number>> = {
  grid: COMPANY_UNIVERSE.grid.resourceNodes,
  weather: COMPANY_UNIVERSE.weather.stationsPerLocation,
  transactions: COMPANY_UNIVERSE.transactions.books,
};

/** Generator options of a dataset's company universe widened (or narrowed) to `size` on its knob. */
export function universeOptions(dataset: Dataset, size: number): GeneratorOptions {
  if (dataset === 'grid') return { grid: { ...COMPANY_UNIVERSE.grid, resourceNodes: size } };
  if (dataset === 'weather') return { weather: { ...COMPANY_UNIVERSE.weather, stationsPerLocation: size } };
  return { transactions: { ...COMPANY_UNIVERSE.transactions, books: size } };
}

/**
 * Events per second of a universe at speed 1 (its real-time rate): every key once per interval.
 *
 * @param dataset - dataset
 * @param size - the universe's size on the dataset's knob ({@link UNIVERSE_KNOBS})
 */
export function realtimeRate(dataset: Dataset, size: number): number {
  if (dataset === 'transactions') return (size * TRADE_EVENTS_PER_BOOK_PER_DAY * 1000) / DAY_MS;
  const o = universeOptions(dataset, size);
  const perHour =
    dataset === 'grid' ? new GridGenerator(o).eventsPerHour : new WeatherGenerator(o).eventsPerHour;
  return perHour / 3600;
}

/** Simulated time of one batch (grid: the finest interval; weather: an hour; transactions: none). */
export function batchStepMs(dataset: Dataset): number | undefined {
  if (dataset === 'grid') return 5 * MINUTE_MS;
  if (dataset === 'weather') return HOUR_MS;
  return undefined;
}

/** A rate the user fixed explicitly together with a speed and a universe can only be reached by repeating keys. */
export class ImpossibleRateError extends SourceError {
  public constructor(message: string) {
    super(message);
    this.name = 'ImpossibleRateError';
  }
}

/** What the user asked of one producer. */
export interface RatePlanRequest {
  /** Events per second; 0 = as fast as the sink takes them. */
  readonly rate: number;
  /** Simulated seconds per wall-clock second, when given explicitly. */
  readonly speed?: number;
  /** The universe's size on the dataset's knob, when given explicitly. */
  readonly universe?: number;
  /** Where simulated time starts (aligned down to a batch). @default now */
  readonly startMs?: number;
  /** Stop after this many events (printed as the simulated time they cover). */
  readonly count?: number;
}

/** How a producer reaches its rate without repeating a natural key. */
export interface RatePlan {
  readonly dataset: Dataset;
  readonly rate: number;
  /** Universe size on the dataset's knob. */
  readonly universe: number;
  /** Events per second of that universe at speed 1. */
  readonly realtimeRate: number;
  /** Simulated seconds per wall second (`rate / realtimeRate`); undefined for rate 0 (as fast as the sink). */
  readonly speed: number | undefined;
  /** First event time (a batch start). */
  readonly startMs: number;
  /**
   * Generator options to pass to `createGenerator` with {@link RatePlan.clock}: the universe, and
   * `startSequence` = the simulated start in ms. Every universe sends less than one event per ms of
   * simulated time, so two runs of one seed over ranges that do not overlap never share an
   * `event_id` or a trade id.
   */
  readonly generatorOptions: GeneratorOptions;
  /** A fresh clock for the generator: one batch (or trade) of simulated time per reading. */
  clock(): Clock;
  /**
   * For `runProducer`'s `dueAtMs` (live producers): when an event is due on the wall clock, for a run
   * starting at wall time `nowMs`. Simulated time equals the wall clock at `nowMs` and runs `speed`×
   * from there: an event is due at `nowMs + (produced_at − nowMs) / speed` (the current batch at
   * once). A batch is sent all at once when its time comes, so at speed 1 event time = the wall clock.
   * Undefined for rate 0 (as fast as the sink takes them).
   */
  dueAtMs(nowMs: number): ((event: { readonly produced_at: number }) => number) | undefined;
  /** One line for the user, e.g. `grid: 200 events/s asked = 215 points × … at 196× speed`. */
  readonly description: string;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 1) return String(Math.round(n * 100) / 100);
  return n.toPrecision(2);
}

function universeText(dataset: Dataset, size: number): string {
  if (dataset === 'grid') {
    return `${SETTLEMENT_POINTS.length + size} settlement points (${size} resource nodes) × 5/15/60-min intervals`;
  }
  if (dataset === 'weather') return `${11 * size} weather stations × (observation + 6 forecasts) an hour`;
  return `${size} books × ${TRADE_EVENTS_PER_BOOK_PER_DAY} trade events a day`;
}

/**
 * Chooses how a producer reaches an asked rate without repeating a natural key: a universe (how many
 * keys an interval has) and a speed (simulated time per wall-clock second), explicitly.
 * - Nothing fixed: the universe closest to the rate at speed 1 (from the company universe, widened up
 *   to its maximum), and the speed that makes up the rest.
 * - `speed` fixed: the smallest universe whose real-time rate × speed reaches the rate; refused when
 *   even the widest cannot (keys would have to repeat).
 * - `universe` fixed: speed = rate / its real-time rate.
 * - both fixed: refused when rate > real-time rate × speed; a lower rate runs simulated time slower.
 * - rate 0: the universe (default: the company's), simulated time advancing one batch per batch sent.
 *
 * @param dataset - dataset
 * @param request - rate, speed, universe, start
 * @throws ImpossibleRateError for a combination that must repeat keys (the message says what to change)
 * @throws InvalidSourceOptionError for an out-of-range value
 */
export function planRate(dataset: Dataset, request: RatePlanRequest): RatePlan {
  const knob = UNIVERSE_KNOBS[dataset];
  const { rate, speed: askedSpeed, universe: askedUniverse } = request;
  if (!(rate >= 0) || !Number.isFinite(rate))
    throw new InvalidSourceOptionError('rate', rate, 'a number >= 0');
  if (askedSpeed !== undefined && !(askedSpeed > 0 && Number.isFinite(askedSpeed))) {
    throw new InvalidSourceOptionError('speed', askedSpeed, 'a number > 0');
  }
  if (
    askedUniverse !== undefined &&
    (!Number.isInteger(askedUniverse) || askedUniverse < knob.min || askedUniverse > knob.max)
  ) {
    throw new InvalidSourceOptionError(knob.option, askedUniverse, `an integer in ${knob.min}..${knob.max}`);
  }
  const widest = realtimeRate(dataset, knob.max);
  let universe: number;
  if (askedUniverse !== undefined) universe = askedUniverse;
  else if (rate === 0) universe = COMPANY_UNIVERSE_SIZE[dataset];
  else {
    const target = rate / (askedSpeed ?? 1);
    if (askedSpeed !== undefined && target > widest * (1 + 1e-9)) {
      throw new ImpossibleRateError(
        `${dataset}: ${fmt(rate)} events/s at --speed ${askedSpeed} needs ${fmt(target)} events/s of distinct keys in real time, ` +
          `but the widest ${dataset} universe (${universeText(dataset, knob.max)}) has ${fmt(widest)}/s: ` +
          `more would repeat an interval's keys. Raise --speed to at least ${fmt(Math.ceil(rate / widest))}, or lower the rate.`,
      );
    }
    universe = smallestUniverseReaching(dataset, Math.min(target, widest));
  }
  const real = realtimeRate(dataset, universe);
  const speed = rate === 0 ? undefined : rate / real;
  if (
    askedSpeed !== undefined &&
    askedUniverse !== undefined &&
    speed !== undefined &&
    speed > askedSpeed * (1 + 1e-9)
  ) {
    throw new ImpossibleRateError(
      `${dataset}: ${fmt(rate)} events/s with ${universe} ${knob.unit} at --speed ${askedSpeed} is impossible without repeating keys: ` +
        `that universe has ${fmt(real)} events/s in real time, so --speed ${askedSpeed} allows at most ${fmt(real * askedSpeed)}/s. ` +
        `Raise --speed to ${fmt(speed)}, widen the universe, or lower the rate.`,
    );
  }
  const step = batchStepMs(dataset);
  const now = request.startMs ?? Date.now();
  const startMs = step === undefined ? now : Math.floor(now / step) * step;
  // Transactions: one trade per reading, spaced by the real-time interval of the universe.
  const tradeStepMs = Math.max(1, Math.round(1000 / real));
  const clock = (): Clock => new SimulatedClock({ startMs, stepMs: step ?? tradeStepMs });
  const asked = rate === 0 ? 'as fast as the sink takes them' : `${fmt(rate)} events/s asked`;
  const pace =
    speed === undefined
      ? `simulated time from ${new Date(startMs).toISOString()}, advancing ${step === undefined ? `${fmt(tradeStepMs / 1000)} s per trade` : `one ${step / MINUTE_MS}-min step per batch`}`
      : `at ${fmt(speed)}× speed (simulated time from ${new Date(startMs).toISOString()}${speed > 1.001 ? ', running ahead of the wall clock' : ''})`;
  const covers =
    request.count === undefined
      ? ''
      : `; ${request.count.toLocaleString('en-US')} events cover ${formatSpan((request.count / real) * 1000)} of simulated time`;
  const description = `${dataset}: ${asked} = ${universeText(dataset, universe)} (${fmt(real)}/s in real time) ${pace}${covers}`;
  return {
    dataset,
    rate,
    universe,
    realtimeRate: real,
    speed,
    startMs,
    generatorOptions: { ...universeOptions(dataset, universe), startSequence: startMs },
    clock,
    dueAtMs: (nowMs) =>
      speed === undefined ? undefined : (event) => nowMs + (event.produced_at - nowMs) / speed,
    description,
  };
}

function smallestUniverseReaching(dataset: Dataset, target: number): number {
  const knob = UNIVERSE_KNOBS[dataset];
  const company = COMPANY_UNIVERSE_SIZE[dataset];
  // Never narrower than the company's universe unless the rate is below it: then the smallest that reaches it.
  let lo = realtimeRate(dataset, company) >= target ? knob.min : company;
  let hi: number = knob.max;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (realtimeRate(dataset, mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function formatSpan(ms: number): string {
  if (ms < HOUR_MS) return `${fmt(ms / MINUTE_MS)} min`;
  if (ms < 2 * DAY_MS) return `${fmt(ms / HOUR_MS)} h`;
  return `${fmt(ms / DAY_MS)} days`;
}
