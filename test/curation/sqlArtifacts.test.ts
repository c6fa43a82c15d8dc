import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLakeViews } from '../../datalake/query/index.js';
import { contractFor } from '../../schemas/index.js';
import { generatedFiles } from '../../stream-processors/curation/generatedFiles.js';
import {
  athenaTableDefinition,
  athenaToDuckDb,
  CURATION_TEST_DEFAULTS,
  loadPipeline,
  registerCurationViews,
  runCuration,
  SQL_ATHENA_DIR,
} from '../../stream-processors/curation/index.js';
import { gridEvent, transactionEvent } from '../helpers/events.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';
import { buildScenario } from './scenario.js';
import { writeScenarioLake } from './tables.js';

describe('generated files are current (npx tsx stream-processors/curation/writeGenerated.ts)', async () => {
  const files = await generatedFiles();
  it.each([...files.keys()].map((p) => [p.slice(REPO_ROOT.length + 1), p]))('%s', (_rel, path) => {
    expect(readFileSync(path, 'utf8')).toBe(files.get(path));
  });
});

describe('athenaTableDefinition', () => {
  it('raw tables: contract columns, dt/hr partition projection over raw/<dataset>/dt=…/hr=…/', () => {
    const def = athenaTableDefinition('grid', 'raw', 's3://lake-bucket/raw/grid');
    expect(def.name).toBe('raw_grid');
    expect(def.columns.map((c) => c.name)).toEqual(contractFor('grid').columns.map((c) => c.name));
    expect(def.partitionKeys.map((c) => `${c.name}:${c.type}`)).toEqual(['dt:date', 'hr:string']);
    expect(def.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2024-01-01,NOW+2DAYS',
      'projection.hr.type': 'integer',
      'projection.hr.range': '0,23',
      'projection.hr.digits': '2',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's projection template, not a JS template
      'storage.location.template': 's3://lake-bucket/raw/grid/dt=${dt}/hr=${hr}/',
    });
    expect(def.tableInput.storageDescriptor.location).toBe('s3://lake-bucket/raw/grid/');
    expect(def.ddl).toMatch(
      /^CREATE EXTERNAL TABLE IF NOT EXISTS `raw_grid` \(\n {2}`event_id` string COMMENT/,
    );
    expect(def.ddl).toContain("PARTITIONED BY (`dt` date COMMENT 'partition time date, UTC, yyyy-MM-dd");
  });

  it('curated and gold tables: the pipeline schema, partitioned by dt, no projection', () => {
    const def = athenaTableDefinition('daily_market_summary', 'gold', 's3://b/gold/daily_market_summary/');
    expect(def.columns).toEqual(loadPipeline().tables.gold_daily_market_summary!.columns);
    expect(def.partitionKeys.map((c) => `${c.name}:${c.type}`)).toEqual(['dt:date']);
    expect(def.parameters['projection.enabled']).toBeUndefined();
    const curated = athenaTableDefinition('weather', 'curated', 's3://b/curated/weather/');
    expect(curated.columns.find((c) => c.name === 'dew_point_c')?.comment).toMatch(/Added in v2/);
  });

  it('names the offending value', () => {
    expect(() => athenaTableDefinition('gridd', 'raw', 's3://b/raw/gridd/')).toThrow(/"gridd"/);
    expect(() => athenaTableDefinition('nope', 'gold', 's3://b/gold/nope/')).toThrow(/gold\/nope/);
    expect(() => athenaTableDefinition('grid', 'raw', '/tmp/x')).toThrow(/s3:\/\//);
  });
});

describe('Redshift gold tables', () => {
  const ddl = readFileSync(join(REPO_ROOT, 'sql/redshift/02_gold_tables.sql'), 'utf8');
  const load = readFileSync(join(REPO_ROOT, 'sql/redshift/03_load_gold.sql'), 'utf8');
  it.each(['grid_weather_hourly', 'trading_positions_daily', 'daily_market_summary'])(
    'gold.%s has the columns of tables.json plus dt DATE',
    (table) => {
      const body = new RegExp(`CREATE TABLE IF NOT EXISTS gold\\.${table} \\(([^;]*?)\\n\\)`, 's').exec(
        ddl,
      )?.[1];
      expect(body, table).toBeDefined();
      const cols = body!
        .split(',\n')
        .map((l) => l.trim().split(/\s+/)[0])
        .filter(Boolean);
      expect(cols).toEqual([...loadPipeline().tables[`gold_${table}`]!.columns.map((c) => c.name), 'dt']);
      const select = new RegExp(
        `INSERT INTO gold\\.${table}\\s+SELECT([^;]*?)FROM lake\\.gold_${table}\\b`,
        's',
      ).exec(load)?.[1];
      expect(select, table).toBeDefined();
      expect(select!.split(',').map((c) => c.trim())).toEqual(cols);
      // Money and energy keep the lake's DECIMAL types (sums exact to the cent), the rest map by kind.
      const redshift = (hive: string) =>
        hive.startsWith('decimal')
          ? hive.toUpperCase()
          : ({ double: 'DOUBLE PRECISION', bigint: 'BIGINT' } as Record<string, string>)[hive];
      const types = new Map(
        body!.split(',\n').map((l) => [l.trim().split(/\s+/)[0], l.trim().split(/\s+/).slice(1).join(' ')]),
      );
      for (const c of loadPipeline().tables[`gold_${table}`]!.columns) {
        const want = redshift(c.type);
        if (want)
          expect(types.get(c.name), `${table}.${c.name}`).toMatch(
            new RegExp(`^${want.replace(/[()]/g, '\\$&')}( NOT NULL)?$`),
          );
      }
    },
  );
});

describe('analyst SQL (sql/athena) runs locally through the Athena shim', () => {
  let lake: string;
  let connection: Awaited<ReturnType<DuckDBInstance['connect']>>;
  let instance: DuckDBInstance;
  const now = Date.now();
  const spikes = [
    gridEvent({ event_time: now - 20 * 60_000, lmp_usd_mwh: 1800, settlement_point: 'HB_SPIKE_A' }),
    gridEvent({ event_time: now - 10 * 60_000, lmp_usd_mwh: 4200, settlement_point: 'HB_SPIKE_B' }),
    gridEvent({ event_time: now - 3 * 3_600_000, lmp_usd_mwh: 2100, settlement_point: 'HB_OLD_SPIKE' }),
  ];

  beforeAll(async () => {
    lake = await makeLake();
    // Scenario days in the past, so "last hour" and "open" are decided by the rows below.
    await writeScenarioLake(
      lake,
      buildScenario(4, Math.floor(now / 86_400_000) * 86_400_000 - 3 * 86_400_000),
    );
    await writeRawEvents(lake, 'grid', spikes);
    await writeRawEvents(lake, 'grid', [spikes[1]!]); // re-delivered copy
    await writeRawEvents(lake, 'transactions', [
      transactionEvent({
        event_time: now - 60_000,
        trade_id: 'OPEN-1',
        trader: 'trader-7',
        delivery_start: now + 86_400_000,
        delivery_end: now + 2 * 86_400_000,
      }),
    ]);
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await registerLakeViews(connection, lake, { zones: ['raw'] });
    await registerCurationViews(connection, lake);
  });
  afterAll(async () => {
    connection.closeSync();
    instance.closeSync();
    await removeLake(lake);
  });

  const run = async (file: string) =>
    (
      await connection.runAndReadAll(
        athenaToDuckDb(readFileSync(join(SQL_ATHENA_DIR, 'queries', file), 'utf8')),
      )
    ).getRowObjectsJS();

  it('every query file is covered here', () => {
    expect(readdirSync(join(SQL_ATHENA_DIR, 'queries')).sort()).toEqual([
      'freshest_partition.sql',
      'load_vs_temperature_by_zone.sql',
      'market_summary_last_week.sql',
      'price_spikes_last_hour.sql',
      'trader_positions.sql',
    ]);
  });

  it('price_spikes_last_hour: the spikes of the last hour, re-delivered copies folded', async () => {
    const rows = await run('price_spikes_last_hour.sql');
    expect(rows.map((r) => r.settlement_point)).toEqual(['HB_SPIKE_B', 'HB_SPIKE_A']);
    expect(rows.map((r) => r.lmp_usd_mwh)).toEqual([4200, 1800]);
  });

  it('freshest_partition: one row per dataset', async () => {
    const rows = await run('freshest_partition.sql');
    expect(rows.map((r) => r.dataset)).toEqual(['grid', 'transactions', 'weather']);
    const grid = rows.find((r) => r.dataset === 'grid')!;
    expect(String(grid.freshest_partition)).toBe(
      new Date(now - 10 * 60_000).toISOString().slice(0, 13).replace('T', ' '),
    );
    expect(Number(grid.lag_seconds)).toBeGreaterThanOrEqual(600);
  });

  it('load_vs_temperature_by_zone: bands per zone with the zone correlation', async () => {
    const rows = await run('load_vs_temperature_by_zone.sql');
    expect(new Set(rows.map((r) => r.load_zone))).toEqual(new Set(['LZ_HOUSTON', 'LZ_NORTH', 'LZ_WEST']));
    for (const r of rows) expect(Number(r.temperature_band_c) % 5).toBe(0);
  });

  it('trader_positions: open trades per trader', async () => {
    const rows = await run('trader_positions.sql');
    expect(rows.filter((r) => r.trader === 'trader-7')).toEqual([
      expect.objectContaining({ book: 'ERCOT-POWER', live_trades: 1n, net_mwh: 400, vwap_usd_mwh: 55.25 }),
    ]);
  });

  it('market_summary_last_week: the curated days, newest first', async () => {
    const rows = await run('market_summary_last_week.sql');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    // dt is a DATE: compared as yyyy-MM-dd.
    const days = rows.map((r) => (r.dt instanceof Date ? r.dt.toISOString().slice(0, 10) : String(r.dt)));
    expect(days).toEqual([...days].sort().reverse());
  });

  it('the analyst views exist', async () => {
    const spikesView = await connection.runAndReadAll(
      'SELECT count(*) AS n FROM v_rtm_prices WHERE is_spike',
    );
    expect(Number(spikesView.getRowObjectsJS()[0]!.n)).toBeGreaterThan(0);
    const live = await connection.runAndReadAll(
      "SELECT count(*) AS n FROM v_live_trades WHERE trade_id = 'OPEN-1'",
    );
    expect(Number(live.getRowObjectsJS()[0]!.n)).toBe(1);
  });
});
