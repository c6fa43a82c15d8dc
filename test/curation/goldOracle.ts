// Gold numbers computed in plain TypeScript from the events, independently of the SQL, to check it.
import type { GridEvent, TransactionsEvent, WeatherEvent } from '../../schemas/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPIKE = 1000;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

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
      avg_lmp_usd_mwh: mean(p),
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

/** Expected gold_trading_positions_daily rows by `${dt}|${book}|${product}`: even split over UTC days. */
export function expectedPositions(trades: readonly TransactionsEvent[]) {
  const out = new Map<string, { net: number; gross: number; notional: number; trades: Set<string> }>();
  for (const t of liveTrades(trades)) {
    const length = t.delivery_end - t.delivery_start;
    for (let d = Math.floor(t.delivery_start / DAY) * DAY; d < t.delivery_end; d += DAY) {
      const overlap = Math.min(t.delivery_end, d + DAY) - Math.max(t.delivery_start, d);
      const mwh = (t.quantity_mwh * overlap) / length;
      const k = `${day(d)}|${t.book}|${t.product}`;
      if (!out.has(k)) out.set(k, { net: 0, gross: 0, notional: 0, trades: new Set() });
      const o = out.get(k)!;
      o.net += t.side === 'BUY' ? mwh : -mwh;
      o.gross += mwh;
      o.notional += mwh * t.price_usd_mwh;
      o.trades.add(t.trade_id);
    }
  }
  return out;
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
  for (const [k, p] of expectedPositions(trades)) {
    const d = k.split('|')[0]!;
    traded.set(d, (traded.get(d) ?? 0) + p.gross);
  }
  for (const d of new Set([...prices.keys(), ...peaks.keys(), ...traded.keys()])) {
    const p = prices.get(d) ?? [];
    out.set(d, {
      min: p.length ? Math.min(...p) : null,
      avg: mean(p),
      max: p.length ? Math.max(...p) : null,
      spikes: p.filter((x) => x >= SPIKE).length,
      peak: peaks.get(d) ?? null,
      traded: traded.get(d) ?? 0,
    });
  }
  return out;
}
