import { GridstreamError } from '../errors.js';

/** Base error of the retry unit: says whether retrying can help and keeps its cause. */
export class RetryError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'RetryError';
  }
}

/**
 * The retrier gave up: the attempts, the total retry time or the allowed Retry-After ran out, or the
 * wait was aborted. `cause` is the last error. Not retriable (the retries are spent).
 */
export class RetriesExhaustedError extends RetryError {
  /** Attempts made, the first one included. */
  public readonly attempts: number;

  /**
   * @param attempts - attempts made, the first one included
   * @param cause - the last error
   */
  public constructor(attempts: number, cause: unknown) {
    const last = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`gave up after ${attempts} attempt(s); last error: ${last}`, { retriable: false, cause });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
  }
}
