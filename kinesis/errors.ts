import { GridstreamError } from '../common/errors.js';

/** Base error of the Kinesis wire level (KPL records, calls to the Kinesis API). */
export class KinesisError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KinesisError';
  }
}

/** A Kinesis record could not be de-aggregated (bad checksum, truncated or malformed protobuf). */
export class DeaggregationError extends KinesisError {
  /** Machine-readable reason: `checksum_mismatch`, `truncated`, `malformed`. */
  public readonly code: 'checksum_mismatch' | 'truncated' | 'malformed';
  public constructor(code: DeaggregationError['code'], message: string) {
    super(message, { retriable: false });
    this.name = 'DeaggregationError';
    this.code = code;
  }
}

/** A whole PutRecords (or ListShards) call failed; `retriable` and `throttled` say what to do next. */
export class KinesisCallError extends KinesisError {
  /** The API operation, e.g. `PutRecords`. */
  public readonly operation: string;
  /** Name of the underlying error (SDK exception name or socket error code). */
  public readonly errorName: string;
  /** True when the service said "too fast" (the sink then slows down). */
  public readonly throttled: boolean;
  public constructor(
    operation: string,
    errorName: string,
    options: { retriable: boolean; throttled: boolean; cause: unknown },
  ) {
    const causeMessage = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`${operation} failed with ${errorName}: ${causeMessage}`, options);
    this.name = 'KinesisCallError';
    this.operation = operation;
    this.errorName = errorName;
    this.throttled = options.throttled;
  }
}

/** Some entries of a PutRecords call failed; only those are re-sent. */
export class PartialFailureError extends KinesisError {
  /** Entries that failed. */
  public readonly failedEntries: number;
  /** Of which throttled (`ProvisionedThroughputExceededException`, `KMSThrottlingException`). */
  public readonly throttledEntries: number;
  public constructor(failedEntries: number, throttledEntries: number, firstErrorCode: string | undefined) {
    super(
      `${failedEntries} PutRecords entries failed (${throttledEntries} throttled; first: ${firstErrorCode ?? 'unknown'})`,
      { retriable: true },
    );
    this.name = 'PartialFailureError';
    this.failedEntries = failedEntries;
    this.throttledEntries = throttledEntries;
  }
}
