export {
  type Bail,
  backoffDelayMs,
  createRetrier,
  isRetriable,
  type Retrier,
  RetriesExhaustedError,
  type RetryOptions,
  type RetryTiming,
  realSleep,
  type Sleep,
} from '../../../common/retry/index.js';
export {
  ERCOT_BASE_URL,
  ERCOT_MAX_PAGES,
  ERCOT_PAGE_SIZE,
  ERCOT_REPORTS,
  ERCOT_SOURCE,
  HTTP_RETRY_DEFAULTS,
  // The pollers' timing under the names this unit exported before the retrier moved to common/retry.
  HTTP_RETRY_DEFAULTS as RETRY_DEFAULTS,
  HTTP_RETRY_TEST_DEFAULTS,
  HTTP_RETRY_TEST_DEFAULTS as RETRY_TEST_DEFAULTS,
  OPEN_METEO_BASE_URL,
  OPEN_METEO_FORECAST_PATH,
  OPEN_METEO_HOURLY_VARIABLES,
  OPEN_METEO_SOURCE,
  RATE_LIMIT_DEFAULTS,
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
export { HttpStatusError, MalformedResponseError, NetworkError } from './errors.js';
export {
  checkBaseUrl,
  createHttpContext,
  getJson,
  type HttpContext,
  type PollerHttpOptions,
  parseRetryAfter,
} from './httpJson.js';
export { OpenMeteoPoller, type OpenMeteoPollerOptions } from './OpenMeteoPoller.js';
export { type OpenMeteoContext, openMeteoToEvents } from './openMeteoEvents.js';
export { TokenBucket, type TokenBucketOptions } from './TokenBucket.js';
export type {
  FetchLike,
  PollPage,
  PollResult,
  RateLimitOptions,
  RejectedRecord,
} from './types.js';
