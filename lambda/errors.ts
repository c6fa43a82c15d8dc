import { GridstreamError } from '../common/errors.js';
/** Base error of the stream-processor Lambdas. */
export class StreamProcessorError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StreamProcessorError';
  }
}

/** An environment variable the handler needs is missing or malformed (a deployment defect). */
export class ConfigurationError extends StreamProcessorError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** A stream or delivery stream the handler has no dataset for. */
export class UnknownSourceError extends StreamProcessorError {
  /** Name of the source, as taken from its ARN. */
  public readonly source: string;
  public constructor(source: string, known: readonly string[]) {
    super(
      `source ${JSON.stringify(source)} is not mapped to a dataset (known: ${known.join(', ') || 'none'})`,
    );
    this.name = 'UnknownSourceError';
    this.source = source;
  }
}

/** Publishing an alert failed; the record is retried by the event source. */
export class AlertPublishError extends StreamProcessorError {
  public constructor(message: string, cause: unknown) {
    super(message, { retriable: true, cause });
    this.name = 'AlertPublishError';
  }
}
