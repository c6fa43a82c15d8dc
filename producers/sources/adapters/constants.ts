import type { RetryTiming } from '../../../common/retry/index.js';

/** Default base URL of the Open-Meteo API. */
export const OPEN_METEO_BASE_URL = 'https://api.open-meteo.com';
/** Path of Open-Meteo's forecast endpoint. */
export const OPEN_METEO_FORECAST_PATH = '/v1/forecast';
/** Hourly variables requested from Open-Meteo, in the contract's order. */
export const OPEN_METEO_HOURLY_VARIABLES = [
  'temperature_2m',
  'relative_humidity_2m',
  'dew_point_2m',
  'wind_speed_10m',
  'wind_direction_10m',
  'shortwave_radiation',
  'cloud_cover',
  'precipitation',
] as const;
/** `source` of events from Open-Meteo. */
export const OPEN_METEO_SOURCE = 'open-meteo';

/** Default base URL of the ERCOT Public API. */
export const ERCOT_BASE_URL = 'https://api.ercot.com';
/** ERCOT reports the poller reads: real-time (NP6-905-CD, 15-minute) and day-ahead (NP4-190-CD, hourly) SPPs. */
export const ERCOT_REPORTS = {
  rtm: { path: '/api/public-reports/np6-905-cd/spp_node_zone_hub', market: 'RTM', intervalMinutes: 15 },
  dam: { path: '/api/public-reports/np4-190-cd/dam_stlmnt_pnt_prices', market: 'DAM', intervalMinutes: 60 },
} as const;
/** `source` of events from the ERCOT API. */
export const ERCOT_SOURCE = 'ercot-api';

/**
 * The pollers' production retry timing: jittered exponential backoff, ~5 retries within two minutes;
 * a Retry-After over two minutes is not waited for.
 */
export const HTTP_RETRY_DEFAULTS: RetryTiming = {
  retries: 5,
  initialRetryTimeMs: 300,
  multiplier: 2,
  factor: 0.2,
  maxBackoffMs: 30_000,
  maxRetryTimeMs: 120_000,
  maxRetryAfterMs: 120_000,
};

/** Fast poller retry timing for tests (same shape as {@link HTTP_RETRY_DEFAULTS}). */
export const HTTP_RETRY_TEST_DEFAULTS: RetryTiming = {
  retries: 3,
  initialRetryTimeMs: 1,
  multiplier: 2,
  factor: 0.2,
  maxBackoffMs: 10,
  maxRetryTimeMs: 5_000,
  maxRetryAfterMs: 5_000,
};

/** Client-side rate limits: below Open-Meteo's free tier (600/min) and ERCOT's API limit (30/min). */
export const RATE_LIMIT_DEFAULTS = {
  openMeteo: { capacity: 5, refillPerSecond: 2 },
  ercot: { capacity: 2, refillPerSecond: 0.5 },
} as const;

/** Pages fetched at most in one ERCOT poll (a guard against a server that never reports the last page). */
export const ERCOT_MAX_PAGES = 1_000;
/** Default ERCOT page size. */
export const ERCOT_PAGE_SIZE = 10_000;
