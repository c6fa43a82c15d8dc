import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURATION_TEST_DEFAULTS,
  compactRaw,
  curationViews,
  readManifest,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { gridEvent } from '../helpers/events.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';
import { buildScenario, DAY0 } from './scenario.js';
import { writeScenarioLake } from './tables.js';

const HOUR = 3_600_000;
/** What a reader sees of curated_grid: rows, distinct event ids, and the gold price count. */
interface Observation {
  rows: number;
  ids: number;
  goldPrices: number;
}

/**
 * Counts continuously, on its own DuckDB, like an analyst re-running a query: each round resolves the
 * manifests again (fresh views) and counts. Stops when `done` resolves.
 */
async function countContinuously(lake: string, done: Promise<unknown>): Promise<Observation[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  const seen: Observation[] = [];
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  try {
    while (!finished) {
      for (const v of await curationViews(lake)) await c.run(v.sql);
      const [r] = (
        await c.runAndReadAll(
          'SELECT (SELECT count(*) FROM curated_grid) AS rows, (SELECT count(DISTINCT event_id) FROM curated_grid) AS ids, ' +
            '(SELECT coalesce(sum(price_intervals), 0) FROM gold_daily_market_summary) AS gold',
        )
      ).getRowObjectsJS();
      seen.push({ rows: Number(r!.rows), ids: Number(r!.ids), goldPrices: Number(r!.gold) });
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return seen;
}

describe('atomic publish: readers never see missing or duplicated rows', () => {
  let lake: string;
  let baseline: Observation;

  beforeAll(async () => {
    lake = await makeLake();
    await writeScenarioLake(lake, buildScenario(9));
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS, retentionMs: 60_000 });
    const [first] = await countContinuously(lake, Promise.resolve());
    baseline = first!;
  });
  afterAll(() => removeLake(lake));

  it('while curation re-publishes every partition and compaction rewrites the raw files', async () => {
    const work = (async () => {
      for (let i = 0; i < 3; i++)
        await runCuration({ lake, ...CURATION_TEST_DEFAULTS, retentionMs: 60_000, full: true });
      await compactRaw({ lake, ...CURATION_TEST_DEFAULTS, latenessMs: 0, now: () => DAY0 + 5 * 24 * HOUR });
      // The compacted partitions have new fingerprints: this run re-reads them all.
      await runCuration({ lake, ...CURATION_TEST_DEFAULTS, retentionMs: 60_000 });
    })();
    const seen = await countContinuously(lake, work);
    await work;

    expect(seen.length).toBeGreaterThan(5);
    for (const o of seen) expect(o).toEqual(baseline);
  });

  it('while new data is published: every observation is the old or the new table', async () => {
    const fresh = Array.from({ length: 40 }, (_v, i) =>
      gridEvent({ event_time: DAY0 + 2 * 24 * HOUR + i * 300_000, settlement_point: `HB_NEW_${i}` }),
    );
    await writeRawEvents(lake, 'grid', fresh);
    const work = runCuration({ lake, ...CURATION_TEST_DEFAULTS, retentionMs: 60_000 });
    const seen = await countContinuously(lake, work);
    await work;
    const [after] = await countContinuously(lake, Promise.resolve());

    expect(after!.rows).toBe(baseline.rows + fresh.length);
    for (const o of seen) {
      expect(o.rows).toBe(o.ids);
      expect([baseline.rows, after!.rows]).toContain(o.rows);
    }
  });

  it('old versions are kept for the retention, then deleted', async () => {
    const table = join(lake, 'curated/grid');
    const kept = await readdir(join(table, 'versions'));
    expect(kept.length).toBeGreaterThan(1);
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS, retentionMs: 0, full: true, datasets: ['grid'] });
    const manifest = (await readManifest(table))!;
    const live = new Set(Object.values(manifest.partitions).map((p) => p.location.split('/')[1]));
    expect(new Set(await readdir(join(table, 'versions')))).toEqual(live);
    expect(manifest.superseded).toEqual([]);
  });
});
