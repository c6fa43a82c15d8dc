import { GridstreamError } from '../common/errors.js';
import { KAFKA_SASL_PASSWORD_ENV, KAFKA_SASL_USERNAME_ENV } from './constants.js';

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

/**
 * The brokers refused the SASL login (wrong user name or password, or no credential for that mechanism):
 * no retry can fix it, so it is said at once instead of after the client's retries.
 */
export class KafkaAuthenticationError extends KafkaError {
  /** The brokers tried. */
  public readonly brokers: readonly string[];
  /** SASL mechanism used, e.g. `scram-sha-512`. */
  public readonly mechanism: string;
  public constructor(
    brokers: readonly string[],
    mechanism: string,
    username: string | undefined,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `Kafka authentication failed at ${brokers.join(',')}: the brokers refused the SASL ${mechanism} login` +
        `${username === undefined ? '' : ` of user ${JSON.stringify(username)}`} (${why}). ` +
        (mechanism.startsWith('scram')
          ? `Check the user name and password (${KAFKA_SASL_USERNAME_ENV}, ${KAFKA_SASL_PASSWORD_ENV}) and that the ` +
            `user has a ${mechanism.toUpperCase()} credential on the cluster (or try the other --sasl scram mechanism)`
          : 'Check the credentials and that the cluster allows this mechanism'),
      { retriable: false, cause },
    );
    this.name = 'KafkaAuthenticationError';
    this.brokers = brokers;
    this.mechanism = mechanism;
  }
}

/**
 * The TLS handshake failed on the broker's certificate (not signed by a trusted CA, or not naming the
 * address dialled): no retry can fix it.
 */
export class KafkaTlsError extends KafkaError {
  /** The brokers tried. */
  public readonly brokers: readonly string[];
  /** Node's TLS error code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
  public readonly code: string;
  public constructor(brokers: readonly string[], code: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const hint =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'the certificate does not name the address dialled: connect by a name or IP it lists'
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
          ? "the broker's certificate is outside its validity dates: renew it on the broker (or check this machine's clock)"
          : "the broker's certificate is not trusted: give node the CA that signed it, e.g. " +
            'NODE_EXTRA_CA_CERTS=/path/to/ca.pem (read when node starts; `gridstream kafka --scram-user` prints its file)';
    super(`Kafka TLS handshake with ${brokers.join(',')} failed (${code}: ${why}): ${hint}`, {
      retriable: false,
      cause,
    });
    this.name = 'KafkaTlsError';
    this.brokers = brokers;
    this.code = code;
  }
}
