import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../../../producers/kinesis/ConcurrencyLimiter.js';
import type { SinkCounters } from '../../../../producers/kinesis/types.js';

/** Acquires slots until the limiter refuses; returns how many it gave. */
function fill(limiter: ConcurrencyLimiter): number {
  let n = 0;
  while (limiter.tryAcquire()) n += 1;
  return n;
}

describe('ConcurrencyLimiter', () => {
  it('lets exactly `max` calls fly, and one more once a call finishes', () => {
    const limiter = new ConcurrencyLimiter(8);
    expect(fill(limiter)).toBe(8);
    expect(limiter.gauges.inFlightCalls).toBe(8);
    limiter.release();
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it('halves on each throttle down to 1, never below, and remembers the lowest limit', () => {
    const limiter = new ConcurrencyLimiter(8);
    const limits: number[] = [];
    for (let i = 0; i < 5; i++) {
      limiter.onThrottled();
      limits.push(limiter.limit);
    }
    expect(limits).toEqual([4, 2, 1, 1, 1]);
    expect(limiter.gauges.lowestConcurrencyLimit).toBe(1);
  });

  it('rounds an odd limit down when halving', () => {
    const limiter = new ConcurrencyLimiter(7);
    limiter.onThrottled();
    expect(limiter.limit).toBe(3);
  });

  it('grows back by one per call without throttling, up to max and no further', () => {
    // Prepare: throttled down to 1
    const limiter = new ConcurrencyLimiter(8);
    for (let i = 0; i < 3; i++) limiter.onThrottled();
    // Act
    const grew: boolean[] = [];
    const limits: number[] = [];
    for (let i = 0; i < 9; i++) {
      grew.push(limiter.onSucceeded());
      limits.push(limiter.limit);
    }
    // Assess
    expect(limits).toEqual([2, 3, 4, 5, 6, 7, 8, 8, 8]);
    expect(grew).toEqual([true, true, true, true, true, true, true, false, false]);
    expect(limiter.gauges.lowestConcurrencyLimit).toBe(1);
  });

  it('holds new calls back after a throttle until enough in-flight calls finish', () => {
    // Prepare: 8 calls in flight, then a throttle halves the limit to 4
    const limiter = new ConcurrencyLimiter(8);
    fill(limiter);
    limiter.onThrottled();
    // Act + Assess: 4 calls must finish before a new one may start
    const allowed: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      limiter.release();
      allowed.push(limiter.tryAcquire());
      if (allowed.at(-1)) limiter.release();
    }
    expect(allowed).toEqual([false, false, false, false, true]);
  });

  it('keeps its gauges in the object it is given (the sink passes its live counters)', () => {
    const counters = { sent: 3 } as SinkCounters;
    const limiter = new ConcurrencyLimiter(4, counters);
    limiter.tryAcquire();
    limiter.onThrottled();
    expect(counters).toMatchObject({
      sent: 3,
      inFlightCalls: 1,
      concurrencyLimit: 2,
      lowestConcurrencyLimit: 2,
    });
  });
});
