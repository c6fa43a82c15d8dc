import type { Dataset, EventByDataset } from '../../schemas/index.js';

/** Where event time comes from: the wall clock, or a simulated clock for backfills. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** One price series of the grid generator: a market and its interval length. */
export interface GridSeries {
  /** `RTM` (5-minute SCED or 15-minute settlement) or `DAM` (hourly). */
  readonly market: 'RTM' | 'DAM';
  /** 5 or 15 for RTM, 60 for DAM. */
  readonly intervalMinutes: 5 | 15 | 60;
}

/** Options of the grid generator (`createGenerator('grid', { grid: … })`). */
export interface GridGeneratorOptions {
  /** Market of the prices (one series; see `series` for several). @default 'RTM' */
  readonly market?: 'RTM' | 'DAM';
  /** Interval length, minutes: 5 or 15 for RTM, 60 for DAM. @default 15 (60 for DAM) */
  readonly intervalMinutes?: 5 | 15 | 60;
  /**
   * Several series at once, e.g. 5-minute SCED, 15-minute settlement and hourly DAM; overrides
   * `market` and `intervalMinutes`. A batch is then one step of the finest series.
   * @default one series from `market` and `intervalMinutes`
   */
  readonly series?: readonly GridSeries[];
  /** Synthetic resource nodes priced besides the hubs and load zones (`RESOURCE_NODES` prefix). @default 0 */
  readonly resourceNodes?: number;
  /**
   * A seeded scarcity event every evening (15-45 min at prices of 1,500-5,000 $/MWh, same UTC time
   * each day, so every 24-hour window holds one). @default false
   */
  readonly dailyScarcity?: boolean;
  /**
   * Probability that a 15-minute RTM price of a point is corrected (republished an hour later with
   * `version` 2, as ERCOT price corrections are). @default 0
   */
  readonly correctionRate?: number;
  /** Mean share of intervals with a scarcity spike (0..1); more likely in the evening. @default 0.001 */
  readonly spikeRate?: number;
  /** Settlement points to price (names from `SETTLEMENT_POINTS`). @default all */
  readonly settlementPoints?: readonly string[];
  /** Load zones with SYSTEM_CONDITIONS records (names from `LOAD_ZONES`). @default all */
  readonly loadZones?: readonly string[];
  /** Emit SETTLEMENT_POINT_PRICE records. @default true */
  readonly includePrices?: boolean;
  /** Emit SYSTEM_CONDITIONS records. @default true */
  readonly includeSystemConditions?: boolean;
}

/** Options of the weather generator (`createGenerator('weather', { weather: … })`). */
export interface WeatherGeneratorOptions {
  /** Location ids (from `WEATHER_LOCATIONS`, or stations of `weatherStations`). @default all */
  readonly locations?: readonly string[];
  /** Stations per location (1 = the 11 real locations; more adds nearby stations). @default 1 */
  readonly stationsPerLocation?: number;
  /** Emit an OBSERVATION per location and hour. @default true */
  readonly includeObservations?: boolean;
  /** Horizons of every forecast issue, hours ahead; empty for no forecasts. @default [1, 3, 6, 12, 24, 48] */
  readonly forecastHorizonsHours?: readonly number[];
  /** Issue forecasts at UTC hours divisible by this. @default 1 */
  readonly forecastEveryHours?: number;
}

/** Options of the transactions generator (`createGenerator('transactions', { transactions: … })`). */
export interface TransactionsGeneratorOptions {
  /** Bound of the open-trade set; when full, the oldest trade matures without further events. @default 200 */
  readonly maxOpenTrades?: number;
  /** Share of events that amend an open trade (0..1). @default 0.2 */
  readonly amendRate?: number;
  /** Share of events that cancel an open trade (0..1). @default 0.06 */
  readonly cancelRate?: number;
  /** Books (desks) trading; each has two traders. @default 4 */
  readonly books?: number;
}

/** Options every generator takes. */
export interface GeneratorOptions {
  /** Seed: the same seed, options and clock readings give the same events. @default 1 */
  readonly seed?: number;
  /** `producer_id` written into every event. @default `gridstream-<dataset>-<seed>` */
  readonly producerId?: string;
  /**
   * Clock for `event_time` (and `produced_at`). Wall clock by default; pass a simulated clock
   * for backfills.
   * @default the wall clock
   */
  readonly clock?: Clock;
  /**
   * Sequence number of the first event; `event_id` is a function of (seed, producerId, dataset,
   * sequence), so a restarted producer that must not repeat ids starts after the last one sent.
   * @default 0
   */
  readonly startSequence?: number;
  /** Grid model options (ignored by other datasets). */
  readonly grid?: GridGeneratorOptions;
  /** Weather model options (ignored by other datasets). */
  readonly weather?: WeatherGeneratorOptions;
  /** Trade life-cycle options (ignored by other datasets). */
  readonly transactions?: TransactionsGeneratorOptions;
}

/** A seeded synthetic source of valid events of one dataset. */
export interface EventGenerator<D extends Dataset = Dataset> {
  /** Dataset of the events. */
  readonly dataset: D;
  /** The next event (always valid against the dataset's contract). */
  next(): EventByDataset[D];
}

/** Climate of a weather location: the parameters of the synthetic weather model. */
export interface LocationClimate {
  /** Annual mean temperature, °C. */
  readonly meanTempC: number;
  /** Half the difference between the July and January means, °C. */
  readonly seasonalAmplitudeC: number;
  /** Half the clear-day difference between afternoon high and dawn low, °C. */
  readonly diurnalAmplitudeC: number;
  /** Annual mean dew point, °C. */
  readonly meanDewPointC: number;
  /** Seasonal amplitude of the dew point, °C. */
  readonly dewSeasonalAmplitudeC: number;
  /** Mean 10 m wind speed, m/s. */
  readonly meanWindMps: number;
  /** Cloudiness bias: negative is sunnier (logit of mean cloud cover). */
  readonly cloudBias: number;
  /** How readily clouds rain (0..1). */
  readonly wetness: number;
}

/** A weather location with real coordinates, mapped to an ERCOT load zone. */
export interface WeatherLocation {
  /** Stable key, e.g. `houston`. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** ERCOT load zone whose load and renewables the location's weather drives. */
  readonly loadZone: string;
  /** Latitude, degrees north. */
  readonly latitudeDeg: number;
  /** Longitude, degrees east (negative in Texas). */
  readonly longitudeDeg: number;
  /** Synthetic climate. */
  readonly climate: LocationClimate;
}

/** Size of a load zone's load and fleet, the parameters of the synthetic grid model. */
export interface LoadZoneProfile {
  /** Zone name, e.g. `LZ_HOUSTON`. */
  readonly zone: string;
  /** Load at mild weather and the daily-shape maximum, MW. */
  readonly baseLoadMw: number;
  /** Weight of the temperature response (1 = residential-heavy, lower for industrial zones). */
  readonly weatherSensitivity: number;
  /** Installed wind, MW. */
  readonly windMw: number;
  /** Installed solar, MW. */
  readonly solarMw: number;
  /** Nuclear, MW (runs flat). */
  readonly nuclearMw: number;
  /** Coal, MW. */
  readonly coalMw: number;
  /** Hydro, MW. */
  readonly hydroMw: number;
  /** Battery storage power, MW. */
  readonly storageMw: number;
  /** Biomass, landfill gas and other, MW. */
  readonly otherMw: number;
}

/** A priced settlement point. */
export interface SettlementPoint {
  /** ERCOT name, e.g. `HB_NORTH`. */
  readonly name: string;
  /** Contract type. */
  readonly type: 'HUB' | 'LOAD_ZONE' | 'RESOURCE_NODE';
  /** `load_zone` written into its events. */
  readonly loadZone: string;
  /** Marginal loss factor applied to the energy component (loss = energy × factor). */
  readonly lossFactor: number;
  /** Exposure of its congestion component to the grid's binding constraints. */
  readonly congestion: CongestionExposure;
}

/** $/MWh of congestion a settlement point sees per unit of each synthetic constraint. */
export interface CongestionExposure {
  /** Houston import constraint (binds at high Houston load): positive for points inside Houston. */
  readonly houstonImport: number;
  /** West export constraint (binds with high West wind and solar): negative for points in the West. */
  readonly westExport: number;
  /** South coast export constraint (binds with high coastal wind). */
  readonly southExport: number;
  /** Standard deviation of the unexplained part, $/MWh. */
  readonly noise: number;
}
