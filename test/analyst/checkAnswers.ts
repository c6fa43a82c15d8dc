// Compares each analyst query's rows with the oracle and with the invariants its docstring states.
// Returns the problems found, one sentence each naming the query (empty: every answer is right).
import {
  cents,
  expectedFreshness,
  expectedLoadVsTemperature,
  expectedMarketSummary,
  expectedPositions,
  expectedSpikes,
  ms,
  type Row,
  SPIKE_USD_MWH,
} from './oracle.js';
import type { SeededEvents } from './seedLake.js';

/** Rows of every query file, by file name. */
export type Answers = Readonly<Record<string, readonly Row[]>>;

const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * @param answers - rows of each query in sql/athena/queries, as `gridstream query --format json` gives them
 * @param events - the events the generators made for the lake
 * @param nowMs - when the queries ran (for queries that do not return their window), epoch ms
 */
export function checkAnswers(answers: Answers, events: SeededEvents, nowMs: number): string[] {
  const problems: string[] = [];
  const fail = (query: string, message: string) => problems.push(`${query}: ${message}`);
  for (const [file, rows] of Object.entries(answers)) if (rows.length === 0) fail(file, 'no rows');
  // A column the checks need that a query no longer returns is a problem of that query, not a crash.
  const guarded = (query: string, check: () => void) => {
    try {
      check();
    } catch (err) {
      fail(query, (err as Error).message);
    }
  };

  // price_spikes_last_hour: spikes found = spikes generated in the query's own window.
  guarded('price_spikes_last_hour.sql', () => {
    const spikes = answers['price_spikes_last_hour.sql'] ?? [];
    if (spikes.length > 0) {
      const found = spikes
        .map((r) => `${r.settlement_point}|${ms(r.event_time)}|${cents(r.lmp_usd_mwh)}`)
        .sort();
      const expected = expectedSpikes(events, ms(spikes[0]!.window_start), ms(spikes[0]!.window_end));
      if (JSON.stringify(found) !== JSON.stringify(expected)) {
        fail(
          'price_spikes_last_hour.sql',
          `found ${found.length} spikes, generated ${expected.length}: ${found
            .filter((f) => !expected.includes(f))
            .concat(expected.filter((e) => !found.includes(e)))
            .slice(0, 4)
            .join(', ')} differ`,
        );
      }
      for (const r of spikes) {
        const parts = cents(r.energy_usd_mwh) + cents(r.congestion_usd_mwh) + cents(r.loss_usd_mwh);
        if (parts !== cents(r.lmp_usd_mwh))
          fail(
            'price_spikes_last_hour.sql',
            `lmp != energy + congestion + loss at ${r.settlement_point} ${r.event_time}`,
          );
        if (Number(r.lmp_usd_mwh) < SPIKE_USD_MWH || Number(r.lmp_usd_mwh) > 5000)
          fail('price_spikes_last_hour.sql', `lmp ${r.lmp_usd_mwh} outside [1000, 5000]`);
      }
    }
  });

  // freshest_partition: freshness from production time, never negative.
  guarded('freshest_partition.sql', () => {
    const fresh = answers['freshest_partition.sql'] ?? [];
    if (fresh.length > 0) {
      const measured = ms(fresh[0]!.measured_at);
      const expected = expectedFreshness(events, measured);
      if (fresh.map((r) => r.dataset).join() !== 'grid,transactions,weather')
        fail('freshest_partition.sql', `datasets ${fresh.map((r) => r.dataset).join()}`);
      for (const r of fresh) {
        const e = expected.get(String(r.dataset));
        if (!e) continue;
        if (r.freshest_partition !== e.partition)
          fail(
            'freshest_partition.sql',
            `${r.dataset} partition ${r.freshest_partition}, expected ${e.partition}`,
          );
        if (ms(r.last_produced_at) !== e.lastProducedMs)
          fail(
            'freshest_partition.sql',
            `${r.dataset} last produced ${r.last_produced_at}, expected ${new Date(e.lastProducedMs).toISOString()}`,
          );
        // date_diff('second') counts second boundaries in DuckDB and truncates in Trino: within a second.
        if (!(Math.abs(Number(r.lag_seconds) - (measured - e.lastProducedMs) / 1000) < 1)) {
          fail(
            'freshest_partition.sql',
            `${r.dataset} lag ${r.lag_seconds} s, expected ${(measured - e.lastProducedMs) / 1000} s`,
          );
        }
        if (!(Number(r.lag_seconds) >= 0))
          fail('freshest_partition.sql', `${r.dataset} lag ${r.lag_seconds} s is negative`);
        if (Number(r.rows_last_hour) !== e.rowsLastHour)
          fail(
            'freshest_partition.sql',
            `${r.dataset} rows_last_hour ${r.rows_last_hour}, expected ${e.rowsLastHour}`,
          );
      }
    }
  });

  // market_summary_last_week: gold numbers = the oracle's, inside the window.
  guarded('market_summary_last_week.sql', () => {
    const summary = answers['market_summary_last_week.sql'] ?? [];
    // The day window the query reports (its today), else the caller's.
    const summaryNow = summary[0]?.window_end !== undefined ? ms(summary[0].window_end) : nowMs;
    const expectedDays = expectedMarketSummary(events, summaryNow);
    const seenDays = new Set<string>();
    for (const r of summary) {
      const d = String(r.dt);
      seenDays.add(d);
      const e = expectedDays.get(d);
      const q = 'market_summary_last_week.sql';
      if (!e) {
        fail(q, `day ${d} is not in the window or has no data`);
        continue;
      }
      if (Number(r.price_intervals) !== e.priceIntervals)
        fail(q, `${d} price_intervals ${r.price_intervals}, expected ${e.priceIntervals}`);
      if (Number(r.spike_intervals) !== e.spikes)
        fail(q, `${d} spike_intervals ${r.spike_intervals}, expected ${e.spikes}`);
      if (e.minCents === null ? r.min_lmp_usd_mwh !== null : cents(r.min_lmp_usd_mwh) !== e.minCents)
        fail(q, `${d} min ${r.min_lmp_usd_mwh}, expected ${e.minCents} cents`);
      if (e.maxCents === null ? r.max_lmp_usd_mwh !== null : cents(r.max_lmp_usd_mwh) !== e.maxCents)
        fail(q, `${d} max ${r.max_lmp_usd_mwh}, expected ${e.maxCents} cents`);
      if (e.avgUsd === null ? r.avg_lmp_usd_mwh !== null : !near(Number(r.avg_lmp_usd_mwh), e.avgUsd, 0.0051))
        fail(q, `${d} avg ${r.avg_lmp_usd_mwh}, expected ${e.avgUsd}`);
      if (
        e.peakLoadMw === null ? r.peak_load_mw !== null : !near(Number(r.peak_load_mw), e.peakLoadMw, 0.051)
      )
        fail(q, `${d} peak load ${r.peak_load_mw}, expected ${e.peakLoadMw}`);
      if (!near(Number(r.traded_mwh), e.tradedMwh, 0.0006))
        fail(q, `${d} traded_mwh ${r.traded_mwh}, expected ${e.tradedMwh}`);
      if (!near(Number(r.traded_notional_usd), e.notionalUsd, 0.0051))
        fail(q, `${d} notional ${r.traded_notional_usd}, expected ${e.notionalUsd}`);
      if (Number(r.trades) !== e.trades) fail(q, `${d} trades ${r.trades}, expected ${e.trades}`);
      if (r.has_prices !== e.priceIntervals > 0) fail(q, `${d} has_prices ${r.has_prices}`);
    }
    for (const d of expectedDays.keys())
      if (!seenDays.has(d)) fail('market_summary_last_week.sql', `day ${d} is missing`);
  });

  // load_vs_temperature_by_zone: per zone and band, counts, averages and a finite correlation. The band's
  // price is an average of gold's hourly averages, which gold may round to the cent: a cent of tolerance.
  guarded('load_vs_temperature_by_zone.sql', () => {
    const bands = answers['load_vs_temperature_by_zone.sql'] ?? [];
    const zones = expectedLoadVsTemperature(
      events,
      bands[0]?.window_end !== undefined ? ms(bands[0].window_end) : nowMs,
    );
    const seenZones = new Set<string>();
    for (const r of bands) {
      const q = 'load_vs_temperature_by_zone.sql';
      const zone = String(r.load_zone);
      seenZones.add(zone);
      const z = zones.get(zone);
      const band = z?.bands.get(Number(r.temperature_band_c));
      if (!z || !band) {
        fail(q, `${zone} band ${r.temperature_band_c} was not expected`);
        continue;
      }
      if (Number(r.hours) !== band.hours)
        fail(q, `${zone} band ${r.temperature_band_c}: ${r.hours} hours, expected ${band.hours}`);
      if (Number(r.zone_hours) !== z.hours)
        fail(q, `${zone}: ${r.zone_hours} zone hours, expected ${z.hours}`);
      const load = band.load.reduce((a, b) => a + b, 0) / band.load.length;
      if (!near(Number(r.avg_load_mw), load, 0.051))
        fail(q, `${zone} band ${r.temperature_band_c}: load ${r.avg_load_mw}, expected ${load}`);
      const lmp = band.lmp.length ? band.lmp.reduce((a, b) => a + b, 0) / band.lmp.length : null;
      if (lmp === null ? r.avg_lmp_usd_mwh !== null : !near(Number(r.avg_lmp_usd_mwh), lmp, 0.0101))
        fail(q, `${zone} band ${r.temperature_band_c}: lmp ${r.avg_lmp_usd_mwh}, expected ${lmp}`);
      const corr = num(r.load_temperature_corr);
      if (corr !== null && !(Number.isFinite(corr) && corr >= -1 && corr <= 1))
        fail(q, `${zone}: correlation ${r.load_temperature_corr} is not finite in [-1, 1]`);
      if (z.corr === null ? corr !== null : corr === null || !near(corr, z.corr, 0.0011))
        fail(q, `${zone}: correlation ${corr}, expected ${z.corr}`);
      if ((corr === null) !== (r.corr_note !== 'ok'))
        fail(q, `${zone}: corr_note ${r.corr_note} with correlation ${corr}`);
    }
    for (const zone of zones.keys())
      if (!seenZones.has(zone)) fail('load_vs_temperature_by_zone.sql', `zone ${zone} is missing`);
  });

  // trader_positions: per trader, book and product, exact to the cent.
  guarded('trader_positions.sql', () => {
    const positions = answers['trader_positions.sql'] ?? [];
    if (positions.length > 0) {
      const q = 'trader_positions.sql';
      const expected = expectedPositions(
        events,
        ms(positions[0]!.window_start),
        ms(positions[0]!.window_end),
      );
      if (positions.length !== expected.size) fail(q, `${positions.length} rows, expected ${expected.size}`);
      for (const r of positions) {
        const k = `${r.trader}|${r.book}|${r.product}`;
        const e = expected.get(k);
        if (!e) {
          fail(q, `${k} was not expected`);
          continue;
        }
        if (Number(r.live_trades) !== e.trades)
          fail(q, `${k}: ${r.live_trades} trades, expected ${e.trades}`);
        if (!near(Number(r.net_mwh), e.netMwh, 0.0005))
          fail(q, `${k}: net ${r.net_mwh}, expected ${e.netMwh}`);
        if (!near(Number(r.gross_mwh), e.grossMwh, 0.0005))
          fail(q, `${k}: gross ${r.gross_mwh}, expected ${e.grossMwh}`);
        if (cents(r.notional_usd) !== e.notionalCents)
          fail(q, `${k}: notional ${r.notional_usd}, expected ${e.notionalCents} cents`);
        if (Math.abs(Number(r.net_mwh)) > Number(r.gross_mwh)) fail(q, `${k}: |net| > gross`);
        const vwap = Number(r.vwap_usd_mwh);
        if (
          !near(vwap, e.notionalCents / 100 / e.grossMwh, 0.0051) ||
          vwap < e.minPrice - 0.005 ||
          vwap > e.maxPrice + 0.005
        ) {
          fail(
            q,
            `${k}: vwap ${vwap}, expected ${e.notionalCents / 100 / e.grossMwh} within [${e.minPrice}, ${e.maxPrice}]`,
          );
        }
      }
    }
  });

  return problems;
}
