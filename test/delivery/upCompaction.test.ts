import { getEventListeners } from 'node:events';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compactionTask, curationTask, runUp, type UpScheduledTask } from '../../local/index.js';
import { DATASETS } from '../../schemas/index.js';
import { CURATION_TEST_DEFAULTS, runCuration } from '../../stream-processors/curation/index.js';
import { readTable } from '../curation/tables.js';
import { tempDir } from '../helpers/tempDir.js';
import { duckRows, rawParquet } from './support/lakeKit.js';

const HOUR = 3_600_000;
/** Published tables compared between `up`'s incremental runs and a full re-curation. */
const TABLES = [
  'curated_grid',
  'curated_weather',
  'curated_transactions',
  'gold_grid_weather_hourly',
  'gold_trading_positions_daily',
  'gold_daily_market_summary',
];

/** Data files per raw partition: `<dataset>/dt=…/hr=…` → file names. */
function filesPerHour(lake: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of DATASETS) {
    const root = join(lake, 'raw', d);
    for (const dt of readdirSync(root)) {
      for (const hr of readdirSync(join(root, dt))) {
        const files = readdirSync(join(root, dt, hr)).filter(
          (f) => f.endsWith('.parquet') && !f.startsWith('.'),
        );
        out.set(`${d}/${dt}/${hr}`, files);
      }
    }
  }
  return out;
}

let dir: string;
beforeAll(() => {
  dir = tempDir('up-compaction');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridstream up compacts closed hours on its one scheduler', () => {
  it('leaves ≤ 4 files per dataset per closed hour, and curated tables identical to a full re-curation', async () => {
    // Prepare: a clock two hours ahead makes every hour written "closed" for compaction, so up compacts
    // while delivery still writes into those partitions (late files: compacted again by a later run).
    const lake = join(dir, 'lake');
    const events: string[] = [];
    let compactedPartitions = 0;
    const compaction = compactionTask({ everyMs: 50, graceMs: 0, now: () => Date.now() + 2 * HOUR });
    const curation = curationTask(50);
    const logged = (task: UpScheduledTask): UpScheduledTask => ({
      ...task,
      async run(context) {
        const status = (await task.run(context)) ?? 'ok';
        events.push(`${task.name}: ${status}`);
        const m = /^(\d+) closed hour/.exec(status);
        if (task.name === 'compaction' && m) compactedPartitions += Number(m[1]);
        return status;
      },
    });
    const stop = new AbortController();
    const up = runUp({
      lake,
      // Live writes only, at 20× the company's real-time rates: simulated time stays within the two
      // hours the compaction clock is ahead, so every hour written counts as closed while delivery
      // still writes into it.
      speed: 20,
      backfillHours: 0,
      bufferIntervalMs: 100,
      seed: 7,
      scheduledTasks: [logged(compaction), logged(curation)],
      out: { write: () => true, isTTY: false },
      signal: stop.signal,
    });
    // Act: run until some partitions were compacted more than once (late files after a compaction)
    // and curation ran after that, while delivery kept writing.
    await vi.waitFor(
      () => {
        expect(compactedPartitions).toBeGreaterThan(DATASETS.length);
        const lastCompaction = events.findLastIndex((e) => /^compaction: \d+ closed hour/.test(e));
        expect(events.slice(lastCompaction + 1).some((e) => e.startsWith('curation: published'))).toBe(true);
      },
      { timeout: 90_000, interval: 100 },
    );
    stop.abort();
    const result = await up;

    // Assess: every closed hour holds at most 4 files, all of them compacted ones — except an hour that
    // received a single file (at 20x the company's rates, a few trades an hour): compaction needs two.
    expect(result.drained).toBe(true);
    const perHour = filesPerHour(lake);
    expect(perHour.size).toBeGreaterThan(0);
    let compactedHours = 0;
    for (const [hour, files] of perHour) {
      expect(files.length, hour).toBeLessThanOrEqual(4);
      if (files.length === 1 && !files[0]!.startsWith('0-compacted-')) continue;
      expect(
        files.every((f) => f.startsWith('0-compacted-')),
        hour,
      ).toBe(true);
      compactedHours++;
    }
    expect(compactedHours).toBeGreaterThan(0);
    // The raw zone holds every produced event exactly once (no copy kept, none lost).
    for (const d of DATASETS) {
      const [r] = await duckRows(
        `select count(*) as n, count(distinct event_id) as u from ${rawParquet(lake, d)}`,
      );
      expect([Number(r!.n), Number(r!.u)], d).toEqual([result.produced[d], result.produced[d]]);
    }
    // Curated tables built incrementally while compaction ran = a full curation of the final raw zone.
    const fresh = join(dir, 'fresh');
    cpSync(join(lake, 'raw'), join(fresh, 'raw'), { recursive: true });
    await runCuration({ lake: fresh, ...CURATION_TEST_DEFAULTS, full: true });
    for (const t of TABLES) expect(await readTable(lake, t), t).toEqual(await readTable(fresh, t));
    const [{ n: curatedGrid } = { n: 0 }] = await duckRows(
      `select count(*) as n from read_parquet('${join(lake, 'curated', 'grid')}/versions/*/*/*.parquet')`,
    ).catch(() => [{ n: 0 }]);
    expect(Number(curatedGrid)).toBeGreaterThan(0);
  }, 180_000);

  it('runs many rounds without adding listeners to the signal its tasks get (no MaxListenersExceededWarning)', async () => {
    // Prepare: a task every 5 ms that looks at the abort listeners of the signal it is given.
    const lake = join(dir, 'rounds');
    const listeners: number[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    const counter: UpScheduledTask = {
      name: 'counter',
      everyMs: 5,
      runOnShutdown: false,
      async run({ signal }) {
        listeners.push(getEventListeners(signal, 'abort').length);
        return `${listeners.length} rounds`;
      },
    };
    const stop = new AbortController();
    try {
      const up = runUp({
        lake,
        rates: { grid: 10, weather: 0, transactions: 0 },
        bufferIntervalMs: 100,
        seed: 3,
        scheduledTasks: [counter],
        out: { write: () => true, isTTY: false },
        signal: stop.signal,
      });
      // Act
      await vi.waitFor(() => expect(listeners.length).toBeGreaterThanOrEqual(25), {
        timeout: 60_000,
        interval: 20,
      });
      stop.abort();
      await up;
    } finally {
      process.off('warning', onWarning);
    }
    // Assess: the listener count stays flat (the old loop added one per round and never removed it).
    expect(Math.max(...listeners.slice(0, 25))).toBeLessThanOrEqual(2);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  }, 90_000);
});
