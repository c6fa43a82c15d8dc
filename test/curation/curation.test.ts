import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURATION_TEST_DEFAULTS,
  type CurationSummary,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { gridEvent } from '../helpers/events.js';
import { expectedHourly, expectedPositions, expectedSummary, liveTrades } from './goldOracle.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';
import { buildScenario, DAY0, latestIngest, type Scenario } from './scenario.js';
import { readTable, type ScenarioFiles, writeScenarioLake } from './tables.js';

const HOUR = 3_600_000;
// The SQL sums DOUBLEs through DECIMAL(18,6) (exact and order-independent; each value rounded to
// 1e-6), the oracle sums JavaScript doubles: they agree to well within 1e-4.
const close = (a: unknown, b: number | null) => {
  if (b === null) expect(a).toBeNull();
  else expect(Math.abs((a as number) - b)).toBeLessThan(1e-4);
};

describe('curation on DuckDB', () => {
  let lake: string;
  let scenario: Scenario;
  let files: ScenarioFiles;
  let first: CurationSummary;

  beforeAll(async () => {
    lake = await makeLake();
    scenario = buildScenario(3);
    files = await writeScenarioLake(lake, scenario);
    first = await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
  });
  afterAll(() => removeLake(lake));

  it('keeps one row per event_id: the latest ingest (greatest produced_at, then file name)', async () => {
    const expected = latestIngest(files.grid);
    const rows = await readTable(lake, 'curated_grid');
    expect(rows).toHaveLength(expected.size);
    const duplicates = files.grid.reduce((n, f) => n + f.events.length, 0) - expected.size;
    expect(duplicates).toBeGreaterThan(20);
    expect(first.datasets.grid?.duplicates).toBe(duplicates);
    for (const r of rows) {
      const e = expected.get(String(r.event_id))!;
      expect(r.lmp_usd_mwh).toBe(e.lmp_usd_mwh);
      expect(r.load_mw).toBe(e.load_mw);
      expect(r.produced_at).toBe(new Date(e.produced_at).toISOString());
    }
    // A corrected copy (later produced_at) won; a stale copy (earlier produced_at, later file) lost.
    expect(
      rows.some((r) => scenario.grid.find((g) => g.event_id === r.event_id)!.lmp_usd_mwh !== r.lmp_usd_mwh),
    ).toBe(true);
    expect(await readTable(lake, 'curated_grid_quarantine')).toEqual([]);
  });

  it('partitions curated weather by the UTC date of its raw partition time (forecasts: issue time)', async () => {
    const rows = await readTable(lake, 'curated_weather');
    // Forecasts issued 6 h ahead of the first hours of 2026-11-21 were issued on 2026-11-20.
    expect(new Set(rows.map((r) => r.dt))).toEqual(new Set(['2026-11-20', '2026-11-21', '2026-11-22']));
    for (const r of rows) {
      const partitionTime = r.record_type === 'FORECAST' ? r.forecast_issued_at : r.event_time;
      expect(String(partitionTime).slice(0, 10)).toBe(r.dt);
    }
    expect(rows).toHaveLength(latestIngest(files.weather).size);
  });

  it('keeps the latest version per trade_id; an amended trade moves to the amendment day; cancelled trades stay, flagged', async () => {
    const rows = await readTable(lake, 'curated_transactions');
    const trades = [...latestIngest(files.transactions).values()];
    expect(rows).toHaveLength(new Set(trades.map((t) => t.trade_id)).size);
    const amended = rows.filter((r) => r.status === 'AMEND');
    expect(amended).toHaveLength(2);
    for (const r of amended) {
      expect(r.version).toBe(2);
      expect(r.version_count).toBe(2);
      expect(r.dt).toBe(String(r.event_time).slice(0, 10));
    }
    expect(amended.map((r) => r.dt)).toContain('2026-11-23');
    const cancelled = rows.filter((r) => r.is_cancelled);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatchObject({ status: 'CANCEL', version: 2, trade_id: 'TR-3-6' });
    const positions = await readTable(lake, 'gold_trading_positions_daily');
    expect(positions.reduce((n, p) => n + Number(p.trade_count), 0)).toBeGreaterThan(0);
    expect(liveTrades(trades).some((t) => t.trade_id === 'TR-3-6')).toBe(false);
  });

  it('gold_grid_weather_hourly matches values computed from the events', async () => {
    const expected = expectedHourly(
      [...latestIngest(files.grid).values()],
      [...latestIngest(files.weather).values()],
    );
    const rows = await readTable(lake, 'gold_grid_weather_hourly');
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      const e = expected.get(`${r.load_zone}|${r.hour_start}`)!;
      expect(e, `${r.load_zone} ${r.hour_start}`).toBeDefined();
      close(r.load_mw, e.load_mw);
      expect(r).toMatchObject({
        avg_lmp_usd_mwh: e.avg_lmp_usd_mwh,
        min_lmp_usd_mwh: e.min_lmp_usd_mwh,
        max_lmp_usd_mwh: e.max_lmp_usd_mwh,
        price_intervals: e.price_intervals,
        spike_intervals: e.spike_intervals,
        weather_observations: e.weather_observations,
        hr: String(r.hour_start).slice(11, 13),
      });
      close(r.temperature_c, e.temperature_c);
    }
    expect(rows.reduce((n, r) => n + Number(r.spike_intervals), 0)).toBeGreaterThan(0);
  });

  it('gold_trading_positions_daily splits each trade evenly over its UTC delivery days', async () => {
    const expected = expectedPositions([...latestIngest(files.transactions).values()]);
    const rows = await readTable(lake, 'gold_trading_positions_daily');
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      const e = expected.get(`${r.dt}|${r.book}|${r.product}`)!;
      // Exact: whole kWh and cents on both sides.
      expect(r).toMatchObject({
        net_mwh: e.net,
        gross_mwh: e.gross,
        notional_usd: e.notional,
        vwap_usd_mwh: e.vwap,
        trade_count: e.trades.size,
      });
      expect(Math.round((Number(r.bought_mwh) - Number(r.sold_mwh)) * 1000)).toBe(Math.round(e.net * 1000));
    }
  });

  it('gold_daily_market_summary matches values computed from the events', async () => {
    const expected = expectedSummary(
      [...latestIngest(files.grid).values()],
      [...latestIngest(files.transactions).values()],
    );
    const rows = (await readTable(lake, 'gold_daily_market_summary')).sort((a, b) =>
      String(a.dt).localeCompare(String(b.dt)),
    );
    expect(rows.map((r) => r.dt)).toEqual([...expected.keys()].sort());
    for (const r of rows) {
      const e = expected.get(String(r.dt))!;
      expect(r).toMatchObject({
        min_lmp_usd_mwh: e.min,
        avg_lmp_usd_mwh: e.avg,
        max_lmp_usd_mwh: e.max,
        spike_intervals: e.spikes,
        traded_mwh: e.traded,
        traded_notional_usd: e.notionalCents / 100,
      });
      close(r.peak_load_mw, e.peak);
    }
  });

  it('is idempotent: a second run changes nothing, a forced re-run writes the same rows', async () => {
    const tables = Object.keys(first.tables);
    const before = await Promise.all(tables.map((t) => readTable(lake, t)));
    const manifest = await readFile(join(lake, 'curated/grid/_manifest.json'), 'utf8');

    const again = await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
    expect(again.tables).toEqual({});
    expect(await readFile(join(lake, 'curated/grid/_manifest.json'), 'utf8')).toBe(manifest);

    const forced = await runCuration({ lake, ...CURATION_TEST_DEFAULTS, full: true });
    expect(Object.keys(forced.tables)).toContain('curated_grid');
    // Full-mode tables (transactions, positions) publish only partitions whose rows changed: none.
    expect(forced.tables.curated_transactions).toBeUndefined();
    expect(forced.tables.gold_trading_positions_daily).toBeUndefined();
    const after = await Promise.all(tables.map((t) => readTable(lake, t)));
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  it('merges late data: a file arriving for an already-curated day is picked up by the next run', async () => {
    const late = gridEvent({
      event_time: DAY0 + 6 * HOUR + 30 * 60_000,
      load_zone: 'LZ_NORTH',
      settlement_point: 'HB_NORTH',
      lmp_usd_mwh: 2500,
      energy_usd_mwh: 2400,
      congestion_usd_mwh: 99.5,
      loss_usd_mwh: 0.5,
      produced_at: DAY0 + 30 * HOUR,
    });
    const hourBefore = await readTable(
      lake,
      'gold_grid_weather_hourly',
      `load_zone = 'LZ_NORTH' AND hr = '06' AND dt = '2026-11-21'`,
    );
    await writeRawEvents(lake, 'grid', [late]);

    const run = await runCuration({ lake, ...CURATION_TEST_DEFAULTS });

    expect(run.datasets.grid?.dts).toEqual(['2026-11-21']);
    expect(await readTable(lake, 'curated_grid', `event_id = '${late.event_id}'`)).toHaveLength(1);
    const hourAfter = await readTable(
      lake,
      'gold_grid_weather_hourly',
      `load_zone = 'LZ_NORTH' AND hr = '06' AND dt = '2026-11-21'`,
    );
    expect(hourAfter[0]!.price_intervals).toBe(Number(hourBefore[0]!.price_intervals) + 1);
    expect(hourAfter[0]!.spike_intervals).toBe(Number(hourBefore[0]!.spike_intervals) + 1);
    expect(run.tables.gold_daily_market_summary?.dts).toEqual(['2026-11-21']);
  });

  it('leaves files older than the lateness window to an explicit --since', async () => {
    const ancient = gridEvent({ event_time: DAY0 - 10 * 24 * HOUR, lmp_usd_mwh: 31, energy_usd_mwh: 28.6 });
    await writeRawEvents(lake, 'grid', [ancient]);

    const incremental = await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
    expect(incremental.datasets.grid).toBeUndefined();

    const since = await runCuration({
      lake,
      ...CURATION_TEST_DEFAULTS,
      datasets: ['grid'],
      since: '2026-11-11',
    });
    expect(since.datasets.grid?.dts).toEqual(['2026-11-11', '2026-11-21', '2026-11-22']);
    expect(await readTable(lake, 'curated_grid', `event_id = '${ancient.event_id}'`)).toHaveLength(1);
  });
});
