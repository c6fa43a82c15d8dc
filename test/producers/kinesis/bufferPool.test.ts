import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../producers/kinesis/index.js';

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

  it('keeps at most maxFree buffers (dropping the smallest) and maxFreeBytes (dropping the largest)', () => {
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
    expect(byBytes.freeBytes).toBe(5 * 1024);
    expect(byBytes.take(1)).toBe(small);
    expect(byBytes.take(1)).toBe(mid);
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
