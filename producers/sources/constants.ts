/** `source` written into every synthetic event. */
export const SYNTHETIC_SOURCE = 'synthetic';

/** Default seed of the generators. */
export const DEFAULT_SEED = 1;

/** ERCOT's high system-wide offer cap, $/MWh: no settlement-point price goes above it. */
export const ERCOT_PRICE_CAP_USD_MWH = 5000;

/** ERCOT's offer floor, $/MWh: no settlement-point price goes below it. */
export const ERCOT_PRICE_FLOOR_USD_MWH = -250;

/**
 * Energy component at or above which an interval counts as a scarcity spike. Outside spikes the
 * synthetic system lambda stays below it, so counting intervals above it measures the spike rate.
 */
export const SCARCITY_THRESHOLD_USD_MWH = 1000;

/** Milliseconds in a minute, hour and day. */
export const MINUTE_MS = 60_000;
/** Milliseconds in an hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Grid interval lengths the contract allows: 5 (SCED), 15 (RTM settlement), 60 (DAM). */
export const GRID_INTERVAL_MINUTES = [5, 15, 60] as const;

/** Defaults of the grid generator. */
export const GRID_DEFAULTS = {
  market: 'RTM',
  intervalMinutes: 15,
  /** Probability that an interval is a scarcity spike (on average over a day). */
  spikeRate: 0.001,
  includePrices: true,
  includeSystemConditions: true,
} as const;

/** Defaults of the weather generator. */
export const WEATHER_DEFAULTS = {
  includeObservations: true,
  /** Horizons (hours ahead) of every forecast issue. */
  forecastHorizonsHours: [1, 3, 6, 12, 24, 48],
  /** A forecast is issued every this many hours (at hours divisible by it, UTC). */
  forecastEveryHours: 1,
} as const;

/** Defaults of the transactions generator. */
export const TRANSACTIONS_DEFAULTS = {
  /** Open trades kept for later AMEND/CANCEL; the oldest matures silently when full. */
  maxOpenTrades: 200,
  /** Share of events that amend an open trade. */
  amendRate: 0.2,
  /** Share of events that cancel an open trade. */
  cancelRate: 0.06,
} as const;

/** Settlement-point types of the contract. */
export const SETTLEMENT_POINT_TYPES = {
  HUB: 'HUB',
  LOAD_ZONE: 'LOAD_ZONE',
  RESOURCE_NODE: 'RESOURCE_NODE',
} as const;

/** `load_zone` of system-wide hubs (HB_BUSAVG, HB_HUBAVG), which belong to no single zone. */
export const SYSTEM_ZONE = 'ERCOT';
