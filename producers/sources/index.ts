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
  type BackfillEventsOptions,
  type BackfillOptions,
  backfill,
  backfillClock,
  backfillEvents,
  eventsUntil,
  type ScarcityInterval,
  scarcityIntervals,
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
  DESK_LIMITS,
  ERCOT_DAILY_LOAD_MWH,
  ERCOT_PRICE_CAP_USD_MWH,
  ERCOT_PRICE_FLOOR_USD_MWH,
  GRID_CORRECTION_DELAY_MS,
  GRID_DEFAULTS,
  NATURAL_KEYS,
  REVISION_FIELD,
  SCARCITY_THRESHOLD_USD_MWH,
  SYNTHETIC_SOURCE,
  SYSTEM_ZONE,
  TRADE_EVENTS_PER_BOOK_PER_DAY,
  TRANSACTIONS_DEFAULTS,
  WEATHER_DEFAULTS,
} from './constants.js';
export { createGenerator } from './createGenerator.js';
export {
  LOAD_ZONES,
  MAX_RESOURCE_NODES,
  MAX_STATIONS_PER_LOCATION,
  RESOURCE_NODES,
  SETTLEMENT_POINTS,
  WEATHER_LOCATIONS,
  weatherStations,
} from './ercotCatalog.js';
export { InvalidSourceOptionError, SourceError, TimeConversionError } from './errors.js';
export { type EventIdKey, eventIdFor, eventIdFromKey, eventIdKey } from './eventId.js';
export { GridGenerator } from './GridGenerator.js';
export {
  centsPrice,
  type GridInterval,
  gridIntervalAt,
  inScarcityEvent,
  type PriceComponents,
  type PriceDrivers,
  pointKey,
  priceAt,
  type ScarcityEvent,
  scarcityEventOn,
  solarCapacityFactor,
  temperatureResponse,
  windCapacityFactor,
  windShearRatio,
  type ZoneConditions,
  type ZoneWeather,
  zoneWeatherAt,
} from './gridModel.js';
export { correctionOf } from './priceCorrections.js';
export { hashUnit, mulberry32, type RandomStream } from './prng.js';
export {
  batchStepMs,
  COMPANY_UNIVERSE,
  COMPANY_UNIVERSE_SIZE,
  ImpossibleRateError,
  planRate,
  type RatePlan,
  type RatePlanRequest,
  realtimeRate,
  UNIVERSE_KNOBS,
  universeOptions,
} from './ratePlan.js';
export { SimulatedClock, type SimulatedClockOptions } from './SimulatedClock.js';
export { MAX_BOOKS, TransactionsGenerator } from './TransactionsGenerator.js';
export type {
  Clock,
  CongestionExposure,
  EventGenerator,
  GeneratorOptions,
  GridGeneratorOptions,
  GridSeries,
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
