// Gold numbers computed in plain TypeScript from the events, independently of the SQL, to check it.
import type { GridEvent, TransactionsEvent, WeatherEvent } from '../../schemas/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPIKE = 1000;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
/** Integer a / b (b > 0) rounded half away from zero. */
export const roundDiv = (a: number, b: number) => Math.sign(a) * Math.floor((2 * Math.abs(a) + b) / (2 * b));
const cents = (usd: number) => Math.round(usd * 100);
/** Average of prices to the cent (half away from zero), as gold keeps it (DECIMAL(12,2)). */
export const meanPrice = (xs: number[]) =>
  xs.length === 0
    ? null
    : roundDiv(
        xs.reduce((a, x) => a + cents(x), 0),
        xs.length,
      ) / 100;

/** Expected gold_grid_weather_hourly rows by `${zone}|${hourStartIso}`. */
export function expectedHourly(grid: readonly GridEvent[], weather: readonly WeatherEvent[]) {
  const out = new Map<
    string,
    {
      load_mw: number | null;
      avg_lmp_usd_mwh: number | null;
      min_lmp_usd_mwh: number | null;
      max_lmp_usd_mwh: number | null;
      price_intervals: number;
      spike_intervals: number;
      temperature_c: number | null;
      weather_observations: number;
    }
  >();
  const key = (zone: string, t: number) => `${zone}|${new Date(Math.floor(t / HOUR) * HOUR).toISOString()}`;
  const prices = new Map<string, number[]>();
  const loads = new Map<string, number[]>();
  for (const e of grid) {
    const k = key(e.load_zone, e.event_time);
    if (e.record_type === 'SETTLEMENT_POINT_PRICE' && e.market === 'RTM') {
      if (!prices.has(k)) prices.set(k, []);
      prices.get(k)!.push(e.lmp_usd_mwh!);
    } else if (e.record_type === 'SYSTEM_CONDITIONS') {
      if (!loads.has(k)) loads.set(k, []);
      loads.get(k)!.push(e.load_mw!);
    }
  }
  const temps = new Map<string, number[]>();
  for (const w of weather) {
    if (w.record_type !== 'OBSERVATION') continue;
    const k = key(w.load_zone, w.event_time);
    if (!temps.has(k)) temps.set(k, []);
    temps.get(k)!.push(w.temperature_c);
  }
  for (const k of new Set([...prices.keys(), ...loads.keys()])) {
    const p = prices.get(k) ?? [];
    const t = temps.get(k) ?? [];
    out.set(k, {
      load_mw: mean(loads.get(k) ?? []),
      avg_lmp_usd_mwh: meanPrice(p),
      min_lmp_usd_mwh: p.length ? Math.min(...p) : null,
      max_lmp_usd_mwh: p.length ? Math.max(...p) : null,
      price_intervals: p.length,
      spike_intervals: p.filter((x) => x >= SPIKE).length,
      temperature_c: mean(t),
      weather_observations: t.length,
    });
  }
  return out;
}

/** The live (latest version, not cancelled) trades. */
export function liveTrades(trades: readonly TransactionsEvent[]): TransactionsEvent[] {
  const latest = new Map<string, TransactionsEvent>();
  for (const t of trades) {
    const cur = latest.get(t.trade_id);
    if (!cur || t.version > cur.version) latest.set(t.trade_id, t);
  }
  return [...latest.values()].filter((t) => t.status !== 'CANCEL');
}

/**
 * Expected gold_trading_positions_daily rows by `${dt}|${book}|${product}`: an even split over UTC
 * days in whole kWh (day d gets round(q * end_d / w) - round(q * start_d / w), offsets in seconds from
 * the delivery start, so a trade's days add up to its quantity), money in integer cents.
 */
export function expectedPositions(trades: readonly TransactionsEvent[]) {
  const out = new Map<string, { netKwh: number; grossKwh: number; kwhCents: number; trades: Set<string> }>();
  for (const t of liveTrades(trades)) {
    const q = Math.round(t.quantity_mwh * 1000);
    const price = cents(t.price_usd_mwh);
    const start = Math.floor(t.delivery_start / 1000);
    const end = Math.floor(t.delivery_end / 1000);
    const w = end - start;
    for (let d = Math.floor(start / 86_400); d * 86_400 < end; d++) {
      const from = Math.max(start, d * 86_400) - start;
      const to = Math.min(end, (d + 1) * 86_400) - start;
      const kwh = roundDiv(q * to, w) - roundDiv(q * from, w);
      const k = `${day(d * DAY)}|${t.book}|${t.product}`;
      if (!out.has(k)) out.set(k, { netKwh: 0, grossKwh: 0, kwhCents: 0, trades: new Set() });
      const o = out.get(k)!;
      o.netKwh += t.side === 'BUY' ? kwh : -kwh;
      o.grossKwh += kwh;
      o.kwhCents += kwh * price;
      o.trades.add(t.trade_id);
    }
  }
  return new Map(
    [...out].map(([k, o]) => [
      k,
      {
        net: o.netKwh / 1000,
        gross: o.grossKwh / 1000,
        notional: roundDiv(o.kwhCents, 1000) / 100,
        vwap: o.grossKwh === 0 ? null : roundDiv(o.kwhCents, o.grossKwh) / 100,
        notionalCents: roundDiv(o.kwhCents, 1000),
        trades: o.trades,
      },
    ]),
  );
}

/** Expected gold_daily_market_summary rows by dt. */
export function expectedSummary(grid: readonly GridEvent[], trades: readonly TransactionsEvent[]) {
  const out = new Map<
    string,
    {
      min: number | null;
      avg: number | null;
      max: number | null;
      spikes: number;
      peak: number | null;
      traded: number;
      notionalCents: number;
    }
  >();
  const prices = new Map<string, number[]>();
  const zoneHour = new Map<string, number[]>();
  for (const e of grid) {
    if (e.record_type === 'SETTLEMENT_POINT_PRICE' && e.market === 'RTM') {
      const d = day(e.event_time);
      if (!prices.has(d)) prices.set(d, []);
      prices.get(d)!.push(e.lmp_usd_mwh!);
    } else if (e.record_type === 'SYSTEM_CONDITIONS') {
      const k = `${Math.floor(e.event_time / HOUR)}|${e.load_zone}`;
      if (!zoneHour.has(k)) zoneHour.set(k, []);
      zoneHour.get(k)!.push(e.load_mw!);
    }
  }
  const system = new Map<number, number>();
  for (const [k, loads] of zoneHour) {
    const h = Number(k.split('|')[0]);
    system.set(h, (system.get(h) ?? 0) + mean(loads)!);
  }
  const peaks = new Map<string, number>();
  for (const [h, load] of system) {
    const d = day(h * HOUR);
    peaks.set(d, Math.max(peaks.get(d) ?? Number.NEGATIVE_INFINITY, load));
  }
  const traded = new Map<string, number>();
  const notional = new Map<string, number>();
  for (const [k, p] of expectedPositions(trades)) {
    const d = k.split('|')[0]!;
    traded.set(d, (traded.get(d) ?? 0) + Math.round(p.gross * 1000));
    notional.set(d, (notional.get(d) ?? 0) + p.notionalCents);
  }
  for (const d of new Set([...prices.keys(), ...peaks.keys(), ...traded.keys()])) {
    const p = prices.get(d) ?? [];
    out.set(d, {
      min: p.length ? Math.min(...p) : null,
      avg: meanPrice(p),
      max: p.length ? Math.max(...p) : null,
      spikes: p.filter((x) => x >= SPIKE).length,
      peak: peaks.get(d) ?? null,
      traded: (traded.get(d) ?? 0) / 1000,
      notionalCents: notional.get(d) ?? 0,
    });
  }
  return out;
}
