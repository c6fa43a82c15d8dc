import { KafkaAuthenticationError, KafkaCallError, KafkaError, KafkaTlsError } from '../errors.js';
import type { KafkaConnection } from '../types.js';

/** kafkajs error names that no retry can fix. */
const FATAL = new Set([
  'KafkaJSNonRetriableError',
  'KafkaJSSASLAuthenticationError',
  'KafkaJSInvalidTopicError',
]);
/** Protocol error types that no retry can fix (topic missing when auto-creation is off, too large, denied). */
const FATAL_PROTOCOL = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'MESSAGE_TOO_LARGE',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_RECORD',
  'RECORD_LIST_TOO_LARGE',
]);
/** Node's TLS codes for a broker certificate the client does not accept (kafkajs keeps them as `code`). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ClientError {
  name?: string;
  type?: string;
  code?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

/** The error and the errors it wraps (kafkajs' `originalError` when its retries ran out, `cause`). */
function chain(err: unknown): ClientError[] {
  const out: ClientError[] = [];
  let e = err as ClientError | undefined;
  // Bounded: a wrapped error never nests deeper than a few levels; a cycle must not loop.
  while (e !== undefined && e !== null && typeof e === 'object' && out.length < 8 && !out.includes(e)) {
    out.push(e);
    e = (e.originalError ?? e.cause) as ClientError | undefined;
  }
  return out;
}

/**
 * Wraps a kafkajs error as a {@link KafkaError}: a refused SASL login becomes a
 * {@link KafkaAuthenticationError}, an untrusted broker certificate a {@link KafkaTlsError} (both naming
 * the brokers and what to do, never retried); anything else a {@link KafkaCallError} whose `retriable` says
 * whether trying again can help. Decided on error names, codes and protocol types, never on message text.
 *
 * @param operation - what was being done
 * @param err - the client's error
 * @param connection - the connection it was made on (names the brokers and the SASL user in the message)
 */
export function toKafkaError(operation: string, err: unknown, connection?: KafkaConnection): KafkaError {
  // Already said in gridstream's terms (by a lower layer, or a check of ours): kept as it is.
  if (err instanceof KafkaError) return err;
  const errors = chain(err);
  if (connection) {
    const auth = errors.find((x) => x.name === 'KafkaJSSASLAuthenticationError');
    if (auth && connection.sasl) {
      const username = connection.sasl.mechanism === 'aws-msk-iam' ? undefined : connection.sasl.username;
      return new KafkaAuthenticationError(connection.brokers, connection.sasl.mechanism, username, auth);
    }
    const tls = errors.find((x) => x.code !== undefined && CERTIFICATE_CODES.has(x.code));
    if (tls?.code) return new KafkaTlsError(connection.brokers, tls.code, tls);
  }
  const e = errors[0] ?? {};
  // kafkajs wraps the last attempt's error when its own retries run out.
  const inner = errors[1];
  const type = e.type ?? inner?.type;
  const fatal =
    err instanceof TypeError ||
    err instanceof RangeError ||
    (type !== undefined && FATAL_PROTOCOL.has(type)) ||
    (e.name !== undefined &&
      FATAL.has(e.name) &&
      !(inner && inner.type === undefined && inner.name?.includes('Connection')));
  return new KafkaCallError(operation, err, !fatal);
}
