import { describe, expect, it } from 'vitest';
import { parseRetryAfter, TokenBucket } from '../../../producers/sources/adapters/index.js';
import { InvalidSourceOptionError } from '../../../producers/sources/index.js';
import { fakeTime } from '../../helpers/fakeTime.js';

// The retrier itself is tested in test/common/retry/retrier.test.ts.
describe('parseRetryAfter', () => {
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
