// Each analyst query and view on a small hand-made lake around now, through `gridstream query`: the
// cases that misled analysts before (unbounded windows, freshness from event time, NaN correlations,
// revisions and copies in the raw zone).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURATION_TEST_DEFAULTS,
  runCuration,
  SQL_ATHENA_DIR,
} from '../../stream-processors/curation/index.js';
import { makeLake, removeLake, writeRawEvents } from '../curation/rawLake.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';
import { ms, type Row } from './oracle.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('analyst queries and views (sql/athena) through gridstream query', () => {
  let lake: string;
  const now = Date.now();
  // Times on the clock's intervals and hours, as the quality rules require.
  const interval = (ago: number) => Math.floor((now - ago) / (5 * MINUTE)) * 5 * MINUTE;
  const hourStart = (ago: number) => Math.floor((now - ago) / HOUR) * HOUR;
  const forecastProducedAt = Math.min(hourStart(0) + 1000, now - 1000);
  const price = (ago: number, point: string, lmp: number, extra: Record<string, unknown> = {}) =>
    gridEvent({
      event_time: interval(ago),
      settlement_point: point,
      lmp_usd_mwh: lmp,
      energy_usd_mwh: lmp - 1,
      congestion_usd_mwh: 0.5,
      loss_usd_mwh: 0.5,
      produced_at: interval(ago) + 1000,
      ...extra,
    });

  const run = async (sql: string): Promise<Row[]> => {
    const args = sql.endsWith('.sql') ? ['-f', join(SQL_ATHENA_DIR, 'queries', sql)] : [sql];
    const r = await runCliInProcess(['query', '--lake', lake, '--format', 'json', ...args]);
    if (r.code !== 0) throw new Error(r.err);
    return JSON.parse(r.out) as Row[];
  };

  beforeAll(async () => {
    lake = await makeLake('gridstream-analyst-queries-');
    const corrected = price(30 * MINUTE, 'HB_NORTH', 1500);
    const raised = price(25 * MINUTE, 'HB_WEST', 800);
    await writeRawEvents(lake, 'grid', [
      price(20 * MINUTE, 'HB_HOUSTON', 1800),
      price(10 * MINUTE, 'HB_SOUTH', 4200),
      price(3 * HOUR, 'HB_PAN', 2100), // outside the last hour
      corrected,
      raised,
      price(5 * MINUTE, 'HB_HUBAVG', 55.25),
      // The freshest grid event: its interval began 14 minutes ago or more, it was produced 2 s ago.
      gridEvent({
        record_type: 'SYSTEM_CONDITIONS',
        event_time: interval(14 * MINUTE),
        settlement_point: null,
        settlement_point_type: null,
        lmp_usd_mwh: null,
        energy_usd_mwh: null,
        congestion_usd_mwh: null,
        loss_usd_mwh: null,
        load_mw: 10_000,
        produced_at: now - 2000,
      }),
    ]);
    // Re-delivered copy, and two ERCOT price corrections (version 2): one ends a spike, one makes one.
    await writeRawEvents(lake, 'grid', [price(10 * MINUTE, 'HB_SOUTH', 4200, { event_id: 'copy-of-south' })]);
    await writeRawEvents(lake, 'grid', [
      {
        ...corrected,
        event_id: 'north-v2',
        version: 2,
        lmp_usd_mwh: 900,
        energy_usd_mwh: 899,
        produced_at: corrected.produced_at + 60_000,
      },
      {
        ...raised,
        event_id: 'west-v2',
        version: 2,
        lmp_usd_mwh: 2500,
        energy_usd_mwh: 2499,
        produced_at: raised.produced_at + 60_000,
      },
    ]);
    // A 48 h forecast issued this hour: its valid time is far ahead, its production time is not.
    await writeRawEvents(lake, 'weather', [
      weatherEvent({
        record_type: 'FORECAST',
        event_time: hourStart(0) + 48 * HOUR,
        forecast_issued_at: hourStart(0),
        forecast_horizon_hours: 48,
        produced_at: forecastProducedAt,
      }),
      // One observation hour for LZ_HOUSTON: too few for a correlation.
      weatherEvent({ event_time: hourStart(2 * HOUR), produced_at: hourStart(2 * HOUR) + 1000 }),
    ]);
    await writeRawEvents(lake, 'grid', [
      gridEvent({
        record_type: 'SYSTEM_CONDITIONS',
        event_time: hourStart(2 * HOUR),
        settlement_point: null,
        settlement_point_type: null,
        lmp_usd_mwh: null,
        energy_usd_mwh: null,
        congestion_usd_mwh: null,
        loss_usd_mwh: null,
        load_mw: 9000,
        produced_at: hourStart(2 * HOUR) + 1000,
      }),
    ]);
    await writeRawEvents(lake, 'transactions', [
      // Delivering tomorrow: in the 7-day window and in today's + tomorrow's summary rows.
      transactionEvent({
        trade_id: 'OPEN-1',
        trader: 'trader-7',
        event_time: now - HOUR,
        produced_at: now - HOUR,
        delivery_start: Math.floor(now / DAY) * DAY + DAY,
        delivery_end: Math.floor(now / DAY) * DAY + 2 * DAY,
        quantity_mwh: 400,
        price_usd_mwh: 55.25,
      }),
      // Delivering in 100 days: a gold row far ahead, outside every window.
      transactionEvent({
        trade_id: 'FAR-1',
        trader: 'trader-7',
        event_time: now - HOUR,
        produced_at: now - HOUR,
        delivery_start: Math.floor(now / DAY) * DAY + 100 * DAY,
        delivery_end: Math.floor(now / DAY) * DAY + 101 * DAY,
      }),
    ]);
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
  });
  afterAll(async () => {
    await removeLake(lake);
  });

  it('v_grid_latest: one row per natural key, the highest version, copies and revisions counted', async () => {
    const rows = await run(
      "SELECT settlement_point, version, lmp_usd_mwh, raw_rows FROM v_grid_latest WHERE settlement_point IN ('HB_NORTH', 'HB_WEST', 'HB_SOUTH') ORDER BY 1",
    );
    expect(rows).toEqual([
      { settlement_point: 'HB_NORTH', version: 2, lmp_usd_mwh: 900, raw_rows: 2 },
      { settlement_point: 'HB_SOUTH', version: 1, lmp_usd_mwh: 4200, raw_rows: 2 },
      { settlement_point: 'HB_WEST', version: 2, lmp_usd_mwh: 2500, raw_rows: 2 },
    ]);
  });

  it('v_grid_recent and v_weather_latest: dt is a DATE, hr an INTEGER, like every view', async () => {
    const rows = await run(
      `SELECT * FROM (SELECT 'v_grid_recent' AS v, typeof(dt) AS dt, typeof(hr) AS hr FROM v_grid_recent LIMIT 1)
       UNION ALL SELECT * FROM (SELECT 'v_weather_latest', typeof(dt), typeof(hr) FROM v_weather_latest LIMIT 1)
       UNION ALL SELECT * FROM (SELECT 'v_rtm_prices', typeof(dt), '' FROM v_rtm_prices LIMIT 1)
       UNION ALL SELECT * FROM (SELECT 'v_live_trades', typeof(dt), '' FROM v_live_trades LIMIT 1)`,
    );
    expect(rows.map((r) => r.v)).toEqual([
      'v_grid_recent',
      'v_weather_latest',
      'v_rtm_prices',
      'v_live_trades',
    ]);
    for (const r of rows) expect(r.dt, String(r.v)).toBe('DATE');
    expect(rows.filter((r) => r.hr !== '').map((r) => r.hr)).toEqual(['INTEGER', 'INTEGER']);
  });

  it('price_spikes_last_hour: the spikes of the last hour at their latest version, copies folded', async () => {
    const rows = await run('price_spikes_last_hour.sql');
    expect(rows.map((r) => [r.settlement_point, Number(r.lmp_usd_mwh), r.version])).toEqual([
      ['HB_SOUTH', 4200, 1],
      ['HB_HOUSTON', 1800, 1],
      ['HB_WEST', 2500, 2],
    ]);
    expect(ms(rows[0]!.window_end) - ms(rows[0]!.window_start)).toBe(HOUR);
  });

  it('freshest_partition: lag from production time; a forecast of the day after tomorrow is not fresher than now', async () => {
    const rows = await run('freshest_partition.sql');
    expect(rows.map((r) => r.dataset)).toEqual(['grid', 'transactions', 'weather']);
    const grid = rows.find((r) => r.dataset === 'grid')!;
    const weather = rows.find((r) => r.dataset === 'weather')!;
    expect(ms(grid.last_produced_at)).toBe(now - 2000);
    expect(Number(grid.lag_seconds)).toBeLessThan(14 * 60); // not from the interval start
    expect(ms(weather.last_produced_at)).toBe(forecastProducedAt);
    expect(Number(weather.lag_seconds)).toBeGreaterThanOrEqual(0);
    expect(Number(grid.rows_last_hour)).toBeGreaterThan(0);
  });

  it('market_summary_last_week: only the last seven days, never the future delivery days', async () => {
    const rows = await run('market_summary_last_week.sql');
    const today = new Date(Math.floor(now / DAY) * DAY).toISOString().slice(0, 10);
    const gold = await run('SELECT max(CAST(dt AS date)) AS last FROM gold_daily_market_summary');
    expect(String(gold[0]!.last) > today).toBe(true); // the table has far-ahead delivery days ...
    expect(rows.length).toBeGreaterThan(0);
    // The window is the query's own (UTC midnight may pass between this file's set-up and the query):
    // today, or the day after when midnight passed, and the six days before.
    const end = String(rows[0]!.window_end);
    const dayAfter = new Date(Math.floor(now / DAY) * DAY + DAY).toISOString().slice(0, 10);
    expect([today, dayAfter]).toContain(end);
    expect(Date.parse(end) - Date.parse(String(rows[0]!.window_start))).toBe(6 * DAY);
    for (const r of rows) {
      expect(String(r.dt) <= end).toBe(true); // ... the query does not show them
      expect(String(r.dt) >= String(r.window_start)).toBe(true);
      expect(r.has_prices).toBe(Number(r.price_intervals) > 0);
    }
  });

  it('load_vs_temperature_by_zone: one hour gives no correlation and says why, never NaN', async () => {
    const rows = await run('load_vs_temperature_by_zone.sql');
    expect(rows).toEqual([
      expect.objectContaining({
        load_zone: 'LZ_HOUSTON',
        hours: 1,
        load_temperature_corr: null,
        corr_note: 'fewer than 3 hours',
      }),
    ]);
  });

  it('trader_positions: trades delivering in the next 7 days, notional exact to the cent', async () => {
    const rows = await run('trader_positions.sql');
    expect(rows.filter((r) => r.trader === 'trader-7')).toEqual([
      expect.objectContaining({
        book: 'ERCOT-POWER',
        live_trades: 1,
        net_mwh: '400.000',
        notional_usd: '22100.00',
        vwap_usd_mwh: '55.25',
      }),
    ]);
  });

  it('every query file states its question, window, grain and invariants', () => {
    for (const file of [
      'freshest_partition.sql',
      'load_vs_temperature_by_zone.sql',
      'market_summary_last_week.sql',
      'price_spikes_last_hour.sql',
      'trader_positions.sql',
    ]) {
      const text = readFileSync(join(SQL_ATHENA_DIR, 'queries', file), 'utf8');
      for (const heading of ['Question:', 'Window:', 'Grain:', 'Invariants:'])
        expect(text, `${file} ${heading}`).toContain(`-- ${heading}`);
    }
  });
});
