import { GridstreamError } from '../common/errors.js';

/** Base error of the Kafka wire level (connections, topics, the client behind {@link KafkaTransport}). */
export class KafkaError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KafkaError';
  }
}

/** A connection setting is malformed (a broker that is not host:port, an unknown SASL mechanism). */
export class KafkaConfigError extends KafkaError {
  public constructor(message: string) {
    super(message, { retriable: false });
    this.name = 'KafkaConfigError';
  }
}

/** No broker of the list answered (down, wrong address, TLS or SASL refused). */
export class KafkaUnavailableError extends KafkaError {
  /** The brokers tried. */
  public readonly brokers: readonly string[];
  public constructor(brokers: readonly string[], cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`no Kafka broker answered at ${brokers.join(',')}: ${why}`, { retriable: true, cause });
    this.name = 'KafkaUnavailableError';
    this.brokers = brokers;
  }
}

/** A topic the command needs does not exist on the cluster (topics are never created implicitly). */
export class MissingTopicError extends KafkaError {
  /** The missing topics. */
  public readonly topics: readonly string[];
  public constructor(topics: readonly string[], brokers: readonly string[]) {
    super(
      `Kafka topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')} not found on ${brokers.join(',')} ` +
        '(create them, e.g. with `gridstream kafka`, or name others with --topics)',
      { retriable: false },
    );
    this.name = 'MissingTopicError';
    this.topics = topics;
  }
}

/** A Kafka call failed; `retriable` follows the client's own classification. */
export class KafkaCallError extends KafkaError {
  /** What was being done, e.g. `send` or `fetch offsets`. */
  public readonly operation: string;
  /** Name of the client's error (e.g. `KafkaJSConnectionError`, `KafkaJSProtocolError`). */
  public readonly errorName: string;
  public constructor(operation: string, cause: unknown, retriable: boolean) {
    const name = cause instanceof Error ? cause.name : 'Error';
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`Kafka ${operation} failed with ${name}: ${message}`, { retriable, cause });
    this.name = 'KafkaCallError';
    this.operation = operation;
    this.errorName = name;
  }
}
