// The analyst acceptance test: on a lake of one simulated day (generators → raw zone → curation),
// every query in sql/athena/queries, run exactly as `gridstream query -f` runs it, returns rows that
// match an oracle computed from the generators' events and the invariants its docstring states.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scarcityIntervals } from '../../producers/sources/index.js';
import type { GridEvent } from '../../schemas/index.js';
import {
  CURATION_TEST_DEFAULTS,
  runCuration,
  SQL_ATHENA_DIR,
} from '../../stream-processors/curation/index.js';
import { makeLake, removeLake } from '../curation/rawLake.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { type Answers, checkAnswers } from './checkAnswers.js';
import type { Row } from './oracle.js';
import { type SeededEvents, seedLake, writeRawZone } from './seedLake.js';

const MINUTE = 60_000;
const QUERIES_DIR = join(SQL_ATHENA_DIR, 'queries');
/** Spike rate of the seeded day: a few scarcity intervals a day, as a seeded lake promises. */

/** `gridstream query --format json` on the lake. */
async function query(lake: string, args: string[]): Promise<Row[]> {
  const result = await runCliInProcess(['query', '--lake', lake, '--format', 'json', ...args]);
  if (result.code !== 0)
    throw new Error(`gridstream query ${args.join(' ')} exited ${result.code}: ${result.err}`);
  return JSON.parse(result.out) as Row[];
}

async function answers(lake: string): Promise<Answers> {
  const out: Record<string, Row[]> = {};
  for (const file of readdirSync(QUERIES_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    out[file] = await query(lake, ['-f', join(QUERIES_DIR, file)]);
  }
  return out;
}

/**
 * The first seed with a spike interval (`scarcityIntervals`: the daily evening scarcity event, 22:00-01:45
 * UTC, or one of the rare random spikes, 0.1 % of intervals — so a seed is found at any time of day) in
 * [now - 45 min, now - 5 min], so "the last hour" has one to find (kept away from the window's edges: the
 * queries run a little after now).
 */
function seedWithRecentSpike(nowMs: number): number {
  for (let seed = 1; seed <= 5000; seed++) {
    if (scarcityIntervals({ seed, startMs: nowMs - 45 * MINUTE, endMs: nowMs - 5 * MINUTE }).length > 0)
      return seed;
  }
  throw new Error('no seed in 1..5000 has a scarcity interval in the last 45 minutes');
}

describe('analyst acceptance: one simulated day', () => {
  let lake: string;
  let events: SeededEvents;
  let result: Answers;
  let queriedAt: number;

  beforeAll(async () => {
    lake = await makeLake('gridstream-analyst-');
    const now = Date.now();
    events = await seedLake(lake, { endMs: now, seed: seedWithRecentSpike(now) });
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
    result = await answers(lake);
    queriedAt = Date.now();
  });
  afterAll(async () => {
    await removeLake(lake);
  });

  it('runs every query in sql/athena/queries', () => {
    expect(Object.keys(result)).toEqual([
      'freshest_partition.sql',
      'load_vs_temperature_by_zone.sql',
      'market_summary_last_week.sql',
      'price_spikes_last_hour.sql',
      'trader_positions.sql',
    ]);
  });

  it('every answer is non-empty, matches the oracle and keeps its invariants', () => {
    expect(checkAnswers(result, events, queriedAt)).toEqual([]);
  });

  it('finds the spikes generated in the last hour', () => {
    const spikes = result['price_spikes_last_hour.sql']!;
    expect(spikes.length).toBeGreaterThan(0);
  });

  it('the curated and gold tables stay within physical maxima', async () => {
    const violations = await query(lake, [
      `SELECT 'prices per point, interval length and day' AS rule, count(*) AS n FROM (
         SELECT 1 FROM v_rtm_prices GROUP BY settlement_point, interval_minutes, dt
         HAVING count(*) > 1440 / min(interval_minutes)) x
       UNION ALL
       SELECT 'prices per point, interval length and hour', count(*) FROM (
         SELECT 1 FROM v_rtm_prices GROUP BY settlement_point, interval_minutes, date_trunc('hour', event_time)
         HAVING count(*) > 60 / min(interval_minutes)) x
       UNION ALL
       SELECT 'grid rows per natural key', count(*) FROM (
         SELECT 1 FROM curated_grid
         GROUP BY record_type, market, coalesce(settlement_point, load_zone), interval_minutes, event_time
         HAVING count(*) > 1) x
       UNION ALL
       SELECT 'observations per location and hour', count(*) FROM (
         SELECT 1 FROM curated_weather WHERE record_type = 'OBSERVATION'
         GROUP BY location_id, date_trunc('hour', event_time) HAVING count(*) > 1) x
       UNION ALL
       SELECT 'weather rows per natural key', count(*) FROM (
         SELECT 1 FROM curated_weather
         GROUP BY location_id, record_type, event_time, forecast_issued_at HAVING count(*) > 1) x
       UNION ALL
       SELECT 'trade rows per trade_id', count(*) FROM (
         SELECT 1 FROM curated_transactions GROUP BY trade_id HAVING count(*) > 1) x
       UNION ALL
       SELECT 'gold zone-hours whose price rows are not the curated ones', count(*) FROM (
         SELECT g.load_zone FROM gold_grid_weather_hourly g
         LEFT JOIN (SELECT load_zone, date_trunc('hour', event_time) AS h, count(*) AS n FROM v_rtm_prices GROUP BY 1, 2) p
           ON p.load_zone = g.load_zone AND p.h = g.hour_start
         WHERE g.price_intervals <> coalesce(p.n, 0)) x
       UNION ALL
       SELECT 'negative load', count(*) FROM curated_grid WHERE load_mw < 0
       UNION ALL
       SELECT 'quarantined grid rows', count(*) FROM curated_grid_quarantine
       UNION ALL
       SELECT 'quarantined weather rows', count(*) FROM curated_weather_quarantine
       UNION ALL
       SELECT 'quarantined trades', count(*) FROM curated_transactions_quarantine`,
    ]);
    expect(violations.filter((v) => Number(v.n) > 0)).toEqual([]);
  });
});

describe('analyst acceptance: the oracle fails on a lake with a planted error', () => {
  let lake: string;
  let problems: string[];

  beforeAll(async () => {
    lake = await makeLake('gridstream-analyst-planted-');
    const now = Date.now();
    const events = await seedLake(lake, {
      endMs: now,
      seed: seedWithRecentSpike(now),
    });
    // A price correction the generators never made: version 2 of a recent interval, a spike at
    // 4,321.00 $/MWh, delivered into the raw zone like any other event.
    // A real-time interval of the last half hour (not a day-ahead price for tomorrow: outside both windows).
    const recent = events.grid.filter(
      (e): e is GridEvent =>
        e.record_type === 'SETTLEMENT_POINT_PRICE' &&
        e.market === 'RTM' &&
        e.event_time >= now - 30 * MINUTE &&
        e.event_time < now - 5 * MINUTE,
    );
    const victim = recent.find((e) => e.lmp_usd_mwh! < 1000) ?? recent[0]!;
    await writeRawZone(
      lake,
      'grid',
      [
        {
          ...victim,
          event_id: '00000000-0000-8000-8000-00000000beef',
          version: 2,
          lmp_usd_mwh: 4321,
          energy_usd_mwh: 4300,
          congestion_usd_mwh: 11,
          loss_usd_mwh: 10,
          produced_at: victim.produced_at + 1000,
        },
      ],
      'shardId-000000000001',
    );
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
    const result = await answers(lake);
    problems = checkAnswers(result, events, Date.now());
  });
  afterAll(async () => {
    await removeLake(lake);
  });

  it('names the spike that was not generated', () => {
    expect(problems).toContainEqual(
      expect.stringMatching(/^price_spikes_last_hour\.sql: found \d+ spikes, generated \d+: .*\|432100/),
    );
  });

  it('names the day whose gold numbers moved', () => {
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^market_summary_last_week\.sql: \d{4}-\d\d-\d\d (price_intervals|max|avg|spike_intervals)/,
      ),
    );
  });
});
