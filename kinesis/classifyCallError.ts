import { isRetriable } from '../common/retry/index.js';
import { THROTTLING_ERROR_NAMES } from './constants.js';
import { KinesisCallError } from './errors.js';

/**
 * Wraps whatever a Kinesis API call threw (SDK service exception, socket error, timeout) in a
 * {@link KinesisCallError} whose `retriable` and `throttled` flags come from the error's name
 * (or socket code), never from its message.
 *
 * @param operation - API operation, e.g. `PutRecords`
 * @param error - the thrown value
 */
export function classifyCallError(operation: string, error: unknown): KinesisCallError {
  if (error instanceof KinesisCallError) return error;
  const e = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const rawName = typeof e?.name === 'string' ? e.name : 'Error';
  const name = rawName === 'Error' && code ? code : rawName;
  const throttled = THROTTLING_ERROR_NAMES.has(name) || e?.$metadata?.httpStatusCode === 429;
  return new KinesisCallError(operation, name, {
    retriable: throttled || isRetriable(error),
    throttled,
    cause: error,
  });
}
