import { describe, expect, it } from 'vitest';
import { RunMetrics } from '../../loadtest/metrics/RunMetrics.js';
import { RateProfile } from '../../loadtest/profile/RateProfile.js';
import { HoldQueue } from '../../loadtest/worker/HoldQueue.js';
import { mergeWorkerResults } from '../../loadtest/worker/mergeWorkerResults.js';
import { WORKER_FORMAT, type WorkerResult } from '../../loadtest/worker/types.js';
import { workerEventCount, workerSlice } from '../../loadtest/worker/workerSlice.js';

function result(index: number, of: number, emitted: number, limit: string | null = null): WorkerResult {
  const m = new RunMetrics();
  m.add('grid', 'plateau', 'asked', emitted);
  m.add('grid', 'plateau', 'acknowledged', emitted - 1);
  m.recordLatencyMs('grid', 'plateau', 'put_latency', 10 + index);
  return {
    format: WORKER_FORMAT,
    worker: `w${index}`,
    index,
    of,
    started_at: '2026-12-05T00:00:00.000Z',
    ended_at: '2026-12-05T00:01:00.000Z',
    interrupted: false,
    limit,
    datasets: {
      grid: {
        producer_id: `lt-r-w${index}-grid`,
        seed: 1,
        first_sequence: 1000 * index,
        emitted,
        acknowledged: emitted - 1,
        failed_event_ids: [`failed-${index}`],
        late: 1,
        out_of_order: 2,
        simulated_from_ms: 0,
        simulated_to_ms: 1,
        universe: 200,
        max_lag_ms: 0,
      },
    },
    metrics: m.toJSON(),
  };
}

describe('mergeWorkerResults', () => {
  it('adds counts and histograms, keeps each range, in any order', () => {
    const a = mergeWorkerResults([result(0, 2, 50), result(1, 2, 49)]);
    const b = mergeWorkerResults([result(1, 2, 49), result(0, 2, 50)]);
    expect(a.datasets.grid).toEqual(b.datasets.grid);
    expect(a.datasets.grid).toMatchObject({
      emitted: 99,
      acknowledged: 97,
      failed: 2,
      late: 2,
      out_of_order: 4,
    });
    expect(a.datasets.grid!.ranges.map((r) => [r.worker, r.first_sequence, r.emitted])).toEqual([
      ['w0', 0, 50],
      ['w1', 1000, 49],
    ]);
    expect(a.metrics.summary().grid!.plateau!.counters.asked).toBe(99);
    expect(a.metrics.merged('put_latency').count).toBe(2);
  });

  it('says which worker hit which limit, and when the generator was the bottleneck', () => {
    const m = mergeWorkerResults([
      result(0, 2, 50, 'generator behind schedule: max lag 2.4 s (grid)'),
      result(1, 2, 50),
    ]);
    expect(m.workers.map((w) => [w.worker, w.limit])).toEqual([
      ['w0', 'generator behind schedule: max lag 2.4 s (grid)'],
      ['w1', null],
    ]);
    expect(m.generatorBound).toEqual(['w0']);
  });

  it('refuses two results of one worker', () => {
    expect(() => mergeWorkerResults([result(0, 2, 5), result(0, 2, 5)])).toThrow(/two results of worker w0/);
  });
});

describe('worker slices', () => {
  it('split a profile exactly and give each worker its own simulated time and producer id', () => {
    const profile = new RateProfile([{ kind: 'constant', name: 'p', rate: 1000, durationMs: 60_000 }]);
    const counts = [0, 1, 2].map((i) => workerEventCount(profile.totalEvents, i, 3));
    expect(counts.reduce((a, b) => a + b)).toBe(60_000);
    const load = { profile: profile.stages, lateShare: 0, lateByMs: 3_600_000, outOfOrderShare: 0 };
    const slices = [0, 1, 2].map((index) =>
      workerSlice('grid', load, profile, {
        runId: 'r',
        name: `w${index}`,
        index,
        of: 3,
        seed: 1,
        simulatedStartMs: Date.UTC(2026, 0, 1),
      }),
    );
    expect(new Set(slices.map((s) => s.producerId)).size).toBe(3);
    for (let i = 1; i < 3; i++) {
      expect(slices[i]!.simulatedStartMs).toBe(slices[i - 1]!.simulatedStartMs + slices[0]!.spanMs);
      // The span covers the worker's events at the universe's real-time rate.
      expect(slices[0]!.spanMs / 1000).toBeGreaterThanOrEqual(counts[0]! / slices[0]!.plan.realtimeRate);
    }
  });
});

describe('HoldQueue', () => {
  it('releases held events in order of their release time, only when due', () => {
    const q = new HoldQueue<string>();
    for (const [t, x] of [
      [30, 'c'],
      [10, 'a'],
      [20, 'b'],
      [10, 'a2'],
      [50, 'e'],
    ] as const)
      q.push(t, x);
    expect(q.pop(5)).toBeUndefined();
    const out: string[] = [];
    for (let x = q.pop(30); x !== undefined; x = q.pop(30)) out.push(x);
    expect(out.slice(0, 2).sort()).toEqual(['a', 'a2']);
    expect(out.slice(2)).toEqual(['b', 'c']);
    expect(q.size).toBe(1);
    expect(q.pop(Number.POSITIVE_INFINITY)).toBe('e');
  });
});
