import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  abortableSleep,
  type ScheduledTask,
  type SchedulerClock,
  scheduleTasks,
  type TaskStatus,
} from '../../common/index.js';

/** A clock whose sleeps end at once, moving its time forward (no real waiting, no timing in asserts). */
function fakeClock(): SchedulerClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    async sleep(ms: number, signal: AbortSignal) {
      if (signal.aborted) return;
      clock.time += ms;
      await new Promise<void>((r) => setImmediate(r));
    },
  };
  return clock;
}

describe('scheduleTasks: the one scheduler of curation and compaction', () => {
  it('runs each task everyMs after its previous run ended, one at a time, in order when due together', async () => {
    // Prepare
    const clock = fakeClock();
    const log: string[] = [];
    let running = 0;
    let overlapped = false;
    const task = (name: string, everyMs: number, costMs: number): ScheduledTask => ({
      name,
      everyMs,
      async run() {
        if (running++ > 0) overlapped = true;
        log.push(`${name}@${clock.time}`);
        clock.time += costMs;
        await new Promise<void>((r) => setImmediate(r));
        running--;
        return `${name} done`;
      },
    });
    const stop = new AbortController();
    // Act
    const schedule = scheduleTasks({
      tasks: [task('compaction', 30, 5), task('curation', 10, 2)],
      context: {},
      clock,
      signal: stop.signal,
    });
    await vi.waitFor(() => expect(clock.time).toBeGreaterThanOrEqual(60));
    stop.abort();
    await schedule.stop();
    // Assess
    expect(overlapped).toBe(false);
    expect(log.slice(0, 7)).toEqual([
      'curation@10',
      'curation@22',
      'compaction@30',
      'curation@35',
      'curation@47',
      'curation@59',
      'compaction@65',
    ]);
    expect(schedule.statuses.map((s) => s.name)).toEqual(['compaction', 'curation']);
    expect(schedule.statuses[1]!.status).toBe('curation done');
  });

  it('reports a failed run and goes on; runFinal runs the tasks marked for shutdown once more', async () => {
    const clock = fakeClock();
    let calls = 0;
    const seen: TaskStatus[] = [];
    const flaky: ScheduledTask = {
      name: 'flaky',
      everyMs: 1,
      async run() {
        calls++;
        if (calls === 1) throw new Error('lake busy');
        return `run ${calls}`;
      },
    };
    const quiet: ScheduledTask = {
      name: 'quiet',
      everyMs: 1e12,
      runOnShutdown: false,
      run: async () => 'x',
    };
    const schedule = scheduleTasks({ tasks: [flaky, quiet], context: {}, clock, onRun: (s) => seen.push(s) });
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3));
    await schedule.stop();
    const runsBefore = calls;
    await schedule.runFinal();
    expect(seen[0]).toMatchObject({ name: 'flaky', status: 'failed: lake busy', runs: 1 });
    expect(seen[1]).toMatchObject({ name: 'flaky', status: 'run 2', runs: 2 });
    expect(calls).toBe(runsBefore + 1);
    expect(schedule.statuses.find((s) => s.name === 'quiet')!.runs).toBe(0);
  });

  it('leaves no abort listener behind: 20 rounds on the real clock keep one listener on the signal at most', async () => {
    const stop = new AbortController();
    const counts: number[] = [];
    let rounds = 0;
    const schedule = scheduleTasks({
      tasks: [
        {
          name: 'tick',
          everyMs: 1,
          async run({ signal }) {
            counts.push(
              getEventListeners(signal, 'abort').length,
              getEventListeners(stop.signal, 'abort').length,
            );
            rounds++;
            return undefined;
          },
        },
      ],
      context: {},
      signal: stop.signal,
    });
    await vi.waitFor(() => expect(rounds).toBeGreaterThanOrEqual(20), { timeout: 20_000 });
    stop.abort();
    await schedule.stop();
    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('abortableSleep removes its listener whether the time passes or the signal aborts', async () => {
    const c = new AbortController();
    for (let i = 0; i < 20; i++) await abortableSleep(0, c.signal);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    const pending = abortableSleep(60_000, c.signal);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    c.abort();
    await pending;
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
  });
});
