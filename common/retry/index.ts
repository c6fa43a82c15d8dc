export {
  PROGRAMMING_ERROR_NAMES,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
  THROTTLING_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
  TRANSIENT_NETWORK_CODES,
} from './constants.js';
export { RetriesExhaustedError, RetryError } from './errors.js';
export { backoffDelayMs, createRetrier, isRetriable, realSleep } from './retrier.js';
export type { Bail, Retrier, RetryClock, RetryOptions, RetryTiming, Sleep } from './types.js';
