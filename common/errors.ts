/**
 * Base of every gridstream error: says whether retrying can help and keeps its cause. Each unit derives
 * its own base from it (`RetryError`, `KinesisError`, `KinesisProducerError`, …), so a caller can tell a
 * gridstream failure from a programming error with one `instanceof`.
 */
export class GridstreamError extends Error {
  /** True when the same operation may succeed later (throttle, timeout, 5xx). */
  public readonly retriable: boolean;

  /**
   * @param message - what went wrong, with the value received
   * @param options - `retriable` (default false) and the underlying `cause`
   */
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GridstreamError';
    this.retriable = options.retriable ?? false;
  }
}
