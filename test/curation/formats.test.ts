import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, readJsonSchema } from '../../schemas/index.js';
import { MANIFEST_FILE } from '../../stream-processors/curation/constants.js';
import {
  type DatasetState,
  detectChanges,
  readState,
  writeState,
} from '../../stream-processors/curation/curationState.js';
import { PIPELINE_FILES } from '../../stream-processors/curation/pipeline.js';
import { sqlLiteral } from '../../stream-processors/curation/qualityRules.js';
import { listRawPartitions, type RawPartition } from '../../stream-processors/curation/rawFiles.js';
import { readManifest, writeManifest } from '../../stream-processors/curation/tableManifest.js';
import type { TableManifest } from '../../stream-processors/curation/types.js';
import {
  formatIssues,
  goldenFiles,
  type InvalidCase,
  invalidValue,
  readFixture,
} from '../helpers/formats.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { makeLake, query, removeLake } from './rawLake.js';

// The formats TypeScript and Python share, checked against the same JSON Schemas and golden files
// (test/fixtures/formats) that test/glue/test_formats.py checks on the Python side.

let lake: string;
beforeAll(async () => {
  lake = await makeLake('gridstream-formats-');
});
afterAll(async () => {
  await removeLake(lake);
});

describe('curation state (schemas/json/curation-state.schema.json)', () => {
  it('names exactly the datasets of the contracts', () => {
    const schema = readJsonSchema('curation-state.schema.json') as {
      properties: { dataset: { enum: string[] } };
    };
    expect(schema.properties.dataset.enum).toEqual([...DATASETS]);
  });

  it.each(goldenFiles('curation-state'))('%s: valid, read and written byte for byte', async (rel, text) => {
    const golden = JSON.parse(text) as DatasetState;
    expect(formatIssues('curation-state.schema.json', golden)).toEqual([]);
    const dir = join(lake, rel.replace(/\W/g, '_'));
    await writeState(dir, golden);
    const path = join(dir, 'curated', '_state', `${golden.dataset}.json`);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readState(dir, golden.dataset)).toEqual(golden);
  });

  it('a dataset never curated reads as never-curated.json (updatedAt: the epoch)', async () => {
    const state = await readState(join(lake, 'empty'), 'grid');
    expect(state).toEqual(readFixture('curation-state/never-curated.json').value);
    expect(formatIssues('curation-state.schema.json', state)).toEqual([]);
  });

  interface ChangeCase {
    why: string;
    state: DatasetState;
    partitions: { dt: string; hr: string; fingerprint: string }[];
    options: {
      fromHour: string | null;
      since: string | null;
      full: boolean;
      latenessHours: number;
      now: string;
    };
    dts: string[];
    next: DatasetState;
  }
  const changes = readFixture<{ cases: ChangeCase[] }>('detect-changes.json').value.cases;
  it.each(changes.map((c) => [c.why, c]))('detectChanges: %s', (_why, c) => {
    const partitions = c.partitions.map((p): RawPartition => ({ ...p, hour: `${p.dt}T${p.hr}`, files: [] }));
    const got = detectChanges(c.state, partitions, {
      fromHour: c.options.fromHour ?? undefined,
      since: c.options.since ?? undefined,
      full: c.options.full,
      latenessHours: c.options.latenessHours,
      nowMs: Date.parse(c.options.now),
    });
    expect([...got.dts].sort()).toEqual(c.dts);
    expect(got.next).toEqual(c.next);
    expect(formatIssues('curation-state.schema.json', got.next)).toEqual([]);
  });

  it('a raw partition fingerprint hashes its file names and sizes', async () => {
    const [f] = readFixture<{
      fingerprints: { files: { name: string; bytes: number }[]; fingerprint: string }[];
    }>('detect-changes.json').value.fingerprints;
    const dir = join(lake, 'fingerprint', 'raw', 'grid', 'dt=2026-11-22', 'hr=00');
    await mkdir(dir, { recursive: true });
    for (const file of f!.files) await writeFile(join(dir, file.name), Buffer.alloc(file.bytes));
    const [p] = await listRawPartitions(join(lake, 'fingerprint'), 'grid');
    expect(p!.fingerprint).toBe(f!.fingerprint);
  });
});

describe('table manifest (schemas/json/table-manifest.schema.json)', () => {
  it.each(goldenFiles('table-manifest'))('%s: valid, read and written byte for byte', async (rel, text) => {
    const golden = JSON.parse(text) as TableManifest;
    expect(formatIssues('table-manifest.schema.json', golden)).toEqual([]);
    const dir = join(lake, rel.replace(/\W/g, '_'));
    await writeManifest(dir, golden);
    expect(await readFile(join(dir, MANIFEST_FILE), 'utf8')).toBe(text);
    expect(await readManifest(dir)).toEqual(golden);
  });
});

describe('invalid values are rejected at the same path as the Python jsonschema package', () => {
  const cases = readFixture<{ cases: InvalidCase[] }>('invalid.json').value.cases;
  it.each(cases.map((c) => [c.why, c]))('%s', (_why, c) => {
    const issues = formatIssues(c.schema, invalidValue(c));
    expect(issues.map((i) => i.path)).toEqual([c.path]);
  });
});

describe('the rendered pipeline (schemas/json/rendered-pipeline.schema.json)', () => {
  it('sql/curated/pipeline.rendered.json is valid', () => {
    const rendered = JSON.parse(
      readFileSync(join(REPO_ROOT, 'sql', 'curated', PIPELINE_FILES.rendered), 'utf8'),
    ) as unknown;
    expect(formatIssues('rendered-pipeline.schema.json', rendered)).toEqual([]);
  });
});

describe('rule values as SQL literals (test/fixtures/formats/sql-literals.json)', () => {
  interface LiteralCase {
    why: string;
    value: string | number;
    duckdb: string;
    spark: string;
  }
  const cases = readFixture<{ cases: LiteralCase[] }>('sql-literals.json').value.cases;
  it.each(cases.map((c) => [c.why, c]))('%s', async (_why, c) => {
    expect(sqlLiteral(c.value, 'duckdb')).toBe(c.duckdb);
    expect(sqlLiteral(c.value, 'spark')).toBe(c.spark);
    // DuckDB reads its literal back as the value (Spark's is run by test/glue/test_formats.py).
    const sql = typeof c.value === 'number' ? `CAST(${c.duckdb} AS DOUBLE)` : c.duckdb;
    const [row] = await query(`SELECT ${sql} AS v`);
    expect(row!.v).toBe(c.value);
  });
});
