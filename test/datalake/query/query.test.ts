import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatResult,
  openLakeConnection,
  registerLakeViews,
  runQuery,
} from '../../../datalake/query/index.js';
import { LocalLakeStorage } from '../../../datalake/storage/index.js';
import { EmbeddedKinesis } from '../../../local/index.js';
import { DATASETS } from '../../../schemas/index.js';
import { deliverOnce } from '../../delivery/support/deliverOnce.js';
import { putEvents } from '../../delivery/support/lakeKit.js';
import { gridEvent, weatherEvent } from '../../helpers/events.js';
import { uniqueStream } from '../../helpers/kinesis.js';
import { run } from '../../helpers/run.js';
import { tempDir } from '../../helpers/tempDir.js';

const DAY1 = Date.UTC(2026, 10, 20, 9, 15);
const DAY2 = Date.UTC(2026, 10, 21, 17, 45);
let kinesis: EmbeddedKinesis;
let dir: string;
let lake: string;

beforeAll(async () => {
  kinesis = await EmbeddedKinesis.start();
  dir = tempDir('query');
  lake = join(dir, 'lake');
  const grid = uniqueStream('q-grid');
  const weather = uniqueStream('q-weather');
  await kinesis.createStream(grid, 1);
  await kinesis.createStream(weather, 1);
  await putEvents(kinesis.client, grid, [
    ...Array.from({ length: 30 }, (_, i) =>
      gridEvent({ event_id: `g1-${i}`, event_time: DAY1, lmp_usd_mwh: i }),
    ),
    ...Array.from({ length: 20 }, (_, i) =>
      gridEvent({ event_id: `g2-${i}`, event_time: DAY2, lmp_usd_mwh: 100 + i }),
    ),
  ]);
  await putEvents(kinesis.client, weather, [
    weatherEvent({ event_id: 'w, "quoted"', event_time: DAY2, dew_point_c: null }),
  ]);
  await deliverOnce(kinesis.client, new LocalLakeStorage(lake), [
    { dataset: 'grid', streamName: grid },
    { dataset: 'weather', streamName: weather },
  ]);
});
afterAll(async () => {
  await kinesis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('lake views', () => {
  it('registers raw_<dataset> views with typed, pruning hive partitions; empty datasets give empty views', async () => {
    // Act
    const { instance, connection, views } = await openLakeConnection(lake);
    const [counts] = await runQuery(
      connection,
      `select (select count(*) from raw_grid) as g, (select count(*) from raw_weather) as w, (select count(*) from raw_transactions) as t`,
    );
    const [types] = await runQuery(
      connection,
      `select typeof(dt) as dt, typeof(hr) as hr, typeof(event_time) as et from raw_grid limit 1`,
    );
    const [byDay] = await runQuery(
      connection,
      `select dt, hr, count(*) as n from raw_grid group by all order by all`,
    );
    const [plan] = await runQuery(
      connection,
      `explain analyze select count(*) from raw_grid where dt = DATE '2026-11-21'`,
    );
    const [emptyCols] = await runQuery(connection, `select * from raw_transactions`);
    connection.closeSync();
    instance.closeSync();
    // Assess
    expect(views.map((v) => [v.name, v.files > 0])).toEqual([
      ['raw_grid', true],
      ['raw_transactions', false],
      ['raw_weather', true],
    ]);
    expect(counts!.json).toEqual([{ g: 50, w: 1, t: 0 }]);
    expect(types!.json).toEqual([{ dt: 'DATE', hr: 'INTEGER', et: 'TIMESTAMP WITH TIME ZONE' }]);
    expect(byDay!.json).toEqual([
      { dt: '2026-11-20', hr: 9, n: 30 },
      { dt: '2026-11-21', hr: 17, n: 20 },
    ]);
    expect(plan!.rows.map((r) => r.join(' ')).join('\n')).toMatch(/Scanning Files: 1\/2/);
    expect(emptyCols!.columns).toContain('trade_id');
    expect(emptyCols!.columns.slice(-2)).toEqual(['dt', 'hr']);
  });

  it('on an empty lake every raw view exists and returns zero rows', async () => {
    // Prepare
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Act
    const views = await registerLakeViews(connection, join(dir, 'does-not-exist'));
    const results = await Promise.all(
      DATASETS.map((d) => runQuery(connection, `select count(*) as n from raw_${d}`)),
    );
    connection.closeSync();
    instance.closeSync();
    // Assess
    expect(views.map((v) => v.name).sort()).toEqual(['raw_grid', 'raw_transactions', 'raw_weather']);
    expect(results.map((r) => r[0]!.json[0])).toEqual([{ n: 0 }, { n: 0 }, { n: 0 }]);
  });

  it('picks up curated and gold tables written by curation, with or without partitions', async () => {
    // Prepare
    const curatedLake = join(dir, 'curated-lake');
    mkdirSync(join(curatedLake, 'curated', 'grid', 'dt=2026-11-21', 'hr=07'), { recursive: true });
    mkdirSync(join(curatedLake, 'gold', 'daily-prices'), { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `copy (select 'x' as event_id, 1.5::DOUBLE as lmp) to '${join(curatedLake, 'curated/grid/dt=2026-11-21/hr=07/part-0.parquet')}' (format parquet)`,
    );
    await connection.run(
      `copy (select DATE '2026-11-21' as day, 42.0 as avg_lmp) to '${join(curatedLake, 'gold/daily-prices/part-0.parquet')}' (format parquet)`,
    );
    // Act
    const views = await registerLakeViews(connection, curatedLake, {
      emptyViewColumns: (zone, table) =>
        zone === 'curated' && table === 'weather' ? [{ name: 'event_id', type: 'VARCHAR' }] : undefined,
    });
    const [curated] = await runQuery(connection, `select event_id, lmp, dt, hr from curated_grid`);
    const [gold] = await runQuery(connection, `select * from gold_daily_prices`);
    const [emptyCurated] = await runQuery(connection, `select count(*) as n from curated_weather`);
    connection.closeSync();
    instance.closeSync();
    // Assess
    expect(views.map((v) => v.name)).toEqual(
      expect.arrayContaining(['curated_grid', 'curated_weather', 'gold_daily_prices', 'raw_grid']),
    );
    expect(curated!.json).toEqual([{ event_id: 'x', lmp: 1.5, dt: '2026-11-21', hr: 7 }]);
    expect(gold!.json).toEqual([{ day: '2026-11-21', avg_lmp: '42.0' }]);
    expect(emptyCurated!.json).toEqual([{ n: 0 }]);
  });

  it('formats results as table, csv and json', async () => {
    // Prepare
    const { instance, connection } = await openLakeConnection(lake);
    // Act
    const [r] = await runQuery(connection, `select event_id, dew_point_c, hr from raw_weather`);
    connection.closeSync();
    instance.closeSync();
    // Assess
    expect(formatResult(r!, 'csv')).toBe('event_id,dew_point_c,hr\r\n"w, ""quoted""",,17\r\n');
    expect(JSON.parse(formatResult(r!, 'json'))).toEqual([
      { event_id: 'w, "quoted"', dew_point_c: null, hr: 17 },
    ]);
    expect(formatResult(r!, 'table')).toBe(
      [
        'event_id    | dew_point_c | hr',
        '------------+-------------+---',
        'w, "quoted" |        NULL | 17',
        '(1 row)',
        '',
      ].join('\n'),
    );
  });
});

describe('gridstream query', () => {
  it('runs SQL from the argument or a file, in each format; bad SQL exits 1, missing SQL exits 2', async () => {
    // Prepare
    const sqlFile = join(dir, 'report.sql');
    writeFileSync(
      sqlFile,
      `create temp table t as select dt, count(*) as n from raw_grid group by dt;\nselect * from t order by dt;\n`,
    );
    // Act
    const csv = await run(process.execPath, [
      'bin/gridstream.js',
      'query',
      '--lake',
      lake,
      '--format',
      'csv',
      'select count(*) as n from raw_grid',
    ]);
    const file = await run(process.execPath, [
      'bin/gridstream.js',
      'query',
      '--lake',
      lake,
      '--format',
      'json',
      '-f',
      sqlFile,
    ]);
    const bad = await run(process.execPath, [
      'bin/gridstream.js',
      'query',
      '--lake',
      lake,
      'select * from nope',
    ]);
    const missing = await run(process.execPath, ['bin/gridstream.js', 'query', '--lake', lake]);
    // Assess
    expect([csv.code, csv.stdout]).toEqual([0, 'n\r\n50\r\n']);
    expect(file.code, file.stderr).toBe(0);
    expect(JSON.parse(file.stdout)).toEqual([
      { dt: '2026-11-20', n: 30 },
      { dt: '2026-11-21', n: 20 },
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/nope/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing the SQL/);
  });
});
