import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridEvent, TransactionsEvent } from '../../schemas/index.js';
import { CURATION_TEST_DEFAULTS, loadPipeline, runCuration } from '../../stream-processors/curation/index.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';
import { makeLake, query, removeLake, writeRawEvents } from './rawLake.js';
import { readTable, tableSql } from './tables.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 2026-11-22T00:00Z */
const D = Date.UTC(2026, 10, 22);
const T = D + 12 * HOUR;

/** A price whose components add up: energy = lmp - 1.5, congestion 1, loss 0.5. */
function price(lmp: number, o: Partial<GridEvent> = {}): GridEvent {
  return gridEvent({
    lmp_usd_mwh: lmp,
    energy_usd_mwh: Math.round((lmp - 1.5) * 100) / 100,
    congestion_usd_mwh: 1,
    loss_usd_mwh: 0.5,
    ...o,
  });
}

const conditions = (o: Partial<GridEvent>): GridEvent =>
  gridEvent({
    record_type: 'SYSTEM_CONDITIONS',
    settlement_point: null,
    settlement_point_type: null,
    lmp_usd_mwh: null,
    energy_usd_mwh: null,
    congestion_usd_mwh: null,
    loss_usd_mwh: null,
    load_mw: 40_000,
    ...o,
  });

const trade = (o: Partial<TransactionsEvent>): TransactionsEvent =>
  transactionEvent({
    event_time: T,
    produced_at: T + 1000,
    delivery_start: D + DAY,
    delivery_end: D + 2 * DAY,
    ...o,
  });

/** Scalar result of one SQL query over a published table (`t` in `sql`). */
async function scalar(lake: string, table: string, sql: string): Promise<unknown> {
  const [row] = await query(sql.replace(/\bt\b/, `(${await tableSql(lake, table)})`));
  return Object.values(row!)[0];
}

describe('curated keeps one row per natural key: the latest revision wins, revisions are counted', () => {
  let lake: string;
  // grid
  const corrected = {
    v1: price(40, {
      event_time: T,
      settlement_point: 'HB_NORTH',
      load_zone: 'LZ_NORTH',
      produced_at: T + 1000,
    }),
    // The ERCOT correction: version 2, produced earlier than a late v1 copy below, still wins.
    v2: price(45.25, {
      event_time: T,
      settlement_point: 'HB_NORTH',
      load_zone: 'LZ_NORTH',
      version: 2,
      produced_at: T + 2000,
    }),
    lateV1: price(41, {
      event_time: T,
      settlement_point: 'HB_NORTH',
      load_zone: 'LZ_NORTH',
      produced_at: T + 9000,
    }),
  };
  const badCorrection = {
    v1: price(30, { event_time: T, settlement_point: 'HB_WEST', load_zone: 'LZ_WEST' }),
    // v2 breaks lmp = energy + congestion + loss: quarantined, v1 stays.
    v2: gridEvent({
      event_time: T,
      settlement_point: 'HB_WEST',
      load_zone: 'LZ_WEST',
      version: 2,
      lmp_usd_mwh: 31,
      energy_usd_mwh: 20,
      congestion_usd_mwh: 1,
      loss_usd_mwh: 0.5,
      produced_at: T + 5000,
    }),
  };
  const zoneLoad = [
    conditions({ event_time: T, load_zone: 'LZ_SOUTH', load_mw: 10_000, produced_at: T + 1000 }),
    conditions({ event_time: T, load_zone: 'LZ_SOUTH', load_mw: 10_500, produced_at: T + 3000 }),
  ];
  /** Every 5-minute interval of one day at one point, each emitted twice with its own event_id. */
  const fullDay: GridEvent[] = [];
  for (let i = 0; i < 288; i++) {
    for (const copy of [0, 1]) {
      fullDay.push(
        price(20 + (i % 7), {
          event_time: D + i * 5 * MINUTE,
          settlement_point: 'HB_PAN',
          load_zone: 'LZ_WEST',
          produced_at: D + i * 5 * MINUTE + 1000 + copy,
        }),
      );
    }
  }
  const unaligned = price(20, {
    event_time: D + 7 * MINUTE,
    settlement_point: 'HB_PAN',
    load_zone: 'LZ_WEST',
  });
  const tenDimes = Array.from({ length: 10 }, (_, i) =>
    gridEvent({
      event_time: T + i * 5 * MINUTE,
      settlement_point: 'HB_DIME',
      load_zone: 'LZ_HOUSTON',
      lmp_usd_mwh: 0.1,
      energy_usd_mwh: 0.07,
      congestion_usd_mwh: 0.02,
      loss_usd_mwh: 0.01,
    }),
  );
  // weather
  const reObserved = [1, 2, 3].map((n) =>
    weatherEvent({
      event_time: T,
      location_id: 'austin',
      temperature_c: 20 + n,
      produced_at: T + n * MINUTE,
    }),
  );
  const forecasts = [
    weatherEvent({
      record_type: 'FORECAST',
      event_time: T + 6 * HOUR,
      forecast_issued_at: T,
      forecast_horizon_hours: 6,
      location_id: 'austin',
      temperature_c: 25,
      produced_at: T + 1000,
    }),
    // The same forecast updated (same issue time, produced later): folds into one row.
    weatherEvent({
      record_type: 'FORECAST',
      event_time: T + 6 * HOUR,
      forecast_issued_at: T,
      forecast_horizon_hours: 6,
      location_id: 'austin',
      temperature_c: 26,
      produced_at: T + 2000,
    }),
    // Another issue time for the same valid hour: its own key.
    weatherEvent({
      record_type: 'FORECAST',
      event_time: T + 6 * HOUR,
      forecast_issued_at: T + HOUR,
      forecast_horizon_hours: 5,
      location_id: 'austin',
      temperature_c: 27,
      produced_at: T + HOUR + 1000,
    }),
  ];
  const halfPast = weatherEvent({ event_time: T + 30 * MINUTE, location_id: 'austin' });
  // transactions
  const amended = [
    trade({ trade_id: 'TX-AMEND', quantity_mwh: 100 }),
    trade({ trade_id: 'TX-AMEND', version: 2, status: 'AMEND', quantity_mwh: 120, event_time: T + MINUTE }),
    trade({
      trade_id: 'TX-AMEND',
      version: 3,
      status: 'AMEND',
      quantity_mwh: 150,
      event_time: T + 2 * MINUTE,
    }),
  ];
  const cancelled = [
    trade({ trade_id: 'TX-CANCEL', quantity_mwh: 50 }),
    trade({ trade_id: 'TX-CANCEL', version: 2, status: 'CANCEL', quantity_mwh: 50, event_time: T + MINUTE }),
  ];
  // Version 2 sent twice with two event ids: one version, counted once.
  const resent = [
    trade({ trade_id: 'TX-RESENT', quantity_mwh: 10 }),
    trade({ trade_id: 'TX-RESENT', version: 2, status: 'AMEND', quantity_mwh: 12, event_time: T + MINUTE }),
    trade({ trade_id: 'TX-RESENT', version: 2, status: 'AMEND', quantity_mwh: 12, event_time: T + MINUTE }),
  ];
  const { desk_limit_mw: limitMw, desk_limit_mwh: limitMwh } = loadPipeline().params as Record<
    string,
    number
  >;
  // Over the MW limit in one day; over the MWh limit on a 90-day strip within the MW limit.
  const overLimit = trade({ trade_id: 'TX-HUGE', quantity_mwh: 24 * limitMw! + 1 });
  const overMwh = trade({
    trade_id: 'TX-STRIP',
    quantity_mwh: limitMwh! + 1,
    delivery_end: D + 91 * DAY,
  });
  // Ten 1 MWh trades at 0.10 $/MWh delivering in one hour: notional 1.00 exactly.
  const dimes = Array.from({ length: 10 }, (_, i) =>
    trade({
      trade_id: `TX-DIME-${i}`,
      book: 'DIMES',
      quantity_mwh: 1,
      price_usd_mwh: 0.1,
      delivery_start: D + DAY,
      delivery_end: D + DAY + HOUR,
    }),
  );

  beforeAll(async () => {
    // Prepare: revisions, exact duplicates (same event_id in two files), violations.
    lake = await makeLake();
    await writeRawEvents(lake, 'grid', [
      corrected.v1,
      badCorrection.v1,
      zoneLoad[0]!,
      ...tenDimes,
      unaligned,
    ]);
    await writeRawEvents(lake, 'grid', [
      corrected.v2,
      corrected.lateV1,
      corrected.v1,
      badCorrection.v2,
      zoneLoad[1]!,
    ]);
    await writeRawEvents(lake, 'grid', fullDay);
    await writeRawEvents(lake, 'weather', [...reObserved, forecasts[0]!, halfPast]);
    await writeRawEvents(lake, 'weather', [forecasts[1]!, reObserved[0]!]);
    await writeRawEvents(lake, 'weather', [forecasts[2]!]);
    await writeRawEvents(lake, 'transactions', [
      ...amended,
      ...cancelled,
      ...resent,
      overLimit,
      overMwh,
      ...dimes,
    ]);
    await writeRawEvents(lake, 'transactions', [amended[0]!]);
    // Act
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
  });
  afterAll(() => removeLake(lake));

  it('grid: every natural key once; the highest version wins even when a v1 copy is produced later', async () => {
    const dupKeys = await scalar(
      lake,
      'curated_grid',
      `SELECT count(*) FROM (SELECT record_type, market, coalesce(settlement_point, load_zone), interval_minutes,
         event_time FROM t GROUP BY ALL HAVING count(*) > 1)`,
    );
    expect(Number(dupKeys)).toBe(0);
    const [north] = await readTable(lake, 'curated_grid', "settlement_point = 'HB_NORTH'");
    expect(north).toMatchObject({
      event_id: corrected.v2.event_id,
      version: 2,
      lmp_usd_mwh: 45.25,
      revision_count: 3,
    });
  });

  it('grid: a correction failing a rule is quarantined with its reason, the valid version stays', async () => {
    const [west] = await readTable(lake, 'curated_grid', "settlement_point = 'HB_WEST'");
    expect(west).toMatchObject({ event_id: badCorrection.v1.event_id, version: 1, revision_count: 1 });
    const [q] = await readTable(lake, 'curated_grid_quarantine', `event_id = '${badCorrection.v2.event_id}'`);
    expect(q).toMatchObject({
      dq_rule: 'lmp_equals_its_components',
      dq_reason: 'lmp is not energy + congestion + loss to the cent',
      version: 2,
    });
  });

  it('grid: system conditions are keyed by load zone, the latest produced wins', async () => {
    const rows = await readTable(lake, 'curated_grid', "load_zone = 'LZ_SOUTH'");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ load_mw: 10_500, revision_count: 2 });
  });

  it('grid: a point has at most 1440 / interval_minutes intervals a day; an unaligned start is quarantined', async () => {
    const perDay = await query(
      `SELECT coalesce(settlement_point, load_zone) AS point, interval_minutes, dt, count(*) AS n
       FROM (${await tableSql(lake, 'curated_grid')}) GROUP BY ALL`,
    );
    for (const r of perDay) expect(Number(r.n)).toBeLessThanOrEqual(1440 / Number(r.interval_minutes));
    expect(Number(perDay.find((r) => r.point === 'HB_PAN')!.n)).toBe(288);
    const [q] = await readTable(lake, 'curated_grid_quarantine', `event_id = '${unaligned.event_id}'`);
    expect(q).toMatchObject({ dq_rule: 'interval_start_aligned' });
    expect(String(q!.dq_reason)).toContain('1440/interval_minutes');
  });

  it('grid: prices are DECIMAL, lmp = energy + congestion + loss exactly, ten times 0.10 is 1.00', async () => {
    const types = await query(`DESCRIBE ${await tableSql(lake, 'curated_grid')}`);
    for (const c of ['lmp_usd_mwh', 'energy_usd_mwh', 'congestion_usd_mwh', 'loss_usd_mwh']) {
      expect(types.find((t) => t.column_name === c)!.column_type).toBe('DECIMAL(12,2)');
    }
    expect(
      Number(
        await scalar(
          lake,
          'curated_grid',
          'SELECT count(*) FROM t WHERE lmp_usd_mwh <> energy_usd_mwh + congestion_usd_mwh + loss_usd_mwh',
        ),
      ),
    ).toBe(0);
    expect(
      await scalar(
        lake,
        'curated_grid',
        "SELECT CAST(sum(lmp_usd_mwh) AS VARCHAR) FROM t WHERE settlement_point = 'HB_DIME'",
      ),
    ).toBe('1.00');
  });

  it('weather: one observation per location and hour (the latest produced), one forecast per issue time', async () => {
    const obs = await readTable(
      lake,
      'curated_weather',
      "location_id = 'austin' AND record_type = 'OBSERVATION'",
    );
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({ event_id: reObserved[2]!.event_id, temperature_c: 23, revision_count: 3 });
    const fc = await readTable(
      lake,
      'curated_weather',
      "location_id = 'austin' AND record_type = 'FORECAST'",
    );
    expect(fc.map((r) => [r.temperature_c, r.revision_count]).sort()).toEqual([
      [26, 2],
      [27, 1],
    ]);
    const [q] = await readTable(lake, 'curated_weather_quarantine', `event_id = '${halfPast.event_id}'`);
    expect(q).toMatchObject({ dq_rule: 'times_on_the_hour' });
  });

  it('transactions: one row per trade, its latest version, the number of distinct versions seen', async () => {
    const rows = await readTable(
      lake,
      'curated_transactions',
      "trade_id LIKE 'TX-%' AND trade_id NOT LIKE 'TX-DIME%'",
    );
    const got = rows.map((r) => [
      r.trade_id,
      r.version,
      r.status,
      r.quantity_mwh,
      r.version_count,
      r.is_cancelled,
    ]);
    expect(got.sort()).toEqual([
      ['TX-AMEND', 3, 'AMEND', 150, 3, false],
      ['TX-CANCEL', 2, 'CANCEL', 50, 2, true],
      ['TX-RESENT', 2, 'AMEND', 12, 2, false],
    ]);
  });

  it('transactions: a trade over a desk limit (MW or MWh) is quarantined with the limits in its reason', async () => {
    for (const id of ['TX-HUGE', 'TX-STRIP']) {
      const [q] = await readTable(lake, 'curated_transactions_quarantine', `trade_id = '${id}'`);
      expect(q).toMatchObject({ dq_rule: 'quantity_within_desk_limit' });
      expect(String(q!.dq_reason)).toContain(
        `${limitMw} MW flat over the delivery window, or more than ${limitMwh} MWh`,
      );
    }
  });

  it('gold positions exclude the cancelled trade and are exact to the cent (ten times 0.10 $ = 1.00 $)', async () => {
    const positions = await readTable(lake, 'gold_trading_positions_daily');
    const dimes = positions.find((p) => p.book === 'DIMES')!;
    expect(dimes).toMatchObject({ gross_mwh: 10, notional_usd: 1, vwap_usd_mwh: 0.1, trade_count: 10 });
    const gross = positions.filter((p) => p.book !== 'DIMES').reduce((n, p) => n + Number(p.gross_mwh), 0);
    expect(gross).toBe(150 + 12); // TX-AMEND v3 + TX-RESENT v2; TX-CANCEL excluded
    const types = await query(`DESCRIBE ${await tableSql(lake, 'gold_trading_positions_daily')}`);
    expect(types.find((t) => t.column_name === 'notional_usd')!.column_type).toBe('DECIMAL(18,2)');
    const summary = await readTable(lake, 'gold_daily_market_summary', "dt = '2026-11-23'");
    expect(summary[0]).toMatchObject({ traded_notional_usd: Number(((150 + 12) * 55.25 + 1).toFixed(2)) });
  });
});
