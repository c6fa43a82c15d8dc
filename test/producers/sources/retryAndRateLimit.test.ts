import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  createRetrier,
  HttpStatusError,
  isRetriable,
  parseRetryAfter,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
  RetriesExhaustedError,
  TokenBucket,
} from '../../../producers/sources/adapters/index.js';
import { InvalidSourceOptionError, SimulatedClock } from '../../../producers/sources/index.js';

/** A fake timeline: sleeping advances the clock instantly and records the wait. */
function fakeTime(startMs = 1_000_000) {
  const clock = new SimulatedClock({ startMs });
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  return { clock, sleeps, sleep };
}

describe('retrier', () => {
  it('retries retriable errors with jittered exponential backoff, then succeeds', async () => {
    // Prepare
    const { clock, sleeps, sleep } = fakeTime();
    const retry = createRetrier({ ...RETRY_DEFAULTS, clock, sleep, random: () => 0.5 });
    let calls = 0;
    // Act
    const result = await retry(async () => {
      calls++;
      if (calls < 4) throw new HttpStatusError('http://x/', 503, '', undefined);
      return 'ok';
    });
    // Assess: jitter factor 1.0 at random 0.5 → 300, 600, 1200 ms
    expect(result).toBe('ok');
    expect(sleeps).toEqual([300, 600, 1200]);
  });

  it('keeps the jitter within ±factor and caps the backoff', () => {
    const timing = { ...RETRY_DEFAULTS, maxBackoffMs: 1000 };
    expect(backoffDelayMs(1, timing, () => 0)).toBe(480);
    expect(backoffDelayMs(1, timing, () => 0.9999)).toBe(720);
    expect(backoffDelayMs(10, timing, () => 0.5)).toBe(1000);
  });

  it('honours Retry-After when it asks for longer than the backoff', async () => {
    const { clock, sleeps, sleep } = fakeTime();
    const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, clock, sleep });
    let calls = 0;
    await retry(async () => {
      if (calls++ === 0) throw new HttpStatusError('http://x/', 429, 'slow down', 2_000);
      return 1;
    });
    expect(sleeps).toEqual([2_000]);
  });

  it('does not retry non-retriable errors or programming errors', async () => {
    const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, ...fakeTime() });
    let calls = 0;
    const forbidden = retry(async () => {
      calls++;
      throw new HttpStatusError('http://x/', 403, 'forbidden', undefined);
    });
    await expect(forbidden).rejects.toMatchObject({ name: 'HttpStatusError', status: 403, retriable: false });
    expect(calls).toBe(1);
    await expect(retry(async () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
    expect(isRetriable(Object.assign(new TypeError('x'), { retriable: true }))).toBe(false);
  });

  it('gives up after the configured retries with the last error as cause', async () => {
    const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, retries: 2, ...fakeTime() });
    let calls = 0;
    const failing = retry(async () => {
      calls++;
      throw new HttpStatusError('http://x/', 500, 'boom', undefined);
    });
    await expect(failing).rejects.toBeInstanceOf(RetriesExhaustedError);
    await failing.catch((err: RetriesExhaustedError) => {
      expect(err.attempts).toBe(3);
      expect(err.retriable).toBe(false);
      expect(err.cause).toMatchObject({ status: 500 });
    });
    expect(calls).toBe(3);
  });

  it('gives up when the total time budget would be exceeded', async () => {
    const retry = createRetrier({
      ...RETRY_TEST_DEFAULTS,
      retries: 100,
      maxRetryTimeMs: 5_000,
      ...fakeTime(),
    });
    const failing = retry(async () => {
      throw new HttpStatusError('http://x/', 429, '', 3_000);
    });
    await expect(failing).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 2 });
  });

  it('stops at once on bail', async () => {
    const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, ...fakeTime() });
    const bailed = retry(async (bail) => bail(new Error('stop')));
    await expect(bailed).rejects.toThrow('stop');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-07-01T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Tue, 01 Jul 2025 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then spaces requests at the refill rate', async () => {
    // Prepare: 2 tokens, 1 per second
    const { clock, sleep } = fakeTime();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, clock, sleep });
    const start = clock.peek();
    // Act
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      times.push(clock.peek() - start);
    }
    // Assess
    expect(times).toEqual([0, 0, 1_000, 2_000, 3_000, 4_000]);
    expect(bucket.waitedMs).toBe(4_000);
  });

  it('refills while idle, up to its capacity', async () => {
    const { clock, sleep } = fakeTime();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2, clock, sleep });
    for (let i = 0; i < 3; i++) await bucket.take();
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(bucket.waitedMs).toBe(0);
    await bucket.take();
    expect(bucket.waitedMs).toBe(500);
  });

  it('serves concurrent callers in order', async () => {
    const { clock, sleep } = fakeTime();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 10, clock, sleep });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(bucket.waitedMs).toBe(300);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(InvalidSourceOptionError);
  });
});
