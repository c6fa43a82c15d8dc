// One load worker in process against the embedded Kinesis: every event accounted, and a generator that
// falls behind reports its lag as the limit without lowering the rate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadClock, WALL_LOAD_CLOCK } from '../../loadtest/scheduler/runOpenModel.js';
import { packPending, runLoadWorker, unpackPending } from '../../loadtest/worker/runLoadWorker.js';
import type { FreshnessSample, WorkerInput } from '../../loadtest/worker/types.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { uniqueStream, useEmbeddedKinesis } from '../helpers/kinesis.js';
import { tempDir } from '../helpers/tempDir.js';

let kinesis: EmbeddedKinesis;
useEmbeddedKinesis((k) => {
  kinesis = k;
});

async function input(dir: string, rate: number, seconds: number): Promise<WorkerInput> {
  const stream = uniqueStream('lt-worker');
  await kinesis.createStream(stream, 1);
  const scenarioFile = join(dir, 'scenario.yaml');
  writeFileSync(
    scenarioFile,
    `target: { kind: embedded }\ndatasets:\n  grid:\n    late_share: 0.1\n    late_by: 5m\n    profile: [{ kind: constant, name: p, rate: ${rate}, duration: ${seconds}s }]\n`,
  );
  return {
    runId: 'test',
    scenarioFile,
    name: 'w0',
    index: 0,
    of: 1,
    target: { endpoint: kinesis.endpoint, streams: { grid: stream } },
    simulatedStartMs: Date.UTC(2026, 0, 1),
    resultFile: join(dir, 'w0.json'),
  };
}

describe('packPending', () => {
  it('keeps stage and sample exactly and the time to a quarter millisecond, over a day of offsets', () => {
    for (const [offsetMs, stage, sample] of [
      [0, 0, false],
      [0.125, 4095, true],
      [1234.567, 7, true],
      [86_400_000 * 7 + 0.3, 12, false],
    ] as const) {
      const u = unpackPending(packPending(offsetMs, stage, sample));
      expect(u.stage).toBe(stage);
      expect(u.sample).toBe(sample);
      expect(Math.abs(u.offsetMs - offsetMs)).toBeLessThanOrEqual(0.125);
    }
    // A clock stepped back: the offset is 0, stage and sample still exact.
    expect(unpackPending(packPending(-3, 5, true))).toEqual({ offsetMs: 0, stage: 5, sample: true });
  });
});

describe('runLoadWorker', () => {
  it('sends every event of its slice, late ones included, and accounts for each', async () => {
    const dir = tempDir('lt-worker');
    const samples: FreshnessSample[] = [];
    const r = await runLoadWorker(await input(dir, 200, 2), {
      start: async () => Date.now(),
      onSnapshot: (s) => samples.push(...s.samples),
    });
    const grid = r.datasets.grid!;
    // Every acknowledged event's latency is recorded, and the freshness samples keep their own times.
    expect(r.metrics.grid!.p!.histograms.put_latency!.count).toBe(400);
    expect(samples.length).toBeGreaterThan(2);
    for (const s of samples) {
      expect(s.sent_ms).toBeGreaterThanOrEqual(s.intended_ms - 1);
      expect(s.acked_ms).toBeGreaterThanOrEqual(s.sent_ms);
    }
    expect(grid.emitted).toBe(400);
    expect(grid.acknowledged).toBe(400);
    expect(grid.failed_event_ids).toEqual([]);
    expect(grid.late).toBeGreaterThan(0);
    expect(r.limit).toBeNull();
    expect(r.metrics.grid!.p!.counters).toMatchObject({ asked: 400, sent: 400, acknowledged: 400 });
  });

  it('a generator behind schedule reports its lag as the limit and still sends every event asked', async () => {
    const dir = tempDir('lt-worker-lag');
    // The clock jumps 3 s ahead after the first second: every event due meanwhile is overdue at once,
    // as when the worker's CPU cannot keep up.
    const t0 = Date.now();
    const clock: LoadClock = {
      now: () => {
        const t = Date.now();
        return t - t0 > 1000 ? t + 3000 : t;
      },
      sleepUntil: (ms, signal) =>
        WALL_LOAD_CLOCK.sleepUntil(ms - (Date.now() - t0 > 1000 ? 3000 : 0), signal),
    };
    const r = await runLoadWorker(await input(dir, 100, 6), { start: async () => t0, clock });
    expect(r.limit).toMatch(/^generator behind schedule: max lag [\d.]+ s \(grid\)$/);
    expect(r.datasets.grid!.max_lag_ms).toBeGreaterThan(1000);
    expect(r.datasets.grid!.emitted).toBe(600);
    expect(r.datasets.grid!.acknowledged).toBe(600);
  });
});
