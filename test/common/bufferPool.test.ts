import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../common/index.js';

describe('BufferPool', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands out new buffers rounded up to its granularity, and given-back ones again, smallest fitting first', () => {
    const pool = new BufferPool({ granularity: 1024 });
    const a = pool.take(1500);
    const b = pool.take(5000);
    expect([a.length, b.length]).toEqual([2048, 5120]);
    pool.give(b);
    pool.give(a);
    expect(pool.freeBytes).toBe(2048 + 5120);
    expect(pool.take(100)).toBe(a);
    expect(pool.take(3000)).toBe(b);
    expect(pool.freeBytes).toBe(0);
    // Nothing free fits: a new one.
    const c = pool.take(100);
    expect(c).not.toBe(a);
    expect(c).not.toBe(b);
  });

  it('never hands out a buffer larger than atMost', () => {
    const pool = new BufferPool({ granularity: 1024 });
    const big = pool.take(1024 * 1024);
    pool.give(big);
    const small = pool.take(1000, 2000);
    expect(small).not.toBe(big);
    expect(small.length).toBe(1024);
    expect(pool.take(1000)).toBe(big);
  });

  it('keeps at most maxFree buffers and maxFreeBytes, dropping the smallest first', () => {
    const byCount = new BufferPool({ granularity: 1024, maxFree: 2 });
    const [small, mid, large] = [byCount.take(1024), byCount.take(4096), byCount.take(8192)];
    byCount.give(large!);
    byCount.give(small!);
    byCount.give(mid!);
    expect(byCount.freeBytes).toBe(12 * 1024);
    expect(byCount.take(1)).toBe(mid);
    expect(byCount.take(1)).toBe(large);

    const byBytes = new BufferPool({ granularity: 1024, maxFreeBytes: 10 * 1024 });
    byBytes.give(large!);
    byBytes.give(small!);
    byBytes.give(mid!);
    // 13 KiB: the 1 KiB one goes, then the 4 KiB one.
    expect(byBytes.freeBytes).toBe(8 * 1024);
    expect(byBytes.take(1)).toBe(large);
    expect(byBytes.freeBytes).toBe(0);
  });

  it('drops its free buffers after idleMs without a buffer coming back, and on clear()', () => {
    vi.useFakeTimers();
    const pool = new BufferPool({ idleMs: 1_000 });
    pool.give(pool.take(10));
    vi.advanceTimersByTime(900);
    pool.give(pool.take(10));
    vi.advanceTimersByTime(900);
    expect(pool.freeBytes).toBeGreaterThan(0);
    vi.advanceTimersByTime(200);
    expect(pool.freeBytes).toBe(0);
    pool.give(pool.take(10));
    pool.clear();
    expect(pool.freeBytes).toBe(0);
  });
});
