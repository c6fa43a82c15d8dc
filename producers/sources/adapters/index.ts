export {
  ERCOT_BASE_URL,
  ERCOT_MAX_PAGES,
  ERCOT_PAGE_SIZE,
  ERCOT_REPORTS,
  ERCOT_SOURCE,
  OPEN_METEO_BASE_URL,
  OPEN_METEO_FORECAST_PATH,
  OPEN_METEO_HOURLY_VARIABLES,
  OPEN_METEO_SOURCE,
  RATE_LIMIT_DEFAULTS,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
} from './constants.js';
export { type ErcotQuery, ErcotSppPoller, type ErcotSppPollerOptions } from './ErcotSppPoller.js';
export {
  centralDate,
  defaultZoneOf,
  type ErcotContext,
  type ErcotMeta,
  type ErcotReport,
  ercotMeta,
  ercotToEvents,
  type ZoneOf,
} from './ercotEvents.js';
export { HttpStatusError, MalformedResponseError, NetworkError, RetriesExhaustedError } from './errors.js';
export { checkBaseUrl, getJson, type HttpContext, parseRetryAfter } from './httpJson.js';
export { OpenMeteoPoller, type OpenMeteoPollerOptions } from './OpenMeteoPoller.js';
export { type OpenMeteoContext, openMeteoToEvents } from './openMeteoEvents.js';
export { type Bail, backoffDelayMs, createRetrier, isRetriable, type Retrier, realSleep } from './retrier.js';
export { TokenBucket, type TokenBucketOptions } from './TokenBucket.js';
export type {
  FetchLike,
  PollPage,
  PollResult,
  RateLimitOptions,
  RejectedRecord,
  RetryOptions,
  RetryTiming,
  Sleep,
} from './types.js';
