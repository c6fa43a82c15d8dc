import type { RetryTiming } from './types.js';

/**
 * Production retry timing when a caller passes none: retry as long as the total budget allows (five
 * minutes, the Kinesis sink's default record TTL), with waits between 100 ms and 5 s. Callers with
 * their own needs pass a named preset (`KINESIS_RETRY_DEFAULTS`, `HTTP_RETRY_DEFAULTS`).
 */
export const RETRY_DEFAULTS: RetryTiming = {
  retries: Number.POSITIVE_INFINITY,
  initialRetryTimeMs: 100,
  multiplier: 2,
  factor: 0.2,
  maxBackoffMs: 5_000,
  maxRetryTimeMs: 300_000,
  // Only the total budget bounds a Retry-After.
  maxRetryAfterMs: Number.POSITIVE_INFINITY,
};

/** Fast retry timing for tests: same shape as {@link RETRY_DEFAULTS}, milliseconds instead of seconds. */
export const RETRY_TEST_DEFAULTS: RetryTiming = {
  ...RETRY_DEFAULTS,
  initialRetryTimeMs: 2,
  maxBackoffMs: 25,
  maxRetryTimeMs: 20_000,
};

/**
 * Error names (AWS exception names, PutRecords per-entry `ErrorCode`s, S3 codes) that mean "too fast":
 * the caller slows down and tries again, never drops.
 */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);

/**
 * Error names that a later attempt may not see: service-side failures, timeouts and dropped
 * connections. Throttling names count as transient too.
 */
export const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  ...THROTTLING_ERROR_NAMES,
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

/** Node socket error codes that mean the connection, not the request, failed. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** Programming errors: retrying cannot fix a bug, whatever flag the error carries. */
export const PROGRAMMING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
]);
