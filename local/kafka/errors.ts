import { GridstreamError } from '../../common/errors.js';

/** The local Kafka broker could not be set up or started. */
export class KafkaBrokerError extends GridstreamError {
  public constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: false, ...options });
    this.name = 'KafkaBrokerError';
  }
}
