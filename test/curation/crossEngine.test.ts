import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURATION_PATHS,
  CURATION_TEST_DEFAULTS,
  type CurationSummary,
  loadPipeline,
  MANIFEST_FILE,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';
import { formatIssues } from '../helpers/formats.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';
import { buildScenario, DAY0 } from './scenario.js';
import { runSparkCuration } from './sparkRunner.js';
import { readTable, writeScenarioLake } from './tables.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const pipeline = loadPipeline();
const TABLES = pipeline.steps.filter((s) => s.table).map((s) => s.name);

/**
 * Raw files arriving after the first run: late grid events and a corrected re-delivery for an
 * already-curated hour, a new day of grid and weather, and a trade amendment (a full-mode table).
 */
async function writeSecondBatch(lake: string, s: ReturnType<typeof buildScenario>): Promise<void> {
  const t = DAY0 + 12 * HOUR;
  const redelivered = s.grid.find((e) => e.event_time === t && e.record_type === 'SETTLEMENT_POINT_PRICE')!;
  const corrected = s.grid.find(
    (e) =>
      e.event_time === t + 5 * 60_000 && e.record_type === 'SETTLEMENT_POINT_PRICE' && e.market === 'RTM',
  )!;
  await writeRawEvents(lake, 'grid', [
    gridEvent({
      event_id: 'late-1',
      event_time: t + 20 * 60_000,
      lmp_usd_mwh: 1500,
      energy_usd_mwh: 1400,
      congestion_usd_mwh: 99.99,
      loss_usd_mwh: 0.01,
    }),
    {
      ...redelivered,
      lmp_usd_mwh: 77.5,
      energy_usd_mwh: 70,
      congestion_usd_mwh: 7,
      loss_usd_mwh: 0.5,
      produced_at: redelivered.produced_at + 60_000,
    },
    // An ERCOT price correction of another interval: version 2 wins over the curated version 1.
    {
      ...corrected,
      event_id: 'correction-1',
      version: 2,
      lmp_usd_mwh: 66.6,
      energy_usd_mwh: 60,
      congestion_usd_mwh: 6,
      loss_usd_mwh: 0.6,
      produced_at: corrected.produced_at + 3_600_000,
    },
  ]);
  const d2 = DAY0 + 2 * DAY + 6 * HOUR;
  await writeRawEvents(lake, 'grid', [
    gridEvent({ event_id: 'day3-1', event_time: d2, lmp_usd_mwh: 40 }),
    gridEvent({ event_id: 'day3-2', event_time: d2 + 5 * 60_000, lmp_usd_mwh: 9000 }), // quarantined
  ]);
  await writeRawEvents(lake, 'weather', [
    weatherEvent({ event_id: 'day3-w', event_time: d2, temperature_c: 11 }),
    // Re-observed 10 minutes later: one row per location and hour, the latest produced.
    weatherEvent({ event_id: 'day3-w2', event_time: d2, temperature_c: 11.5, produced_at: d2 + 600_000 }),
    weatherEvent({ event_id: 'day3-hot', event_time: d2, location_id: 'katy', temperature_c: 80 }),
  ]);
  const trade = s.transactions.find((e) => e.status === 'NEW')!;
  await writeRawEvents(lake, 'transactions', [
    transactionEvent({
      ...trade,
      event_id: 'amend-1',
      event_time: d2,
      version: trade.version + 1,
      status: 'AMEND',
      quantity_mwh: trade.quantity_mwh + 25,
      produced_at: d2 + 1000,
    }),
    transactionEvent({
      ...trade,
      event_id: 'cancel-1',
      event_time: d2 + 60_000,
      version: trade.version + 2,
      status: 'CANCEL',
      produced_at: d2 + 61_000,
    }),
  ]);
}

async function copyRaw(from: string, to: readonly string[]): Promise<void> {
  for (const lake of to) await cp(join(from, 'raw'), join(lake, 'raw'), { recursive: true });
}

async function duck(lake: string): Promise<CurationSummary> {
  return runCuration({ lake, ...CURATION_TEST_DEFAULTS });
}

interface SparkSummary {
  datasets: Record<string, { dts: string[] }>;
  tables: Record<string, { dts: string[] }>;
}

/** Every manifest and state file of a lake, with the issues its schema finds. */
async function formatIssuesOf(lake: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const step of pipeline.steps.filter((s) => s.table)) {
    const rel = `${step.table!.zone}/${step.table!.name}/${MANIFEST_FILE}`;
    const m = JSON.parse(await readFile(join(lake, rel), 'utf8')) as unknown;
    out[rel] = formatIssues('table-manifest.schema.json', m);
  }
  for (const f of (await readdir(join(lake, CURATION_PATHS.state))).filter((n) => n.endsWith('.json'))) {
    const s = JSON.parse(await readFile(join(lake, CURATION_PATHS.state, f), 'utf8')) as unknown;
    out[`${CURATION_PATHS.state}${f}`] = formatIssues('curation-state.schema.json', s);
  }
  return out;
}

describe('DuckDB and Spark take turns on one lake (incremental state and manifests shared)', () => {
  let source: string;
  let duckThenSpark: string;
  let sparkThenDuck: string;
  let reference: string;
  let secondSpark: SparkSummary;
  let secondDuck: CurationSummary;

  beforeAll(async () => {
    // Prepare: the same raw files, in two batches, in three lakes.
    source = await makeLake('gridstream-cross-src-');
    duckThenSpark = await makeLake('gridstream-cross-duck-spark-');
    sparkThenDuck = await makeLake('gridstream-cross-spark-duck-');
    reference = await makeLake('gridstream-cross-reference-');
    const s = buildScenario(23);
    await writeScenarioLake(source, s);
    // Rows failing a rule, so the quarantine tables are published by the first run too.
    const t = DAY0 + 12 * HOUR;
    await writeRawEvents(source, 'weather', [
      weatherEvent({ event_id: 'hot-1', event_time: t, temperature_c: 75 }),
    ]);
    await writeRawEvents(source, 'transactions', [
      transactionEvent({ event_id: 'zero-1', event_time: t, trade_id: 'BAD-QTY', quantity_mwh: 0 }),
    ]);
    await copyRaw(source, [duckThenSpark, sparkThenDuck]);

    // Act: first batch by one engine, second batch by the other; the reference by DuckDB in one run.
    await duck(duckThenSpark);
    await runSparkCuration(sparkThenDuck);
    await writeSecondBatch(source, s);
    await copyRaw(source, [duckThenSpark, sparkThenDuck, reference]);
    secondSpark = (await runSparkCuration(duckThenSpark)) as unknown as SparkSummary;
    secondDuck = await duck(sparkThenDuck);
    await duck(reference);
  }, 600_000);

  afterAll(async () => {
    for (const lake of [source, duckThenSpark, sparkThenDuck, reference]) await removeLake(lake);
  });

  it.each(TABLES)('%s: the same rows whichever engine ran which batch', async (table) => {
    const expected = await readTable(reference, table);
    expect(expected.length).toBeGreaterThan(0);
    expect(await readTable(duckThenSpark, table)).toEqual(expected);
    expect(await readTable(sparkThenDuck, table)).toEqual(expected);
  });

  it('the second run reads the state the other engine wrote: only the changed dts are curated', () => {
    const changed = { grid: ['2026-11-21', '2026-11-23'], weather: ['2026-11-23'] };
    expect(secondSpark.datasets.grid?.dts).toEqual(changed.grid);
    expect(secondDuck.datasets.grid?.dts).toEqual(changed.grid);
    expect(secondSpark.datasets.weather?.dts).toEqual(changed.weather);
    expect(secondDuck.datasets.weather?.dts).toEqual(changed.weather);
    expect(Object.keys(secondSpark.tables).sort()).toEqual(Object.keys(secondDuck.tables).sort());
  });

  it('the corrected re-delivery and the late events of an already-curated hour are merged', async () => {
    for (const lake of [duckThenSpark, sparkThenDuck]) {
      expect(await readTable(lake, 'curated_grid', "event_id = 'late-1'")).toHaveLength(1);
      expect(await readTable(lake, 'curated_grid', 'lmp_usd_mwh = 77.5')).toHaveLength(1);
      expect(await readTable(lake, 'curated_grid_quarantine', "event_id = 'day3-2'")).toHaveLength(1);
    }
  });

  it('revisions fold into one row per natural key on either engine, with the winner and the count', async () => {
    for (const lake of [duckThenSpark, sparkThenDuck]) {
      const [fixed] = await readTable(lake, 'curated_grid', "event_id = 'correction-1'");
      expect(fixed).toMatchObject({ version: 2, lmp_usd_mwh: 66.6, revision_count: 2 });
      const [obs] = await readTable(lake, 'curated_weather', "location_id = 'houston' AND dt = '2026-11-23'");
      expect(obs).toMatchObject({ event_id: 'day3-w2', revision_count: 2 });
      const [cancelled] = await readTable(lake, 'curated_transactions', "event_id = 'cancel-1'");
      expect(cancelled).toMatchObject({ is_cancelled: true, version_count: 3 });
      const [q] = await readTable(lake, 'curated_grid_quarantine', "event_id = 'day3-2'");
      expect(q!.dq_reason).toBe("LMP outside ERCOT's band (-250 to 5000 $/MWh)");
    }
  });

  it('every manifest and state file either engine wrote fits its JSON Schema', async () => {
    for (const lake of [duckThenSpark, sparkThenDuck]) {
      const found = await formatIssuesOf(lake);
      expect(Object.keys(found).length).toBe(TABLES.length + 3);
      for (const [file, issues] of Object.entries(found)) expect(issues, file).toEqual([]);
    }
  });
});
