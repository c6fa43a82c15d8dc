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
  resourceNodes: 0,
  dailyScarcity: false,
  correctionRate: 0,
} as const;

/** Delay after which a corrected grid price is republished (with `version` 2), ms. */
export const GRID_CORRECTION_DELAY_MS = 3_600_000;

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
  /** Books (desks) trading; two traders each. */
  books: 4,
} as const;

/**
 * Trade events (NEW, AMEND, CANCEL) one book sends per day of simulated time: a power desk's pace (two
 * an hour). The transactions generator never spaces trades closer than a day / (books × this), so
 * volumes stay plausible at any rate: a book's NEW trades of a day add up to ~6 % of ERCOT's daily
 * load, gross (median over 90 simulated days; at most ~12 %).
 */
export const TRADE_EVENTS_PER_BOOK_PER_DAY = 48;

/**
 * A desk's trading limits, which every generated trade respects (and the curated quality rules may
 * check): at most `maxTradeMw` MW per trade, so `quantity_mwh` ≤ `maxTradeMw` × the delivery
 * window's hours, and never more than `maxTradeMwh`.
 */
export const DESK_LIMITS = {
  /** Largest trade, MW (a bilateral block). */
  maxTradeMw: 150,
  /** Largest trade, MWh (a month or quarter strip trades at most `maxLongTenorMw`: 25 MW × 2,208 h). */
  maxTradeMwh: 60_000,
  /** Largest month or quarter strip, MW (amendments included). */
  maxLongTenorMw: 25,
} as const;

/**
 * ERCOT's mean daily load, MWh (≈ 445 TWh a year): a desk's daily traded volume is a small
 * fraction of it.
 */
export const ERCOT_DAILY_LOAD_MWH = 1_220_000;

/**
 * The natural key of each dataset: a generator never emits two different events with one key,
 * except a deliberate revision that carries a higher `version`.
 * - grid: `settlement_point` for SETTLEMENT_POINT_PRICE, `load_zone` for SYSTEM_CONDITIONS;
 *   `event_time` is the interval start; revised by `version` (ERCOT price corrections).
 * - weather: `event_time` is the valid time; `forecast_issued_at` is null for observations. A
 *   forecast update is a new issue time (a new key), not a revision.
 * - transactions: NEW is version 1, each AMEND version + 1, a CANCEL the last version.
 */
export const NATURAL_KEYS = {
  grid: ['record_type', 'market', 'settlement_point|load_zone', 'interval_minutes', 'event_time'],
  weather: ['location_id', 'record_type', 'event_time', 'forecast_issued_at'],
  transactions: ['trade_id', 'version'],
} as const;

/** The field that orders revisions of one natural key (the latest wins). */
export const REVISION_FIELD = { grid: 'version', weather: null, transactions: 'version' } as const;

/** Settlement-point types of the contract. */
export const SETTLEMENT_POINT_TYPES = {
  HUB: 'HUB',
  LOAD_ZONE: 'LOAD_ZONE',
  RESOURCE_NODE: 'RESOURCE_NODE',
} as const;

/** `load_zone` of system-wide hubs (HB_BUSAVG, HB_HUBAVG), which belong to no single zone. */
export const SYSTEM_ZONE = 'ERCOT';
