// One load worker in process against the embedded Kinesis: every event accounted, and a generator that
// falls behind reports its lag as the limit without lowering the rate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadClock, WALL_LOAD_CLOCK } from '../../loadtest/scheduler/runOpenModel.js';
import { runLoadWorker } from '../../loadtest/worker/runLoadWorker.js';
import type { WorkerInput } from '../../loadtest/worker/types.js';
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

describe('runLoadWorker', () => {
  it('sends every event of its slice, late ones included, and accounts for each', async () => {
    const dir = tempDir('lt-worker');
    const r = await runLoadWorker(await input(dir, 200, 2), { start: async () => Date.now() });
    const grid = r.datasets.grid!;
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
