import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractFor } from '../../schemas/index.js';
import { generatedFiles } from '../../stream-processors/curation/generatedFiles.js';
import { athenaTableDefinition, loadPipeline } from '../../stream-processors/curation/index.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';

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
