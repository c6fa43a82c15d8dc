import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  classifyCallError,
  createRetrier,
  isRetriable,
  KinesisCallError,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
  RetriesExhaustedError,
} from '../../../producers/kinesis/index.js';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  const e = new Error('message text is never inspected');
  e.name = name;
  return Object.assign(e, extra);
}

describe('isRetriable / classifyCallError', () => {
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

  it('treats socket errors by code and 5xx by status as retriable, programming errors never', () => {
    expect(isRetriable(named('Error', { code: 'ECONNRESET' }))).toBe(true);
    expect(classifyCallError('PutRecords', named('Error', { code: 'ECONNREFUSED' })).errorName).toBe(
      'ECONNREFUSED',
    );
    expect(isRetriable(named('SomethingNew', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetriable(new TypeError('x'))).toBe(false);
    expect(isRetriable(Object.assign(new RangeError('x'), { retriable: true }))).toBe(false);
    expect(isRetriable('a string')).toBe(false);
  });
});

describe('createRetrier', () => {
  it('retries retriable errors until success', async () => {
    const retry = createRetrier(RETRY_TEST_DEFAULTS);
    let calls = 0;
    const result = await retry(async () => {
      calls += 1;
      if (calls < 4) throw named('InternalFailure');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(4);
  });

  it('does not retry non-retriable errors, and bail() stops at once', async () => {
    const retry = createRetrier(RETRY_TEST_DEFAULTS);
    let calls = 0;
    await expect(
      retry(async () => {
        calls += 1;
        throw named('ResourceNotFoundException');
      }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(calls).toBe(1);
    const stop = named('Stop');
    await expect(
      retry(async (bail) => {
        calls += 1;
        bail(stop);
      }),
    ).rejects.toBe(stop);
    expect(calls).toBe(2);
  });

  it('gives up with RetriesExhaustedError (cause = last error) after the attempts run out', async () => {
    const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, retries: 3 });
    let calls = 0;
    const err = await retry(async () => {
      calls += 1;
      throw named('ProvisionedThroughputExceededException');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as RetriesExhaustedError).attempts).toBe(4);
    expect(((err as Error).cause as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(calls).toBe(4);
  });

  it('gives up when the next delay would pass the max retry time', async () => {
    const retry = createRetrier({
      ...RETRY_TEST_DEFAULTS,
      initialRetryTimeMs: 50,
      maxBackoffMs: 50,
      maxRetryTimeMs: 10,
    });
    let calls = 0;
    await expect(
      retry(async () => {
        calls += 1;
        throw named('InternalFailure');
      }),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toBe(1);
  });

  it('backs off exponentially with bounded jitter and a cap', () => {
    const low = () => 0;
    const high = () => 0.999999;
    const d = RETRY_DEFAULTS;
    expect(backoffDelayMs(0, d, low)).toBe(Math.round(d.initialRetryTimeMs * (1 - d.factor)));
    expect(backoffDelayMs(3, d, high)).toBe(Math.round(d.initialRetryTimeMs * 8 * (1 + d.factor)));
    expect(backoffDelayMs(30, d, high)).toBe(Math.round(d.maxBackoffMs * (1 + d.factor)));
  });
});
