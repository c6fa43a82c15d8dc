import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../schemas/index.js';
import { CURATION_TEST_DEFAULTS, loadPipeline, runCuration } from '../../stream-processors/curation/index.js';
import { eventOf } from '../helpers/events.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';
import { readTable } from './tables.js';

type Overrides = Record<string, unknown>;
/** `partition`: write the event into another hour's folder than its event_time's. */
const MISPLACED = 'misplaced';

/** System conditions: no price, a load. */
const CONDITIONS: Overrides = {
  record_type: 'SYSTEM_CONDITIONS',
  settlement_point: null,
  settlement_point_type: null,
  lmp_usd_mwh: null,
  energy_usd_mwh: null,
  congestion_usd_mwh: null,
  loss_usd_mwh: null,
  load_mw: 40_000,
};

/**
 * A distinct natural key per written row (the factories' defaults all share one), so no row of the
 * test folds into another: its own settlement point / load zone, location or trade.
 */
function ownKey(dataset: Dataset, n: string): Overrides {
  if (dataset === 'grid') return { settlement_point: `SP_${n}`, load_zone: `LZ_${n}` };
  if (dataset === 'weather') return { location_id: `loc-${n}` };
  return { trade_id: `T-${n}` };
}

/** One violation per rule (the rule is the first one the row fails), and rows at the bounds that pass. */
const CASES: Record<Dataset, { fail: Record<string, Overrides | typeof MISPLACED>; pass: Overrides[] }> = {
  grid: {
    fail: {
      required_fields: { market: null },
      event_in_its_partition: MISPLACED,
      record_type_known: { record_type: 'FORECAST_PRICE' },
      market_known: { market: 'HASP' },
      interval_minutes_known: { interval_minutes: 7 },
      // 12:01 is no 5-minute interval start: a point would get more than 288 intervals a day.
      interval_start_aligned: { event_time: Date.UTC(2026, 10, 22, 12, 1) },
      version_positive: { version: 0 },
      price_has_settlement_point_and_lmp: { settlement_point: null },
      prices_in_whole_cents: { lmp_usd_mwh: 42.505, energy_usd_mwh: 40.105 },
      lmp_within_ercot_band: { lmp_usd_mwh: 5000.01 },
      lmp_equals_its_components: { lmp_usd_mwh: 42.51 },
      conditions_have_load: { ...CONDITIONS, load_mw: null },
      load_within_range: { ...CONDITIONS, load_mw: -1 },
      wind_non_negative: { wind_mw: -5 },
      solar_non_negative: { solar_mw: -0.5 },
    },
    pass: [
      { lmp_usd_mwh: 5000, energy_usd_mwh: 4990.01, congestion_usd_mwh: 9.99, loss_usd_mwh: 0 },
      { lmp_usd_mwh: -250, energy_usd_mwh: -250.3, congestion_usd_mwh: 0.2, loss_usd_mwh: 0.1 },
      { ...CONDITIONS, load_mw: 0 },
      // A price without components (none to add up) and a DAM hour.
      { energy_usd_mwh: null, congestion_usd_mwh: null, loss_usd_mwh: null },
      { market: 'DAM', interval_minutes: 60 },
    ],
  },
  weather: {
    fail: {
      required_fields: { location_id: null },
      event_in_its_partition: MISPLACED,
      record_type_known: { record_type: 'NOWCAST' },
      // 12:30: observations are hourly, so a location-hour holds one per record type and issue time.
      times_on_the_hour: { event_time: Date.UTC(2026, 10, 22, 12, 30) },
      observation_has_no_issue_time: { forecast_issued_at: Date.UTC(2026, 10, 22, 12) },
      temperature_plausible: { temperature_c: 60.5 },
      latitude_valid: { latitude_deg: 91 },
      longitude_valid: { longitude_deg: -181 },
      humidity_is_percentage: { relative_humidity_pct: 101 },
      cloud_cover_is_percentage: { cloud_cover_pct: -1 },
      wind_speed_plausible: { wind_speed_mps: -0.1 },
      radiation_non_negative: { shortwave_radiation_w_m2: -1 },
      precipitation_non_negative: { precipitation_mm: -0.5 },
      forecast_has_issue_time: {
        record_type: 'FORECAST',
        forecast_issued_at: null,
        forecast_horizon_hours: 6,
      },
    },
    pass: [
      { temperature_c: 60 },
      { temperature_c: -40 },
      { relative_humidity_pct: null },
      // A forecast for 12:00 issued at 06:00 lives in the issue hour's partition (written there by the rule).
      {
        record_type: 'FORECAST',
        forecast_issued_at: Date.UTC(2026, 10, 22, 6),
        forecast_horizon_hours: 6,
      },
    ],
  },
  transactions: {
    fail: {
      required_fields: { book: null },
      event_in_its_partition: MISPLACED,
      status_known: { status: 'OPEN' },
      side_known: { side: 'HOLD' },
      version_positive: { version: 0 },
      new_trade_is_version_1: { version: 2 },
      quantity_positive: { quantity_mwh: 0 },
      // The default window is 24 h: the desk limit (150 MW flat) allows 3,600 MWh.
      quantity_within_desk_limit: { quantity_mwh: 3_600.001 },
      quantity_in_whole_kwh: { quantity_mwh: 400.0005 },
      price_within_ercot_band: { price_usd_mwh: 5000.5 },
      price_in_whole_cents: { price_usd_mwh: 55.255 },
      delivery_end_after_start: { delivery_end: Date.UTC(2026, 10, 23, 12) },
    },
    pass: [{ price_usd_mwh: -250 }, { status: 'AMEND', version: 2 }, { quantity_mwh: 3_600 }],
  },
};

const RULES = loadPipeline().qualityRules;

describe('every quality rule has a test case', () => {
  it.each(Object.keys(CASES) as Dataset[])('%s', (dataset) => {
    expect(Object.keys(CASES[dataset].fail).sort()).toEqual(RULES[dataset].map((r) => r.rule).sort());
  });
});

describe.each(Object.keys(CASES) as Dataset[])('quarantine of %s rows failing a rule', (dataset) => {
  let lake: string;
  const ids = new Map<string, string>();
  const passIds: string[] = [];

  beforeAll(async () => {
    // Prepare: one row per rule violation, rows at the bounds, and a valid row.
    lake = await makeLake();
    const rows: Record<string, unknown>[] = [];
    for (const [rule, o] of Object.entries(CASES[dataset].fail)) {
      if (o === MISPLACED) {
        const e = eventOf(dataset, ownKey(dataset, rule) as never);
        ids.set(rule, e.event_id);
        await writeRawEvents(lake, dataset, [e], { partition: { dt: '2026-11-22', hr: '13' } });
        continue;
      }
      const e = { ...eventOf(dataset, ownKey(dataset, rule) as never), ...o };
      ids.set(rule, e.event_id);
      rows.push(e);
    }
    for (const [i, o] of CASES[dataset].pass.entries()) {
      const e = { ...eventOf(dataset, ownKey(dataset, `pass-${i}`) as never), ...o };
      passIds.push(e.event_id);
      rows.push(e);
    }
    await writeRawEvents(lake, dataset, rows);
    // Act
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS, datasets: [dataset] });
  });
  afterAll(() => removeLake(lake));

  it.each(Object.keys(CASES[dataset].fail))(
    '%s: quarantined with the rule name, not curated',
    async (rule) => {
      const id = ids.get(rule)!;
      const quarantined = await readTable(lake, `curated_${dataset}_quarantine`, `event_id = '${id}'`);
      expect(quarantined).toHaveLength(1);
      expect(quarantined[0]).toMatchObject({ dq_rule: rule, event_id: id });
      const reason = RULES[dataset]
        .find((r) => r.rule === rule)!
        .reason.replace('{{desk_limit_mw}}', '150')
        .replace('{{desk_limit_mwh}}', '60000');
      expect(quarantined[0]!.dq_reason).toBe(reason);
      expect(String(quarantined[0]!.dq_rules).split(',')).toContain(rule);
      expect(String(quarantined[0]!.ingest_file)).toMatch(/\.parquet$/);
      expect(await readTable(lake, `curated_${dataset}`, `event_id = '${id}'`)).toHaveLength(0);
    },
  );

  it('rows at the bounds of every range pass', async () => {
    const curated = await readTable(lake, `curated_${dataset}`);
    expect(curated.map((r) => r.event_id).sort()).toEqual(expect.arrayContaining([...passIds].sort()));
    if (dataset !== 'transactions') expect(curated).toHaveLength(passIds.length);
  });

  it('no row is lost: curated + quarantined = rows written', async () => {
    const curated = await readTable(lake, `curated_${dataset}`);
    const quarantined = await readTable(lake, `curated_${dataset}_quarantine`);
    const written = ids.size + passIds.length;
    if (dataset === 'transactions') {
      // Curated keeps one row per trade; every version is either a trade's row, superseded, or quarantined.
      expect(quarantined).toHaveLength(ids.size);
      expect(curated).toHaveLength(passIds.length);
    } else {
      expect(curated.length + quarantined.length).toBe(written);
    }
  });
});

describe('weather forecasts: the partition rule is the issue time', () => {
  it('quarantines a forecast found in its event_time hour instead of its issue hour (event_in_its_partition)', async () => {
    const lake = await makeLake();
    try {
      const issued = Date.UTC(2026, 10, 22, 6);
      const forecast = eventOf('weather', {
        record_type: 'FORECAST',
        event_time: Date.UTC(2026, 10, 22, 12),
        forecast_issued_at: issued,
        forecast_horizon_hours: 6,
      });
      await writeRawEvents(lake, 'weather', [forecast], { partition: { dt: '2026-11-22', hr: '12' } });
      await runCuration({ lake, ...CURATION_TEST_DEFAULTS, datasets: ['weather'] });
      const [q] = await readTable(lake, 'curated_weather_quarantine');
      expect(q).toMatchObject({ event_id: forecast.event_id, dq_rule: 'event_in_its_partition' });
    } finally {
      await removeLake(lake);
    }
  });
});
