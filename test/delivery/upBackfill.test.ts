import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUp } from '../../local/index.js';
import { scarcityIntervals } from '../../producers/sources/index.js';
import { tempDir } from '../helpers/tempDir.js';
import { duckRows, rawParquet } from './support/lakeKit.js';

const HOUR = 3_600_000;
let dir: string;
beforeAll(() => {
  dir = tempDir('up-backfill');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { write: () => true, isTTY: false };

/** The raw key (natural key, and the version for grid's revisions) of each dataset checked below. */
const RAW_KEYS = {
  grid: 'record_type, market, coalesce(settlement_point, load_zone), interval_minutes, event_time, version',
  weather: 'record_type, location_id, event_time, forecast_issued_at',
} as const;

/** Raw keys of a dataset that occur more than once in the lake (should be none). */
async function repeatedKeys(lake: string, dataset: keyof typeof RAW_KEYS): Promise<number> {
  const [r] = await duckRows(
    `select count(*) as n from (select ${RAW_KEYS[dataset]} from ${rawParquet(lake, dataset)} group by all having count(*) > 1)`,
  );
  return Number(r!.n);
}

describe('gridstream up: history on the first run', () => {
  it('backfills the last hours through the pipeline, never sends them twice, and live starts after them', async () => {
    // Prepare: a lake of its own per attempt
    const lake = mkdtempSync(join(dir, 'lake-'));
    const before = Date.now();
    // Act: a seed run (backfill only), the same again, then up live for a moment without a backfill.
    const first = await runUp({
      lake,
      live: false,
      backfillHours: 3,
      seed: 7,
      scheduledTasks: [],
      out: quiet,
    });
    const second = await runUp({
      lake,
      live: false,
      backfillHours: 3,
      seed: 7,
      scheduledTasks: [],
      out: quiet,
    });
    const live = await runUp({
      lake,
      backfillHours: 0,
      seed: 8,
      speed: 600,
      durationMs: 1_500,
      scheduledTasks: [],
      out: quiet,
    });
    // Assess
    expect(first.drained).toBe(true);
    expect(first.backfill.events.grid).toBeGreaterThan(10_000);
    expect(first.backfill.events.weather).toBeGreaterThan(0);
    expect(first.backfill.events.transactions).toBeGreaterThan(0);
    // The second run sends only what came after the first one: nothing, or the batch whose time came
    // between the two runs (a 5-minute boundary or the hour can pass between them). No key twice (below).
    expect(second.backfill.events.grid).toBeLessThan(first.backfill.events.grid / 10);
    expect(second.backfill.events.weather).toBeLessThan(first.backfill.events.weather / 2);
    const [grid] = await duckRows(
      `select count(*) as n, epoch_ms(min(produced_at)) as lo, epoch_ms(max(produced_at)) as hi from ${rawParquet(lake, 'grid')} where producer_id = 'gridstream-grid-7'`,
    );
    expect(Number(grid!.n)).toBe(first.backfill.events.grid + second.backfill.events.grid);
    expect(Number(grid!.lo)).toBeGreaterThan(before - 3 * HOUR - 5 * 60_000);
    expect(Number(grid!.hi)).toBeLessThan(Date.now());
    // The live run at 600× speed started after the backfill's last batch, so no key repeats.
    expect(live.plans.find((p) => p.dataset === 'grid')!.startMs).toBeGreaterThan(Number(grid!.hi));
    expect(live.produced.grid).toBeGreaterThan(0);
    expect(live.drained).toBe(true);
    expect(await repeatedKeys(lake, 'grid')).toBe(0);
    expect(await repeatedKeys(lake, 'weather')).toBe(0);
  });

  it('counts only live rows in its freshness: the backfilled history is hours old by design', async () => {
    // Prepare: a lake of its own per attempt (a retried attempt must not find the first one's history)
    const lake = mkdtempSync(join(dir, 'lake-fresh-'));
    // Act: an hour of history, then live for a moment at 300× (ten simulated minutes: grid batches too)
    const r = await runUp({
      lake,
      backfillHours: 1,
      seed: 9,
      speed: 300,
      durationMs: 2_000,
      scheduledTasks: [],
      out: quiet,
    });
    // Assess: every history row lies before the bound (not a live plan's simulated start, which weather
    // aligns down to the hour), and freshness counted exactly the lake's rows produced from it on.
    expect(r.drained).toBe(true);
    const history = Object.values(r.backfill.events).reduce((a, b) => a + b, 0);
    expect(history).toBeGreaterThan(1_000);
    const from = r.freshnessFromMs!;
    const live: Record<string, number> = {};
    let before = 0;
    for (const dataset of ['grid', 'weather', 'transactions'] as const) {
      const [row] = await duckRows(
        `select count(*) filter (where epoch_ms(produced_at) >= ${from}) as live,
                count(*) filter (where epoch_ms(produced_at) < ${from}) as before
           from ${rawParquet(lake, dataset)}`,
      );
      live[dataset] = Number(row!.live);
      before += Number(row!.before);
    }
    const total = Object.values(live).reduce((a, b) => a + b, 0);
    const seen = `freshness ${JSON.stringify(r.delivery.freshness)}, delivered ${r.delivery.totals.delivered}, lake: ${JSON.stringify(live)} from the bound on, ${before} before it; history ${history}`;
    expect(before, seen).toBeGreaterThanOrEqual(history);
    expect(live.grid, seen).toBeGreaterThan(0);
    expect(r.delivery.freshness.count, seen).toBe(total);
  });

  it('holds a scarcity interval in a 24-hour backfill, as the oracle lists it', async () => {
    const lake = mkdtempSync(join(dir, 'lake24-'));
    const r = await runUp({ lake, live: false, backfillHours: 24, seed: 3, scheduledTasks: [], out: quiet });
    const range = r.backfill.ranges.grid!;
    const oracle = scarcityIntervals({ seed: 3, startMs: range.startMs, endMs: range.endMs });
    const spikes = await duckRows(
      `select distinct epoch_ms(event_time) as t, interval_minutes as m from ${rawParquet(lake, 'grid')}
       where market = 'RTM' and energy_usd_mwh >= 1000 order by all`,
    );
    expect(oracle.length).toBeGreaterThan(0);
    expect(spikes.map((s) => `${s.t}|${s.m}`).sort()).toEqual(
      oracle.map((o) => `${o.startMs}|${o.intervalMinutes}`).sort(),
    );
    expect(r.backfill.durationMs).toBeGreaterThan(0);
  });
});
