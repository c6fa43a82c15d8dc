// The answers the analyst queries must give, computed in plain TypeScript from the events the
// generators made (never from the lake or SQL), and the comparison of a query's rows with them.
// Money is compared in integer cents; averages and ratios, which no cent can hold, to the cent.
import type { GridEvent, TransactionsEvent, WeatherEvent } from '../../schemas/index.js';
import { partitionTimeOf } from '../../schemas/index.js';
import type { SeededEvents } from './seedLake.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** LMP at or above which a price is a spike (the queries' and gold's threshold). */
export const SPIKE_USD_MWH = 1000;

/** A row of `gridstream query --format json`. */
export type Row = Record<string, unknown>;

/** Epoch ms of a DuckDB timestamp as `gridstream query` prints it ("2026-12-05 00:15:00.123456+00"). */
export function ms(value: unknown): number {
  if (/^\d{4}-\d\d-\d\d$/.test(String(value))) return Date.parse(`${value}T00:00:00Z`);
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(?:\+00(?::00)?|Z)?$/.exec(String(value));
  if (!m) throw new Error(`not a UTC timestamp: ${JSON.stringify(value)}`);
  const frac = (m[3] ?? '.0').slice(1).padEnd(3, '0').slice(0, 3);
  return Date.parse(`${m[1]}T${m[2]}.${frac}Z`);
}

/** Integer cents of a decimal value printed by the query (string or number). */
export function cents(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${JSON.stringify(value)}`);
  return Math.round(n * 100);
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const toCents = (usd: number) => Math.round(usd * 100);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Grid events at their latest version per natural key (the generators may publish revisions). */
export function latestGrid(grid: readonly GridEvent[]): GridEvent[] {
  const latest = new Map<string, GridEvent>();
  for (const e of grid) {
    const key = [
      e.record_type,
      e.market,
      e.settlement_point ?? e.load_zone,
      e.interval_minutes,
      e.event_time,
    ].join('|');
    const cur = latest.get(key);
    if (!cur || (e.version ?? 1) > (cur.version ?? 1)) latest.set(key, e);
  }
  return [...latest.values()];
}

/** Trades at their latest version, cancelled ones left out. */
export function liveTrades(trades: readonly TransactionsEvent[]): TransactionsEvent[] {
  const latest = new Map<string, TransactionsEvent>();
  for (const t of trades) {
    const cur = latest.get(t.trade_id);
    if (!cur || t.version > cur.version) latest.set(t.trade_id, t);
  }
  return [...latest.values()].filter((t) => t.status !== 'CANCEL');
}

const rtmPrices = (grid: readonly GridEvent[]) =>
  latestGrid(grid).filter((e) => e.record_type === 'SETTLEMENT_POINT_PRICE' && e.market === 'RTM');

/** price_spikes_last_hour: `point|event_time|lmp cents` of every spike in [start, end]. */
export function expectedSpikes(events: SeededEvents, startMs: number, endMs: number): string[] {
  return rtmPrices(events.grid)
    .filter((e) => e.event_time >= startMs && e.event_time <= endMs && e.lmp_usd_mwh! >= SPIKE_USD_MWH)
    .map((e) => `${e.settlement_point}|${e.event_time}|${toCents(e.lmp_usd_mwh!)}`)
    .sort();
}

/** freshest_partition: per dataset, measured at `nowMs`. */
export function expectedFreshness(events: SeededEvents, nowMs: number) {
  const today = Math.floor(nowMs / DAY) * DAY;
  const out = new Map<string, { partition: string; lastProducedMs: number; rowsLastHour: number }>();
  for (const dataset of ['grid', 'transactions', 'weather'] as const) {
    const rows = (events[dataset] as readonly (GridEvent | WeatherEvent | TransactionsEvent)[]).filter(
      (e) => {
        const p = partitionTimeOf(dataset, e);
        return p >= today - DAY && p < today + DAY && e.produced_at <= nowMs;
      },
    );
    if (rows.length === 0) continue;
    const partition = Math.max(...rows.map((e) => Math.floor(partitionTimeOf(dataset, e) / HOUR) * HOUR));
    out.set(dataset, {
      partition: new Date(partition).toISOString().slice(0, 13).replace('T', ' '),
      lastProducedMs: Math.max(...rows.map((e) => e.produced_at)),
      rowsLastHour: rows.filter((e) => e.produced_at >= nowMs - HOUR).length,
    });
  }
  return out;
}

/** market_summary_last_week: per UTC day in [today - 6, today], from the events. */
export function expectedMarketSummary(events: SeededEvents, nowMs: number) {
  const today = Math.floor(nowMs / DAY) * DAY;
  const inWindow = (t: number) => t >= today - 6 * DAY && t < today + DAY;
  const days = new Map<
    string,
    {
      prices: number[];
      spikes: number;
      zoneHourLoads: Map<string, number[]>;
      tradedMwh: number;
      notionalUsd: number;
      trades: number;
    }
  >();
  const dayOf = (d: string) => {
    if (!days.has(d)) {
      days.set(d, {
        prices: [],
        spikes: 0,
        zoneHourLoads: new Map(),
        tradedMwh: 0,
        notionalUsd: 0,
        trades: 0,
      });
    }
    return days.get(d)!;
  };
  for (const e of rtmPrices(events.grid)) {
    if (!inWindow(e.event_time)) continue;
    const d = dayOf(day(e.event_time));
    d.prices.push(toCents(e.lmp_usd_mwh!));
    if (e.lmp_usd_mwh! >= SPIKE_USD_MWH) d.spikes++;
  }
  for (const e of latestGrid(events.grid)) {
    if (e.record_type !== 'SYSTEM_CONDITIONS' || !inWindow(e.event_time)) continue;
    const loads = dayOf(day(e.event_time)).zoneHourLoads;
    const key = `${Math.floor(e.event_time / HOUR)}|${e.load_zone}`;
    if (!loads.has(key)) loads.set(key, []);
    loads.get(key)!.push(e.load_mw!);
  }
  for (const t of liveTrades(events.transactions)) {
    const length = t.delivery_end - t.delivery_start;
    for (let d = Math.floor(t.delivery_start / DAY) * DAY; d < t.delivery_end; d += DAY) {
      if (!inWindow(d)) continue;
      const overlap = Math.min(t.delivery_end, d + DAY) - Math.max(t.delivery_start, d);
      const mwh = (t.quantity_mwh * overlap) / length;
      const row = dayOf(day(d));
      row.tradedMwh += mwh;
      row.notionalUsd += mwh * t.price_usd_mwh;
      row.trades++;
    }
  }
  const out = new Map<
    string,
    {
      priceIntervals: number;
      minCents: number | null;
      maxCents: number | null;
      avgUsd: number | null;
      spikes: number;
      peakLoadMw: number | null;
      tradedMwh: number;
      notionalUsd: number;
      trades: number;
    }
  >();
  for (const [d, v] of days) {
    const hours = new Map<number, number>();
    for (const [key, loads] of v.zoneHourLoads) {
      const h = Number(key.split('|')[0]);
      hours.set(h, (hours.get(h) ?? 0) + mean(loads));
    }
    out.set(d, {
      priceIntervals: v.prices.length,
      minCents: v.prices.length ? Math.min(...v.prices) : null,
      maxCents: v.prices.length ? Math.max(...v.prices) : null,
      avgUsd: v.prices.length ? mean(v.prices) / 100 : null,
      spikes: v.spikes,
      peakLoadMw: hours.size ? Math.max(...hours.values()) : null,
      tradedMwh: v.tradedMwh,
      notionalUsd: v.notionalUsd,
      trades: v.trades,
    });
  }
  return out;
}

/** Pearson correlation; null below 3 points or with a constant series. */
export function correlation(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 3) return null;
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
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** load_vs_temperature_by_zone: per zone, its complete hours in the window and their bands. */
export function expectedLoadVsTemperature(events: SeededEvents, nowMs: number) {
  const end = Math.floor(nowMs / HOUR) * HOUR;
  const start = end - 30 * DAY;
  const acc = new Map<string, { loads: number[]; temps: number[]; lmps: number[] }>();
  const at = (zone: string, hour: number) => {
    const k = `${zone}|${hour}`;
    if (!acc.has(k)) acc.set(k, { loads: [], temps: [], lmps: [] });
    return acc.get(k)!;
  };
  for (const e of latestGrid(events.grid)) {
    const hour = Math.floor(e.event_time / HOUR) * HOUR;
    if (hour < start || hour >= end) continue;
    if (e.record_type === 'SYSTEM_CONDITIONS') at(e.load_zone, hour).loads.push(e.load_mw!);
    else if (e.market === 'RTM') at(e.load_zone, hour).lmps.push(e.lmp_usd_mwh!);
  }
  for (const w of events.weather) {
    if (w.record_type !== 'OBSERVATION') continue;
    const hour = Math.floor(w.event_time / HOUR) * HOUR;
    if (hour < start || hour >= end) continue;
    at(w.load_zone, hour).temps.push(w.temperature_c);
  }
  const zones = new Map<
    string,
    {
      hours: number;
      corr: number | null;
      bands: Map<number, { hours: number; load: number[]; lmp: number[] }>;
    }
  >();
  const series = new Map<string, { load: number[]; temp: number[] }>();
  for (const [k, v] of acc) {
    if (v.loads.length === 0 || v.temps.length === 0) continue;
    const zone = k.split('|')[0]!;
    const load = mean(v.loads);
    const temp = mean(v.temps);
    if (!zones.has(zone)) zones.set(zone, { hours: 0, corr: null, bands: new Map() });
    if (!series.has(zone)) series.set(zone, { load: [], temp: [] });
    const z = zones.get(zone)!;
    z.hours++;
    series.get(zone)!.load.push(load);
    series.get(zone)!.temp.push(temp);
    const band = Math.floor(temp / 5) * 5;
    if (!z.bands.has(band)) z.bands.set(band, { hours: 0, load: [], lmp: [] });
    const b = z.bands.get(band)!;
    b.hours++;
    b.load.push(load);
    if (v.lmps.length) b.lmp.push(mean(v.lmps));
  }
  for (const [zone, s] of series) zones.get(zone)!.corr = correlation(s.load, s.temp);
  return zones;
}

/** trader_positions: per `trader|book|product`, the live trades delivering in [start, end). */
export function expectedPositions(events: SeededEvents, startMs: number, endMs: number) {
  const out = new Map<
    string,
    {
      trades: number;
      netMwh: number;
      grossMwh: number;
      notionalCents: number;
      minPrice: number;
      maxPrice: number;
    }
  >();
  for (const t of liveTrades(events.transactions)) {
    if (!(t.delivery_end > startMs && t.delivery_start < endMs)) continue;
    const k = `${t.trader}|${t.book}|${t.product}`;
    if (!out.has(k)) {
      out.set(k, {
        trades: 0,
        netMwh: 0,
        grossMwh: 0,
        notionalCents: 0,
        minPrice: Number.POSITIVE_INFINITY,
        maxPrice: Number.NEGATIVE_INFINITY,
      });
    }
    const p = out.get(k)!;
    p.trades++;
    p.netMwh += t.side === 'BUY' ? t.quantity_mwh : -t.quantity_mwh;
    p.grossMwh += t.quantity_mwh;
    // Milli-MWh times integer cents, rounded per trade to the cent as v_live_trades does: exact.
    p.notionalCents += Math.round((Math.round(t.quantity_mwh * 1000) * toCents(t.price_usd_mwh)) / 1000);
    p.minPrice = Math.min(p.minPrice, t.price_usd_mwh);
    p.maxPrice = Math.max(p.maxPrice, t.price_usd_mwh);
  }
  return out;
}
