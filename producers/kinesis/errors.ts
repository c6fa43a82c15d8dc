import { GridstreamError } from '../../common/errors.js';

/** Base error of the Kinesis sink: every error says whether retrying can help and keeps its cause. */
export class KinesisProducerError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KinesisProducerError';
  }
}

/** An event is larger than a Kinesis record may be (1 MiB, data plus partition key) once serialized. */
export class RecordTooLargeError extends KinesisProducerError {
  /** `event_id` of the event. */
  public readonly eventId: string;
  /** Serialized size in bytes (data plus partition key). */
  public readonly sizeBytes: number;
  /** The limit it exceeds, bytes. */
  public readonly limitBytes: number;
  public constructor(eventId: string, sizeBytes: number, limitBytes: number) {
    super(
      `event ${eventId} is ${sizeBytes} bytes once serialized, over the Kinesis record limit of ${limitBytes} bytes`,
      { retriable: false },
    );
    this.name = 'RecordTooLargeError';
    this.eventId = eventId;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** An event's partition key is not 1 to 256 characters (only possible with a custom `partitionKey`). */
export class InvalidPartitionKeyError extends KinesisProducerError {
  /** `event_id` of the event. */
  public readonly eventId: string;
  /** The key (cut to 300 characters). */
  public readonly partitionKey: string;
  public constructor(eventId: string, partitionKey: string) {
    super(
      `event ${eventId} has a partition key of ${partitionKey.length} characters; Kinesis takes 1 to 256`,
      { retriable: false },
    );
    this.name = 'InvalidPartitionKeyError';
    this.eventId = eventId;
    this.partitionKey = partitionKey.slice(0, 300);
  }
}

/** The retrier gave up; one class for every retrier user, re-exported where the sink imports it. */
export { RetriesExhaustedError } from '../../common/retry/index.js';
/** Wire-level errors the sink throws, re-exported for its callers. */
export { KinesisCallError, PartialFailureError } from '../../kinesis/errors.js';

/** `put()` was called after `close()`. */
export class SinkClosedError extends KinesisProducerError {
  public constructor(streamName: string) {
    super(`the sink for stream ${streamName} is closed`, { retriable: false });
    this.name = 'SinkClosedError';
  }
}

/**
 * A non-retriable error (stream missing, access denied) stopped the sink. Buffered records were written
 * to the reject file; later `put()` calls throw this error.
 */
export class SinkFailedError extends KinesisProducerError {
  public constructor(streamName: string, cause: unknown) {
    const causeMessage = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`the sink for stream ${streamName} stopped: ${causeMessage}`, { retriable: false, cause });
    this.name = 'SinkFailedError';
  }
}

/** An option has a value the sink cannot work with; names the option and the value received. */
export class SinkConfigurationError extends KinesisProducerError {
  public constructor(option: string, value: unknown, expected: string) {
    super(`${option} must be ${expected}, got ${JSON.stringify(value)}`, { retriable: false });
    this.name = 'SinkConfigurationError';
  }
}
