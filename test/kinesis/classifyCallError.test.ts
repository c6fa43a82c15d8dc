import { describe, expect, it } from 'vitest';
import { classifyCallError } from '../../kinesis/index.js';
import { KinesisCallError } from '../../producers/kinesis/index.js';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  const e = new Error('message text is never inspected');
  e.name = name;
  return Object.assign(e, extra);
}

describe('classifyCallError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', true, true],
    ['KMSThrottlingException', true, true],
    ['InternalFailure', true, false],
    ['ServiceUnavailable', true, false],
    ['TimeoutError', true, false],
    ['ResourceNotFoundException', false, false],
    ['AccessDeniedException', false, false],
    ['ValidationException', false, false],
  ])('%s: retriable=%s throttled=%s', (name, retriable, throttled) => {
    const e = classifyCallError('PutRecords', named(name));
    expect(e).toBeInstanceOf(KinesisCallError);
    expect({ retriable: e.retriable, throttled: e.throttled, errorName: e.errorName }).toEqual({
      retriable,
      throttled,
      errorName: name,
    });
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('names a socket error by its code', () => {
    const e = classifyCallError('PutRecords', named('Error', { code: 'ECONNREFUSED' }));
    expect({ errorName: e.errorName, retriable: e.retriable }).toEqual({
      errorName: 'ECONNREFUSED',
      retriable: true,
    });
  });
});
