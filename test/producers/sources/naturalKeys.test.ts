import { describe, expect, it } from 'vitest';
import {
  backfillEvents,
  COMPANY_UNIVERSE,
  createGenerator,
  DESK_LIMITS,
  ERCOT_DAILY_LOAD_MWH,
  type EventGenerator,
  ImpossibleRateError,
  planRate,
  SCARCITY_THRESHOLD_USD_MWH,
  scarcityIntervals,
} from '../../../producers/sources/index.js';
import { contractFor, DATASETS, type Dataset, type EventByDataset } from '../../../schemas/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed "now" for plans and backfills, so failures reproduce. */
const NOW = Date.UTC(2025, 6, 14, 17, 42, 13);

type AnyEvent = EventByDataset[Dataset];

/** The natural key of an event (docs: NATURAL_KEYS), without the revision field. */
function naturalKey(dataset: Dataset, e: AnyEvent): string {
  if (dataset === 'grid') {
    const g = e as EventByDataset['grid'];
    return [
      g.record_type,
      g.market,
      g.settlement_point ?? g.load_zone,
      g.interval_minutes,
      g.event_time,
    ].join('|');
  }
  if (dataset === 'weather') {
    const w = e as EventByDataset['weather'];
    return [w.location_id, w.record_type, w.event_time, w.forecast_issued_at].join('|');
  }
  return (e as EventByDataset['transactions']).trade_id;
}

function versionOf(dataset: Dataset, e: AnyEvent): number {
  return dataset === 'weather' ? 1 : (e as { version: number }).version;
}

/** Domain invariants of a stream of events; returns the violations found (empty = fine). */
function violations(dataset: Dataset, events: readonly AnyEvent[]): string[] {
  const out: string[] = [];
  const contract = contractFor(dataset);
  const versions = new Map<string, number>();
  const perPointDay = new Map<string, number>();
  const perLocationHour = new Map<string, number>();
  const deskDay = new Map<string, number>();
  const maxPerDay: Record<number, number> = { 5: 288, 15: 96, 60: 24 };
  for (const e of events) {
    if (out.length > 20) break;
    if (!contract.isValid(e)) out.push(`invalid: ${JSON.stringify(contract.validate(e))}`);
    const key = naturalKey(dataset, e);
    const v = versionOf(dataset, e);
    const last = versions.get(key);
    if (last !== undefined && !(v > last))
      out.push(`key repeated without a higher version: ${key} v${v} after v${last}`);
    versions.set(key, v);
    if (dataset === 'grid') {
      const g = e as EventByDataset['grid'];
      if (v === 1) {
        const k = `${g.record_type}|${g.market}|${g.settlement_point ?? g.load_zone}|${g.interval_minutes}|${Math.floor(g.event_time / DAY)}`;
        const n = (perPointDay.get(k) ?? 0) + 1;
        perPointDay.set(k, n);
        if (n > maxPerDay[g.interval_minutes]!) out.push(`${n} intervals a day: ${k}`);
      }
      if (g.record_type === 'SETTLEMENT_POINT_PRICE') {
        const cents = [g.lmp_usd_mwh, g.energy_usd_mwh, g.congestion_usd_mwh, g.loss_usd_mwh].map((x) =>
          Math.round(x! * 100),
        );
        if (cents[0] !== cents[1]! + cents[2]! + cents[3]!)
          out.push(`lmp ≠ energy + congestion + loss: ${key}`);
        for (const x of [g.lmp_usd_mwh, g.energy_usd_mwh, g.congestion_usd_mwh, g.loss_usd_mwh]) {
          if (x !== Math.round(x! * 100) / 100) out.push(`not cents/100: ${x} at ${key}`);
        }
      } else if (!(g.load_mw! >= 0)) out.push(`negative load ${g.load_mw} at ${key}`);
    } else if (dataset === 'weather') {
      const w = e as EventByDataset['weather'];
      if (w.record_type === 'OBSERVATION') {
        const k = `${w.location_id}|${Math.floor(w.event_time / HOUR)}`;
        const n = (perLocationHour.get(k) ?? 0) + 1;
        perLocationHour.set(k, n);
        if (n > 1) out.push(`${n} observations in one location-hour: ${k}`);
      }
    } else {
      const t = e as EventByDataset['transactions'];
      const hours = (t.delivery_end - t.delivery_start) / HOUR;
      if (
        t.quantity_mwh > DESK_LIMITS.maxTradeMw * Math.ceil(hours) ||
        t.quantity_mwh > DESK_LIMITS.maxTradeMwh
      ) {
        out.push(`trade over the desk limit: ${t.trade_id} ${t.quantity_mwh} MWh over ${hours} h`);
      }
      if (t.price_usd_mwh !== Math.round(t.price_usd_mwh * 100) / 100)
        out.push(`price not in cents: ${t.price_usd_mwh}`);
      if (t.status === 'NEW') {
        // Gross MWh a book trades in a day of simulated trading.
        const k = `${t.book}|${Math.floor(t.event_time / DAY)}`;
        deskDay.set(k, (deskDay.get(k) ?? 0) + t.quantity_mwh);
      }
    }
  }
  if (dataset === 'transactions') {
    const worst = Math.max(0, ...deskDay.values());
    if (worst > ERCOT_DAILY_LOAD_MWH * 0.2) out.push(`a desk trades ${Math.round(worst)} MWh in one day`);
  }
  return out;
}

function take<D extends Dataset>(generator: EventGenerator<D>, n: number): EventByDataset[D][] {
  return Array.from({ length: n }, () => generator.next());
}

const SIZES: Record<Dataset, number> = { grid: 40_000, weather: 8_000, transactions: 20_000 };

describe.each(DATASETS)('%s: natural keys at any rate', (dataset) => {
  it.each([0.01, 1, 200, 20_000])(
    'never repeats a natural key except as a higher version at %s events/s asked',
    (rate) => {
      // Prepare
      const plan = planRate(dataset, { rate, startMs: NOW });
      const generator = createGenerator(dataset, { ...plan.generatorOptions, seed: 3, clock: plan.clock() });
      // Act
      const events = take(generator, SIZES[dataset]);
      // Assess
      expect(violations(dataset, events)).toEqual([]);
      expect(plan.description).toContain(dataset);
    },
  );

  it('--count N with --rate 0: simulated time advances with the sequence, no key repeats', () => {
    const plan = planRate(dataset, { rate: 0, count: SIZES[dataset], startMs: NOW });
    const events = take(
      createGenerator(dataset, { ...plan.generatorOptions, seed: 4, clock: plan.clock() }),
      SIZES[dataset],
    );
    expect(violations(dataset, events)).toEqual([]);
    expect(events.at(-1)!.produced_at).toBeGreaterThan(events[0]!.produced_at);
    expect(plan.description).toMatch(/events cover .* of simulated time/);
  });

  it('keeps keys unique on the wall clock too: a fast producer moves time forward instead of repeating', () => {
    // The generators' defaults (wall clock), read far faster than intervals pass.
    const events = take(createGenerator(dataset, { seed: 5 }), SIZES[dataset] / 4);
    expect(violations(dataset, events)).toEqual([]);
  });
});

describe('grid price corrections', () => {
  it('republish a key only with version 2, an hour later, with exact cents', () => {
    const events = [
      ...backfillEvents('grid', { seed: 11, startMs: NOW - 2 * DAY, endMs: NOW }),
    ] as EventByDataset['grid'][];
    const revised = events.filter((e) => e.version > 1);
    expect(revised.length).toBeGreaterThan(0);
    for (const r of revised.slice(0, 50)) {
      const original = events.find(
        (e) => e.version === 1 && naturalKey('grid', e) === naturalKey('grid', r),
      )!;
      expect(original).toBeDefined();
      expect(r.produced_at - r.event_time).toBe(HOUR);
      expect(r.congestion_usd_mwh).not.toBe(original.congestion_usd_mwh);
    }
    expect(violations('grid', events)).toEqual([]);
  });
});

describe('backfill (what up sends first)', () => {
  it('covers the last 24 h up to now, with at least one scarcity interval the events show', () => {
    // Prepare
    const startMs = NOW - DAY;
    // Act
    const grid = [...backfillEvents('grid', { seed: 7, startMs, endMs: NOW })];
    const scarcity = scarcityIntervals({ seed: 7, startMs, endMs: NOW });
    // Assess
    expect(Math.min(...grid.map((e) => e.produced_at))).toBeLessThanOrEqual(startMs);
    expect(Math.min(...grid.map((e) => e.produced_at))).toBeGreaterThan(startMs - 5 * 60_000);
    expect(Math.max(...grid.map((e) => e.produced_at))).toBeLessThan(NOW);
    expect(Math.max(...grid.map((e) => e.produced_at))).toBeGreaterThanOrEqual(NOW - 10 * 60_000);
    expect(violations('grid', grid)).toEqual([]);
    expect(scarcity.length).toBeGreaterThanOrEqual(1);
    const spikes = new Set(
      grid
        .filter(
          (e) =>
            e.market === 'RTM' && e.version === 1 && (e.energy_usd_mwh ?? 0) >= SCARCITY_THRESHOLD_USD_MWH,
        )
        .map((e) => `${e.event_time}|${e.interval_minutes}`),
    );
    expect([...spikes].sort()).toEqual(scarcity.map((s) => `${s.startMs}|${s.intervalMinutes}`).sort());
    expect(Math.max(...grid.map((e) => e.lmp_usd_mwh ?? 0))).toBeGreaterThan(1_000);
  });

  it.each([0, 1, 2, 3, 5, 8, 13, 21])('holds a scarcity event in any 24-hour window (seed %i)', (seed) => {
    for (let k = 0; k < 48; k++) {
      const end = NOW + k * 29 * 60_000 + seed * 7_919_000;
      expect(scarcityIntervals({ seed, startMs: end - DAY, endMs: end }).length).toBeGreaterThan(0);
    }
  });

  it('weather and trades of the backfill keep the invariants', () => {
    for (const dataset of ['weather', 'transactions'] as const) {
      const events = [...backfillEvents(dataset, { seed: 2, startMs: NOW - DAY, endMs: NOW })];
      expect(events.length).toBeGreaterThan(0);
      expect(violations(dataset, events)).toEqual([]);
    }
  });

  it('is the company universe: deterministic from the seed', () => {
    const a = [...backfillEvents('weather', { seed: 9, startMs: NOW - 6 * HOUR, endMs: NOW })];
    const b = [...backfillEvents('weather', { seed: 9, startMs: NOW - 6 * HOUR, endMs: NOW })];
    expect(a).toEqual(b);
    expect(COMPANY_UNIVERSE.grid.dailyScarcity).toBe(true);
  });
});

describe('planRate', () => {
  it('refuses a fixed speed whose widest universe is too small for the rate, saying what to change', () => {
    const refuse = () => planRate('grid', { rate: 200, speed: 1 });
    expect(refuse).toThrow(ImpossibleRateError);
    expect(refuse).toThrow(/repeat .* keys.*Raise --speed to at least \d+/);
  });

  it('refuses a fixed universe and speed below the rate', () => {
    expect(() => planRate('weather', { rate: 10, speed: 2, universe: 1 })).toThrow(ImpossibleRateError);
  });

  it('reaches a rate by widening the universe, then by speed, and says so', () => {
    const slow = planRate('grid', { rate: 1, startMs: NOW });
    const fast = planRate('grid', { rate: 20_000, startMs: NOW });
    expect(slow.speed).toBeCloseTo(1, 1);
    expect(fast.universe).toBeGreaterThan(slow.universe);
    expect(fast.speed).toBeGreaterThan(100);
    expect(fast.description).toMatch(/20,000 events\/s asked = 2015 settlement points .* at [\d,]+× speed/);
  });
});
