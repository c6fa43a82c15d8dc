import { describe, expect, it } from 'vitest';
import {
  backfill,
  centralWallMs,
  ERCOT_PRICE_CAP_USD_MWH,
  ERCOT_PRICE_FLOOR_USD_MWH,
  gridIntervalAt,
  LOAD_ZONES,
  SCARCITY_THRESHOLD_USD_MWH,
  SETTLEMENT_POINTS,
  solarCapacityFactor,
  WEATHER_LOCATIONS,
  weatherAt,
  windCapacityFactor,
  windShearRatio,
  zoneWeatherAt,
} from '../../../producers/sources/index.js';
import type { GridEvent } from '../../../schemas/index.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const STEP = 15 * 60_000;

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function correlation(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function localHour(t: number): number {
  return Math.floor((centralWallMs(t) % DAY) / HOUR);
}

function isWeekend(t: number): boolean {
  const wd = (Math.floor(centralWallMs(t) / DAY) + 4) % 7;
  return wd === 0 || wd === 6;
}

/** Simulated backfill of grid events (fast: one batch per 15-minute interval). */
function gridBackfill(startMs: number, days: number, seed: number, spikeRate = 0): GridEvent[] {
  return [...backfill('grid', { seed, startMs, endMs: startMs + days * DAY, grid: { spikeRate } })];
}

// Eight summer weeks (Jun 2 – Jul 28, 2025), no spikes: the fundamentals alone.
const SUMMER = gridBackfill(Date.UTC(2025, 5, 2, 5), 56, 21);
const hubPrices = SUMMER.filter((e) => e.settlement_point === 'HB_NORTH');

describe('grid prices', () => {
  it('have a daily shape: the evening peak (17–21 h Central) is dearer than the night (0–5 h)', () => {
    const evening = hubPrices.filter((e) => localHour(e.event_time) >= 17 && localHour(e.event_time) <= 20);
    const night = hubPrices.filter((e) => localHour(e.event_time) <= 4);
    const eveningMean = mean(evening.map((e) => e.lmp_usd_mwh!));
    const nightMean = mean(night.map((e) => e.lmp_usd_mwh!));
    expect(eveningMean).toBeGreaterThan(nightMean * 1.3);
  });

  it('are lower at weekends than on weekdays (lower load)', () => {
    const weekday = mean(hubPrices.filter((e) => !isWeekend(e.event_time)).map((e) => e.lmp_usd_mwh!));
    const weekend = mean(hubPrices.filter((e) => isWeekend(e.event_time)).map((e) => e.lmp_usd_mwh!));
    expect(weekday).toBeGreaterThan(weekend);
    const load = (w: boolean) =>
      mean(
        SUMMER.filter(
          (e) => e.load_zone === 'LZ_NORTH' && e.load_mw !== null && isWeekend(e.event_time) === w,
        ).map((e) => e.load_mw!),
      );
    expect(load(false)).toBeGreaterThan(load(true) * 1.05);
  });

  it('decompose exactly in integer cents: lmp = energy + congestion + loss, every double is cents / 100, inside the ERCOT band', () => {
    const prices = SUMMER.filter((e) => e.record_type === 'SETTLEMENT_POINT_PRICE');
    expect(prices.length).toBeGreaterThan(50_000);
    const cents = (x: number | null) => Math.round(x! * 100);
    const exact = (x: number | null) => x === cents(x) / 100;
    const bad = prices.filter(
      (e) =>
        cents(e.lmp_usd_mwh) !==
          cents(e.energy_usd_mwh) + cents(e.congestion_usd_mwh) + cents(e.loss_usd_mwh) ||
        ![e.lmp_usd_mwh, e.energy_usd_mwh, e.congestion_usd_mwh, e.loss_usd_mwh].every(exact) ||
        e.lmp_usd_mwh! < ERCOT_PRICE_FLOOR_USD_MWH ||
        e.lmp_usd_mwh! > ERCOT_PRICE_CAP_USD_MWH,
    );
    expect(bad).toEqual([]);
  });

  it('share one system lambda across settlement points in an interval, and stay below scarcity without spikes', () => {
    const byTime = new Map<number, Set<number>>();
    let maxEnergy = Number.NEGATIVE_INFINITY;
    for (const e of SUMMER) {
      if (e.energy_usd_mwh === null) continue;
      const set = byTime.get(e.event_time) ?? new Set();
      set.add(e.energy_usd_mwh);
      byTime.set(e.event_time, set);
      maxEnergy = Math.max(maxEnergy, e.energy_usd_mwh);
    }
    expect(maxEnergy).toBeLessThan(SCARCITY_THRESHOLD_USD_MWH);
    expect(new Set([...byTime.values()].map((set) => set.size))).toEqual(new Set([1]));
  });

  it('go negative in the West when wind and solar exceed what can be exported', () => {
    const west = SUMMER.filter((e) => e.settlement_point === 'HB_WEST').map((e) => e.congestion_usd_mwh!);
    const houston = SUMMER.filter((e) => e.settlement_point === 'HB_HOUSTON').map(
      (e) => e.congestion_usd_mwh!,
    );
    expect(mean(west)).toBeLessThan(0);
    expect(mean(houston)).toBeGreaterThan(mean(west));
  });
});

describe('scarcity spikes', () => {
  it.each([0.002, 0.02])('occur at the configured rate %s per interval over a simulated year', (rate) => {
    // Prepare: one year of 15-minute intervals (35,040) straight from the model.
    const start = Date.UTC(2024, 0, 1, 6);
    const n = 365 * 96;
    // Act
    let spikes = 0;
    let mismatches = 0;
    let maxEnergy = 0;
    for (let i = 0; i < n; i++) {
      const interval = gridIntervalAt(start + i * STEP, 77, rate);
      const energy = interval.prices[0]!.energy;
      if (energy >= SCARCITY_THRESHOLD_USD_MWH) spikes++;
      if (interval.spike !== energy >= SCARCITY_THRESHOLD_USD_MWH) mismatches++;
      maxEnergy = Math.max(maxEnergy, energy);
    }
    // Assess: within 4 binomial standard deviations of the expectation.
    const expected = n * rate;
    const sd = Math.sqrt(n * rate * (1 - rate));
    expect(Math.abs(spikes - expected)).toBeLessThan(4 * sd);
    expect(mismatches).toBe(0);
    expect(maxEnergy).toBeLessThanOrEqual(ERCOT_PRICE_CAP_USD_MWH);
  });

  it('reach the 5,000 $/MWh cap and never exceed it, with LMPs in the band', () => {
    const start = Date.UTC(2025, 7, 1, 5);
    const lmps: number[] = [];
    for (let i = 0; i < 20 * 96; i++) {
      const interval = gridIntervalAt(start + i * STEP, 5, 0.05);
      if (interval.spike) for (const p of interval.prices) lmps.push(p.lmp);
    }
    expect(lmps.length).toBeGreaterThan(100);
    expect(Math.max(...lmps)).toBe(ERCOT_PRICE_CAP_USD_MWH);
    expect(Math.min(...lmps)).toBeGreaterThanOrEqual(SCARCITY_THRESHOLD_USD_MWH - 200);
  });

  it('are absent with spikeRate 0', () => {
    expect(SUMMER.some((e) => (e.energy_usd_mwh ?? 0) >= SCARCITY_THRESHOLD_USD_MWH)).toBe(false);
  });
});

describe('grid load, wind and solar', () => {
  it('load correlates strongly with temperature in the hot season', () => {
    const conditions = SUMMER.filter(
      (e) => e.record_type === 'SYSTEM_CONDITIONS' && e.load_zone === 'LZ_HOUSTON',
    );
    const temps = conditions.map((e) => zoneWeatherAt('LZ_HOUSTON', e.event_time, 21).temperatureC);
    const loads = conditions.map((e) => e.load_mw!);
    expect(correlation(loads, temps)).toBeGreaterThan(0.7);
  });

  it('load grows with both heat and cold (U-shape)', () => {
    // January mornings vs April mornings at the same hour: heating load.
    const load = (month: number) => {
      const out: number[] = [];
      for (let d = 0; d < 28; d++) {
        const t = Date.UTC(2025, month, 1 + d, 13); // 07:00/08:00 Central
        if (isWeekend(t)) continue;
        out.push(gridIntervalAt(t, 21, 0).zones[1]!.loadMw);
      }
      return mean(out);
    };
    expect(load(0)).toBeGreaterThan(load(3));
    expect(load(6)).toBeGreaterThan(load(3));
  });

  it('solar is zero at night and follows irradiance by day', () => {
    const solar = SUMMER.filter((e) => e.record_type === 'SYSTEM_CONDITIONS');
    const night = solar.filter((e) => localHour(e.event_time) >= 22 || localHour(e.event_time) <= 4);
    expect(night.length).toBeGreaterThan(5_000);
    expect(night.filter((e) => e.solar_mw !== 0)).toEqual([]);
    const noon = solar.filter((e) => e.load_zone === 'LZ_WEST' && localHour(e.event_time) === 13);
    expect(mean(noon.map((e) => e.solar_mw!))).toBeGreaterThan(0.4 * LOAD_ZONES[3]!.solarMw);
  });

  it('wind and solar are the shared weather model through the power curves', () => {
    // Prepare: every LZ_WEST condition, and the weather of its locations from the weather model.
    const west = LOAD_ZONES.find((z) => z.zone === 'LZ_WEST')!;
    const locations = WEATHER_LOCATIONS.filter((l) => l.loadZone === 'LZ_WEST');
    for (const e of SUMMER.filter(
      (x) => x.record_type === 'SYSTEM_CONDITIONS' && x.load_zone === 'LZ_WEST',
    ).slice(0, 500)) {
      const weather = locations.map((l) => weatherAt(l, e.event_time, 21));
      const wind =
        west.windMw *
        mean(
          weather.map((w, i) =>
            windCapacityFactor(w.windSpeedMps * windShearRatio(locations[i]!, e.event_time)),
          ),
        );
      const solar = west.solarMw * mean(weather.map((w) => solarCapacityFactor(w.shortwaveRadiationWm2)));
      expect(e.wind_mw!).toBeCloseTo(wind, 0);
      expect(e.solar_mw!).toBeCloseTo(solar, 0);
    }
  });

  it('agrees with the weather generator for the same seed and hour', () => {
    // Prepare: weather observations and grid conditions at the same hours, same seed.
    const start = Date.UTC(2025, 6, 14);
    const range = { seed: 8, startMs: start, endMs: start + DAY };
    const obs = [...backfill('weather', { ...range, weather: { forecastHorizonsHours: [] } })];
    const conditions = [...backfill('grid', { ...range, grid: { market: 'DAM', includePrices: false } })];
    expect(conditions).toHaveLength(24 * LOAD_ZONES.length);
    // Act / Assess: the zone's solar equals the capacity-weighted irradiance of its locations' observations.
    for (const c of conditions) {
      const zone = LOAD_ZONES.find((z) => z.zone === c.load_zone)!;
      const here = obs.filter((o) => o.load_zone === c.load_zone && o.event_time === c.event_time);
      expect(here.length).toBeGreaterThan(0);
      const solar = zone.solarMw * mean(here.map((o) => solarCapacityFactor(o.shortwave_radiation_w_m2!)));
      const wind =
        zone.windMw *
        mean(
          here.map((o) =>
            windCapacityFactor(
              o.wind_speed_mps! *
                windShearRatio(WEATHER_LOCATIONS.find((l) => l.id === o.location_id)!, o.event_time),
            ),
          ),
        );
      expect(c.solar_mw!).toBeCloseTo(solar, 0);
      expect(c.wind_mw!).toBeCloseTo(wind, 0);
    }
  });

  it('reports a complete, non-negative fuel mix with storage charging at midday and discharging in the evening', () => {
    const conditions = SUMMER.filter((e) => e.record_type === 'SYSTEM_CONDITIONS');
    const bad = conditions.filter((e) =>
      [e.load_mw, e.wind_mw, e.solar_mw, e.gas_mw, e.coal_mw, e.nuclear_mw, e.hydro_mw, e.other_mw].some(
        (v) => v === null || v < 0,
      ),
    );
    expect(bad).toEqual([]);
    const storage = (h: number) =>
      mean(conditions.filter((e) => localHour(e.event_time) === h).map((e) => e.storage_mw!));
    expect(storage(12)).toBeLessThan(0);
    expect(storage(19)).toBeGreaterThan(0);
  });

  it('prices every configured settlement point in every interval', () => {
    const perInterval = new Map<number, number>();
    for (const e of SUMMER)
      if (e.record_type === 'SETTLEMENT_POINT_PRICE')
        perInterval.set(e.event_time, (perInterval.get(e.event_time) ?? 0) + 1);
    expect(new Set(perInterval.values())).toEqual(new Set([SETTLEMENT_POINTS.length]));
    expect(perInterval.size).toBe(56 * 96);
  });
});
