import { vi } from 'vitest';
import { SimulatedClock } from '../../producers/sources/index.js';

/** A fake timeline for injected `sleep`/`clock` options. */
export interface FakeTime {
  /** The clock; `sleep` advances it. */
  readonly clock: SimulatedClock;
  /** Every wait asked for, ms, in order. */
  readonly sleeps: number[];
  /** Records the wait and advances the clock at once: nothing really waits. */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * A fake timeline: sleeping advances the clock instantly and records the wait.
 *
 * @param startMs - the clock's start, epoch ms
 * @example
 * ```ts
 * const { clock, sleeps, sleep } = fakeTime();
 * const retry = createRetrier({ ...RETRY_TEST_DEFAULTS, clock, sleep });
 * ```
 */
export function fakeTime(startMs = 1_000_000): FakeTime {
  const clock = new SimulatedClock({ startMs });
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  return { clock, sleeps, sleep };
}

/**
 * Runs `fn` with `Date.now()` returning `at` (a vitest spy, restored when `fn` settles).
 *
 * @param at - the frozen time, epoch ms
 * @param fn - the work to run at that time
 */
export async function frozenAt<T>(at: number, fn: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(Date, 'now').mockReturnValue(at);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}
