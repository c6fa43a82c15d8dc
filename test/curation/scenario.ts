import { mulberry32 } from '../../producers/sources/index.js';
import type { GridEvent, TransactionsEvent, WeatherEvent } from '../../schemas/index.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** First day of the scenario: 2026-11-21T00:00Z. */
export const DAY0 = Date.UTC(2026, 10, 21);
const ZONES = ['LZ_HOUSTON', 'LZ_NORTH', 'LZ_WEST'] as const;
const POINTS: Record<(typeof ZONES)[number], readonly string[]> = {
  LZ_HOUSTON: ['HB_HOUSTON', 'LZ_HOUSTON'],
  LZ_NORTH: ['HB_NORTH', 'LZ_NORTH'],
  LZ_WEST: ['HB_WEST', 'LZ_WEST'],
};

/** Valid events of all three datasets over two days, with price spikes and a trade life cycle. */
export interface Scenario {
  readonly grid: GridEvent[];
  readonly weather: WeatherEvent[];
  readonly transactions: TransactionsEvent[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Builds the scenario: hours 0, 6, 12, 18 and 23 of 2026-11-21 and -22; per hour and zone three RTM
 * 5-minute price intervals at two settlement points (a few spikes >= 1000 $/MWh, one DAM price) and
 * three SYSTEM_CONDITIONS intervals; one observation and one forecast per zone and hour; eight trades
 * (two amended the next day, one cancelled, delivery windows over one to three days).
 *
 * @param seed - PRNG seed
 * @param day0 - first day (UTC midnight, epoch ms)
 */
export function buildScenario(seed = 7, day0 = DAY0): Scenario {
  const r = mulberry32(seed);
  const grid: GridEvent[] = [];
  const weather: WeatherEvent[] = [];
  const transactions: TransactionsEvent[] = [];
  let n = 0;
  const id = (p: string) => `${p}-s${seed}-${++n}`;
  for (const day of [0, 1]) {
    for (const hour of [0, 6, 12, 18, 23]) {
      const h0 = day0 + day * DAY + hour * HOUR;
      for (const zone of ZONES) {
        for (const minute of [0, 5, 10]) {
          const t = h0 + minute * 60_000;
          for (const sp of POINTS[zone]) {
            const spike = r() < 0.06;
            const lmp = spike ? round2(1000 + r() * 3000) : round2(-20 + r() * 120);
            grid.push(
              gridEvent({
                event_id: id('g'),
                event_time: t,
                load_zone: zone,
                settlement_point: sp,
                settlement_point_type: sp.startsWith('HB_') ? 'HUB' : 'LOAD_ZONE',
                lmp_usd_mwh: lmp,
                energy_usd_mwh: round2(lmp * 0.9),
                congestion_usd_mwh: round2(lmp * 0.08),
                // LMP is the sum of its components to the cent (a quality rule).
                loss_usd_mwh: round2(lmp - round2(lmp * 0.9) - round2(lmp * 0.08)),
                produced_at: t + 500,
              }),
            );
          }
          grid.push(
            gridEvent({
              event_id: id('g'),
              event_time: t,
              record_type: 'SYSTEM_CONDITIONS',
              load_zone: zone,
              settlement_point: null,
              settlement_point_type: null,
              lmp_usd_mwh: null,
              energy_usd_mwh: null,
              congestion_usd_mwh: null,
              loss_usd_mwh: null,
              load_mw: round2(5000 + r() * 15000),
              wind_mw: round2(r() * 8000),
              solar_mw: hour >= 8 && hour <= 17 ? round2(r() * 5000) : 0,
              gas_mw: round2(r() * 9000),
              produced_at: t + 700,
            }),
          );
        }
        grid.push(
          gridEvent({
            event_id: id('g'),
            event_time: h0,
            market: 'DAM',
            interval_minutes: 60,
            load_zone: zone,
            settlement_point: POINTS[zone][0],
            lmp_usd_mwh: round2(30 + r() * 40),
            energy_usd_mwh: null,
            congestion_usd_mwh: null,
            loss_usd_mwh: null,
            produced_at: h0 - DAY,
          }),
        );
        weather.push(
          weatherEvent({
            event_id: id('w'),
            event_time: h0,
            location_id: zone.slice(3).toLowerCase(),
            location_name: zone.slice(3),
            load_zone: zone,
            temperature_c: round2(5 + r() * 25),
            relative_humidity_pct: round2(30 + r() * 60),
            wind_speed_mps: round2(r() * 12),
            shortwave_radiation_w_m2: round2(r() * 800),
            produced_at: h0 + 900,
          }),
          weatherEvent({
            event_id: id('w'),
            event_time: h0,
            record_type: 'FORECAST',
            location_id: zone.slice(3).toLowerCase(),
            location_name: zone.slice(3),
            load_zone: zone,
            forecast_issued_at: h0 - 6 * HOUR,
            forecast_horizon_hours: 6,
            temperature_c: round2(5 + r() * 25),
            produced_at: h0 - 6 * HOUR,
          }),
        );
      }
    }
  }
  const books = ['ERCOT-POWER', 'ERCOT-HEDGE'];
  for (let i = 0; i < 8; i++) {
    const exec = day0 + (i % 2) * DAY + 12 * HOUR + i * 60_000;
    // Windows start at a partial hour and span 1 to 3 days, so the day split is uneven.
    const start = day0 + 2 * DAY + (i % 3) * 7 * HOUR;
    const end = start + (1 + (i % 3)) * DAY - (i % 2) * 5 * HOUR;
    const base = transactionEvent({
      event_id: id('t'),
      event_time: exec,
      trade_id: `TR-${seed}-${i}`,
      side: i % 3 === 0 ? 'SELL' : 'BUY',
      product: i % 2 === 0 ? 'HB_NORTH_RT_PEAK_5x16' : 'HB_HOUSTON_DA_OFFPEAK_7x8',
      book: books[i % 2]!,
      delivery_start: start,
      delivery_end: end,
      quantity_mwh: 50 * (1 + (i % 4)),
      price_usd_mwh: round2(40 + r() * 30),
      produced_at: exec + 200,
    });
    transactions.push(base);
    if (i === 2 || i === 5) {
      // Amended 13 hours later, the next UTC day: new quantity and price, version 2 (the trade moves
      // to the amendment's dt).
      transactions.push({
        ...base,
        event_id: id('t'),
        event_time: exec + 13 * HOUR,
        version: 2,
        status: 'AMEND',
        quantity_mwh: base.quantity_mwh + 25,
        price_usd_mwh: round2(base.price_usd_mwh + 1.5),
        produced_at: exec + 13 * HOUR + 200,
      });
    }
    if (i === 6) {
      transactions.push({
        ...base,
        event_id: id('t'),
        event_time: exec + 2 * HOUR,
        version: 2,
        status: 'CANCEL',
        produced_at: exec + 2 * HOUR + 200,
      });
    }
  }
  return { grid, weather, transactions };
}

/** One raw file to write: its events in delivery order. */
export interface Delivery<E> {
  readonly name: string;
  readonly events: readonly E[];
}

/**
 * Splits events into raw files the way at-least-once delivery produces them: each event-time hour in
 * two files, plus a later file re-delivering every 10th event (an exact copy), plus for every 25th
 * event a later copy with a later produced_at and a changed value (it must win), and for every 40th a
 * later file with an earlier produced_at (it must lose).
 *
 * @param events - valid events of one dataset
 * @param change - how the "corrected" copy differs
 * @param nextName - file names in delivery order
 */
export function deliveries<E extends { event_id: string; event_time: number; produced_at: number }>(
  events: readonly E[],
  change: (e: E) => E,
  nextName: () => string,
): Delivery<E>[] {
  const byHour = new Map<number, E[]>();
  for (const e of events) {
    const h = Math.floor(e.event_time / HOUR);
    if (!byHour.has(h)) byHour.set(h, []);
    byHour.get(h)!.push(e);
  }
  const out: Delivery<E>[] = [];
  for (const group of byHour.values()) {
    out.push({ name: nextName(), events: group.filter((_e, i) => i % 2 === 0) });
    out.push({ name: nextName(), events: group.filter((_e, i) => i % 2 === 1) });
  }
  const copies = events.filter((_e, i) => i % 10 === 3);
  const corrected = events
    .filter((_e, i) => i % 25 === 7)
    .map((e) => ({ ...change(e), produced_at: e.produced_at + 60_000 }));
  const stale = events
    .filter((_e, i) => i % 40 === 11)
    .map((e) => ({ ...change(e), produced_at: e.produced_at - 60_000 }));
  for (const extra of [copies, corrected, stale]) {
    const perHour = new Map<number, E[]>();
    for (const e of extra) {
      const h = Math.floor(e.event_time / HOUR);
      if (!perHour.has(h)) perHour.set(h, []);
      perHour.get(h)!.push(e);
    }
    for (const group of perHour.values()) out.push({ name: nextName(), events: group });
  }
  return out;
}

/**
 * The row curation must keep per event_id: greatest produced_at, then greatest file name.
 *
 * @param files - deliveries (any order)
 */
export function latestIngest<E extends { event_id: string; produced_at: number }>(
  files: readonly Delivery<E>[],
): Map<string, E> {
  const best = new Map<string, { e: E; file: string }>();
  for (const f of files) {
    for (const e of f.events) {
      const cur = best.get(e.event_id);
      if (
        !cur ||
        e.produced_at > cur.e.produced_at ||
        (e.produced_at === cur.e.produced_at && f.name > cur.file)
      ) {
        best.set(e.event_id, { e, file: f.name });
      }
    }
  }
  return new Map([...best].map(([k, v]) => [k, v.e]));
}
