import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  createRetrier,
  isRetriable,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
  RetriesExhaustedError,
} from '../../../common/retry/index.js';
import { KINESIS_RETRY_DEFAULTS } from '../../../producers/kinesis/index.js';
import { HTTP_RETRY_DEFAULTS, HttpStatusError } from '../../../producers/sources/adapters/index.js';
import { fakeTime } from '../../helpers/fakeTime.js';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  const e = new Error('message text is never inspected');
  e.name = name;
  return Object.assign(e, extra);
}

/** Fast timing on a fake timeline: nothing really waits. */
function testRetrier(overrides: Parameters<typeof createRetrier>[0] = {}) {
  const time = fakeTime();
  const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, clock: time.clock, sleep: time.sleep, ...overrides });
  return { retry, ...time };
}

describe('isRetriable', () => {
  it.each([
    ['ProvisionedThroughputExceededException', true],
    ['ThrottlingException', true],
    ['InternalFailure', true],
    ['ServiceUnavailable', true],
    ['TimeoutError', true],
    ['ResourceNotFoundException', false],
    ['AccessDeniedException', false],
    ['ValidationException', false],
  ])('without a flag, decides on the name: %s → %s', (name, expected) => {
    expect(isRetriable(named(name))).toBe(expected);
  });

  it('treats socket errors by code, SDK $retryable and 5xx/429 by status as retriable', () => {
    expect(isRetriable(named('Error', { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetriable(named('Error', { code: 'ENOENT' }))).toBe(false);
    expect(isRetriable(named('SomethingNew', { $retryable: {} }))).toBe(true);
    expect(isRetriable(named('SomethingNew', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetriable(named('SomethingNew', { $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isRetriable(named('SomethingNew', { $metadata: { httpStatusCode: 404 } }))).toBe(false);
  });

  it('decides on the retriable flag first, over the name, code and status', () => {
    expect(isRetriable(named('ThrottlingException', { retriable: false }))).toBe(false);
    expect(isRetriable(named('Error', { code: 'ECONNRESET', retriable: false }))).toBe(false);
    expect(isRetriable(named('Whatever', { retriable: true }))).toBe(true);
    expect(isRetriable(new HttpStatusError('http://x/', 503, '', undefined))).toBe(true);
    expect(isRetriable(new HttpStatusError('http://x/', 403, '', undefined))).toBe(false);
  });

  it('never retries programming errors or non-errors', () => {
    expect(isRetriable(new TypeError('x'))).toBe(false);
    expect(isRetriable(Object.assign(new RangeError('x'), { retriable: true }))).toBe(false);
    expect(isRetriable(Object.assign(new TypeError('x'), { retriable: true }))).toBe(false);
    expect(isRetriable('a string')).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('backs off exponentially with bounded jitter and a cap', () => {
    const low = () => 0;
    const high = () => 0.999999;
    const d = RETRY_DEFAULTS;
    expect(backoffDelayMs(0, d, low)).toBe(Math.round(d.initialRetryTimeMs * (1 - d.factor)));
    expect(backoffDelayMs(3, d, high)).toBe(Math.round(d.initialRetryTimeMs * 8 * (1 + d.factor)));
    expect(backoffDelayMs(30, d, high)).toBe(Math.round(d.maxBackoffMs * (1 + d.factor)));
  });

  it('keeps the jitter within ±factor and caps the backoff', () => {
    const timing = { ...HTTP_RETRY_DEFAULTS, maxBackoffMs: 1000 };
    expect(backoffDelayMs(1, timing, () => 0)).toBe(480);
    expect(backoffDelayMs(1, timing, () => 0.9999)).toBe(720);
    expect(backoffDelayMs(10, timing, () => 0.5)).toBe(1000);
  });
});

describe('createRetrier', () => {
  it('retries retriable errors with jittered exponential backoff, then succeeds', async () => {
    // Prepare
    const { retry, sleeps } = testRetrier({ ...HTTP_RETRY_DEFAULTS, random: () => 0.5 });
    let calls = 0;
    // Act
    const result = await retry(async () => {
      calls++;
      if (calls < 4) throw new HttpStatusError('http://x/', 503, '', undefined);
      return 'ok';
    });
    // Assess: jitter factor 1.0 at random 0.5 → 300, 600, 1200 ms
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([300, 600, 1200]);
  });

  it('retries errors without a flag by name, and passes the attempt number', async () => {
    const { retry } = testRetrier();
    const attempts: number[] = [];
    const result = await retry(async (_bail, attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw named('InternalFailure');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([0, 1, 2, 3]);
  });

  it('defaults to the production timing', async () => {
    const sleeps: number[] = [];
    const retry = createRetrier({ random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    let calls = 0;
    await retry(async () => {
      if (calls++ < 2) throw named('InternalFailure');
    });
    expect(sleeps).toEqual([RETRY_DEFAULTS.initialRetryTimeMs, RETRY_DEFAULTS.initialRetryTimeMs * 2]);
    // The sink builds its own retrier with only maxRetryTimeMs set: the defaults must be its timing.
    expect(KINESIS_RETRY_DEFAULTS).toEqual(RETRY_DEFAULTS);
  });

  it('does not retry non-retriable errors or programming errors, and bail() stops at once', async () => {
    const { retry } = testRetrier();
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new HttpStatusError('http://x/', 403, 'forbidden', undefined);
      }),
    ).rejects.toMatchObject({ name: 'HttpStatusError', status: 403, retriable: false });
    await expect(
      retry(async () => {
        calls++;
        throw named('ResourceNotFoundException');
      }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(calls).toBe(2);
    await expect(retry(async () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
    const stop = named('Stop');
    await expect(
      retry(async (bail) => {
        calls++;
        bail(stop);
      }),
    ).rejects.toBe(stop);
    expect(calls).toBe(3);
  });

  it('gives up after the configured retries with RetriesExhaustedError (cause = last error)', async () => {
    const { retry } = testRetrier({ retries: 2 });
    let calls = 0;
    const err = await retry(async () => {
      calls++;
      throw named('ProvisionedThroughputExceededException');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err).toMatchObject({ name: 'RetriesExhaustedError', attempts: 3, retriable: false });
    expect(((err as Error).cause as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(calls).toBe(3);
  });

  it('gives up when the next delay would pass the max retry time', async () => {
    const { retry } = testRetrier({ initialRetryTimeMs: 50, maxBackoffMs: 50, maxRetryTimeMs: 10 });
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw named('InternalFailure');
      }),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toBe(1);
  });

  it('counts the time the attempts take against the budget (injected clock)', async () => {
    const { retry, clock, sleeps } = testRetrier({ retries: 100, maxRetryTimeMs: 1_000, random: () => 0.5 });
    const failing = retry(async () => {
      clock.advance(400);
      throw named('InternalFailure');
    });
    // 400 ms + wait 2, 400 ms + wait 4: the third attempt ends at 1 206 ms, past the budget.
    await expect(failing).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 3 });
    expect(sleeps).toEqual([2, 4]);
  });

  it('honours Retry-After when it asks for longer than the backoff', async () => {
    const { retry, sleeps } = testRetrier();
    let calls = 0;
    await retry(async () => {
      if (calls++ === 0) throw new HttpStatusError('http://x/', 429, 'slow down', 2_000);
      return 1;
    });
    expect(sleeps).toEqual([2_000]);
  });

  it('gives up on a Retry-After beyond maxRetryAfterMs, or one past the total budget', async () => {
    const tooLong = testRetrier({ maxRetryAfterMs: 1_000 });
    await expect(
      tooLong.retry(async () => Promise.reject(new HttpStatusError('http://x/', 503, '', 1_500))),
    ).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 1 });
    expect(tooLong.sleeps).toEqual([]);

    const overBudget = testRetrier({ retries: 100, maxRetryTimeMs: 5_000 });
    await expect(
      overBudget.retry(async () => Promise.reject(new HttpStatusError('http://x/', 429, '', 3_000))),
    ).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 2 });
  });

  it('stops waiting when the signal aborts, passing the signal to the sleep', async () => {
    // Prepare: a sleep that never ends on its own, only on abort; the abort comes while it waits
    const controller = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const retry = createRetrier({
      ...RETRY_TEST_DEFAULTS,
      sleep: (_ms, signal) => {
        seen.push(signal);
        const waiting = new Promise<void>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason));
        });
        controller.abort();
        return waiting;
      },
    });
    let calls = 0;
    // Act
    const err = await retry(async () => {
      calls++;
      throw named('InternalFailure');
    }, controller.signal).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(((err as Error).cause as Error).name).toBe('InternalFailure');
    expect(seen).toEqual([controller.signal]);
    expect(calls).toBe(1);
  });

  it('does not wait at all once the signal is aborted, even with a sleep that ignores it', async () => {
    const { retry, sleeps } = testRetrier();
    let calls = 0;
    const aborted = AbortSignal.abort();
    await expect(
      retry(async () => {
        calls++;
        throw named('InternalFailure');
      }, aborted),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('aborts the real sleep too', async () => {
    const controller = new AbortController();
    // Long production waits: only the abort can end this promptly.
    const retry = createRetrier({ ...RETRY_DEFAULTS, initialRetryTimeMs: 60_000, maxBackoffMs: 60_000 });
    const failing = retry(async () => Promise.reject(named('InternalFailure')), controller.signal);
    setImmediate(() => controller.abort());
    await expect(failing).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 1 });
  });
});
