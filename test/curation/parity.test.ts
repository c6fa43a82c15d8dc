import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURATION_TEST_DEFAULTS,
  loadPipeline,
  renderStep,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';
import { runPython } from '../helpers/python.js';
import { makeLake, rawFileName, removeLake, writeRawEvents } from './rawLake.js';
import { buildScenario, DAY0 } from './scenario.js';
import { runSparkCuration } from './sparkRunner.js';
import { readTable, writeScenarioLake } from './tables.js';

const pipeline = loadPipeline();
const TABLES = pipeline.steps.filter((s) => s.table).map((s) => s.name);

describe('one definition, two engines: DuckDB and Spark over the same raw files', () => {
  let duck: string;
  let spark: string;
  let duckSummary: Awaited<ReturnType<typeof runCuration>>;
  let sparkSummary: Record<string, unknown>;

  beforeAll(async () => {
    // Prepare: the scenario with at-least-once duplicates, plus rows failing rules and bad files.
    duck = await makeLake();
    spark = await makeLake();
    await writeScenarioLake(duck, buildScenario(11));
    const t = DAY0 + 12 * 3_600_000;
    await writeRawEvents(duck, 'grid', [
      gridEvent({ event_time: t, lmp_usd_mwh: 9000 }),
      gridEvent({ event_time: t, interval_minutes: 7 }),
    ]);
    await writeRawEvents(duck, 'weather', [weatherEvent({ event_time: t, temperature_c: 75 })]);
    await writeRawEvents(duck, 'transactions', [
      transactionEvent({ event_time: t, trade_id: 'BAD-QTY', quantity_mwh: 0 }),
    ]);
    await writeRawEvents(duck, 'grid', [gridEvent({ event_time: t })], {
      dropColumns: ['wind_mw', 'solar_mw'],
      extraColumns: { unexpected_note: "'x'" },
    });
    await writeRawEvents(duck, 'grid', [gridEvent({ event_time: t })], {
      retype: { lmp_usd_mwh: 'VARCHAR' },
    });
    await writeFile(join(duck, 'raw/grid/dt=2026-11-21/hr=12', rawFileName('grid')), 'not parquet at all');
    await cp(join(duck, 'raw'), join(spark, 'raw'), { recursive: true });

    // Act: both engines.
    duckSummary = await runCuration({ lake: duck, ...CURATION_TEST_DEFAULTS });
    sparkSummary = await runSparkCuration(spark);
  }, 300_000);

  afterAll(async () => {
    await removeLake(duck);
    await removeLake(spark);
  });

  it.each(TABLES)('%s: identical rows', async (table) => {
    const a = await readTable(duck, table);
    const b = await readTable(spark, table);
    expect(a.length).toBeGreaterThan(0);
    // Exact, gold included: sums go through DECIMAL (exact_sum/exact_avg), so the summation order of
    // either engine cannot change a bit.
    expect(b).toEqual(a);
  });

  it('identical published partitions and row counts per table', () => {
    const sparkTables = sparkSummary.tables as Record<string, { dts: string[]; rows: number }>;
    for (const t of TABLES) {
      expect(sparkTables[t]?.dts, t).toEqual(duckSummary.tables[t]?.dts);
      expect(sparkTables[t]?.rows, t).toBe(duckSummary.tables[t]?.rows);
    }
  });

  it('the same raw files skipped for the same reasons, the same duplicates dropped', () => {
    const sparkDatasets = sparkSummary.datasets as Record<
      string,
      { rows: number; duplicates: number; files: number }
    >;
    for (const [d, r] of Object.entries(duckSummary.datasets)) {
      expect(sparkDatasets[d], d).toMatchObject({ rows: r.rows, duplicates: r.duplicates, files: r.files });
    }
    const files = (s: readonly { file: string }[]) => s.map((f) => f.file).sort();
    expect(files(sparkSummary.skippedFiles as { file: string }[])).toEqual(files(duckSummary.skippedFiles));
    expect(duckSummary.skippedFiles.map((s) => s.reason).sort()).toEqual([
      expect.stringContaining('column type mismatch: lmp_usd_mwh is BYTE_ARRAY'),
      expect.stringContaining('unreadable Parquet'),
    ]);
  });

  it('the Glue job runs, step by step, the Spark SQL TypeScript renders', async () => {
    const out = await runPython([
      '-c',
      'import json; from gridstream_glue.pipeline import load_pipeline; p = load_pipeline(); ' +
        'print(json.dumps({s.name: s.sql for s in p.steps}))',
    ]);
    const python = JSON.parse(out) as Record<string, string>;
    for (const s of pipeline.steps) expect(python[s.name], s.name).toBe(renderStep(pipeline, s, 'spark'));
  });
});
