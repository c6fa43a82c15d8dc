import { KafkaCallError } from '../errors.js';

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

/**
 * Wraps a kafkajs error as a {@link KafkaCallError} whose `retriable` says whether trying again can help
 * (decided on error names and protocol types, never on message text).
 *
 * @param operation - what was being done
 * @param err - the client's error
 */
export function toKafkaError(operation: string, err: unknown): KafkaCallError {
  if (err instanceof KafkaCallError) return err;
  const e = err as {
    name?: string;
    type?: string;
    retriable?: boolean;
    originalError?: unknown;
    cause?: unknown;
  };
  // kafkajs wraps the last attempt's error when its own retries run out.
  const inner = (e.originalError ?? e.cause) as { name?: string; type?: string } | undefined;
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
