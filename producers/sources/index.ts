export {
  type ErcotQuery,
  ErcotSppPoller,
  type ErcotSppPollerOptions,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  OpenMeteoPoller,
  type OpenMeteoPollerOptions,
  type PollerHttpOptions,
  type PollPage,
  type PollResult,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
  type RejectedRecord,
  RetriesExhaustedError,
  TokenBucket,
} from './adapters/index.js';
export {
  type BackfillClockOptions,
  type BackfillOptions,
  backfill,
  backfillClock,
  eventsUntil,
} from './backfill.js';
export {
  centralDayStartUtc,
  centralOffsetMs,
  centralWallMs,
  centralWallToUtc,
  isCentralDaylightTime,
} from './centralTime.js';
export {
  DEFAULT_SEED,
  ERCOT_PRICE_CAP_USD_MWH,
  ERCOT_PRICE_FLOOR_USD_MWH,
  GRID_DEFAULTS,
  SCARCITY_THRESHOLD_USD_MWH,
  SYNTHETIC_SOURCE,
  SYSTEM_ZONE,
  TRANSACTIONS_DEFAULTS,
  WEATHER_DEFAULTS,
} from './constants.js';
export { createGenerator } from './createGenerator.js';
export { LOAD_ZONES, SETTLEMENT_POINTS, WEATHER_LOCATIONS } from './ercotCatalog.js';
export { InvalidSourceOptionError, SourceError, TimeConversionError } from './errors.js';
export { type EventIdKey, eventIdFor, eventIdFromKey, eventIdKey } from './eventId.js';
export { GridGenerator } from './GridGenerator.js';
export {
  type GridInterval,
  gridIntervalAt,
  type PriceComponents,
  solarCapacityFactor,
  temperatureResponse,
  windCapacityFactor,
  windShearRatio,
  type ZoneConditions,
  type ZoneWeather,
  zoneWeatherAt,
} from './gridModel.js';
export { hashUnit, mulberry32, type RandomStream } from './prng.js';
export { SimulatedClock, type SimulatedClockOptions } from './SimulatedClock.js';
export { TransactionsGenerator } from './TransactionsGenerator.js';
export type {
  Clock,
  CongestionExposure,
  EventGenerator,
  GeneratorOptions,
  GridGeneratorOptions,
  LoadZoneProfile,
  LocationClimate,
  SettlementPoint,
  TransactionsGeneratorOptions,
  WeatherGeneratorOptions,
  WeatherLocation,
} from './types.js';
export { WALL_CLOCK, WallClock } from './WallClock.js';
export { WeatherGenerator } from './WeatherGenerator.js';
export {
  clearSkyGhi,
  cosSolarZenith,
  forecastAt,
  relativeHumidity,
  type WeatherSample,
  weatherAt,
} from './weatherModel.js';
