import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AVRO_DIR,
  type AvroRecord,
  checkCompatibility,
  compileSchema,
  readCurrentSchema,
  readSchemaHistory,
} from '../../schemas/index.js';
import { eventOf } from '../helpers/events.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of schemas/avro to change freely. */
function schemaDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridstream-schemas-'));
  dirs.push(dir);
  cpSync(AVRO_DIR, dir, { recursive: true });
  return dir;
}

function edit(dir: string, dataset: string, change: (s: AvroRecord) => AvroRecord): void {
  const file = join(dir, `${dataset}.avsc`);
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')) as AvroRecord), null, 2));
}

describe('schema evolution: weather v1 → v2 (dew_point_c added with default null)', () => {
  const history = readSchemaHistory('weather');
  const v1 = compileSchema(history.find((h) => h.version === 1)!.schema);
  const v2 = compileSchema(readCurrentSchema('weather'));

  it('new reader reads data written by an old writer (the added field takes its default)', () => {
    const { dew_point_c: _, ...v1Event } = eventOf('weather');
    const bytes = v1.toBuffer(v1Event);
    const read = v2.fromBuffer(bytes, v2.createResolver(v1)) as Record<string, unknown>;
    expect(read.dew_point_c).toBeNull();
    expect(read.event_id).toBe(v1Event.event_id);
  });

  it('old reader reads data written by a new writer (the added field is skipped)', () => {
    const event = eventOf('weather', { dew_point_c: 12.5 });
    const read = v1.fromBuffer(v2.toBuffer(event), v1.createResolver(v2)) as Record<string, unknown>;
    expect(read).not.toHaveProperty('dew_point_c');
    expect(read.temperature_c).toBe(event.temperature_c);
  });
});

describe('gridstream schemas check', () => {
  it('passes for the schemas in the repo', () => {
    expect(checkCompatibility().every((r) => r.problems.length === 0)).toBe(true);
  });

  it('accepts a new optional field with a default, as unreleased', () => {
    const dir = schemaDir();
    edit(dir, 'grid', (s) => ({
      ...s,
      fields: [...s.fields, { name: 'dc_tie_mw', type: ['null', 'double'], default: null }],
    }));
    const grid = checkCompatibility(dir).find((r) => r.dataset === 'grid')!;
    expect(grid.problems).toEqual([]);
    expect(grid.released).toBe(false);
  });

  it('fails when a new required field has no default (old data cannot be read)', () => {
    const dir = schemaDir();
    edit(dir, 'grid', (s) => ({ ...s, fields: [...s.fields, { name: 'dc_tie_mw', type: 'double' }] }));
    const grid = checkCompatibility(dir).find((r) => r.dataset === 'grid')!;
    expect(grid.problems.join('\n')).toMatch(/current readers cannot read v1 data/);
  });

  it('fails when a field without default is removed (old readers cannot read new data)', () => {
    const dir = schemaDir();
    edit(dir, 'transactions', (s) => ({ ...s, fields: s.fields.filter((f) => f.name !== 'book') }));
    const tx = checkCompatibility(dir).find((r) => r.dataset === 'transactions')!;
    expect(tx.problems.join('\n')).toMatch(/v1 readers cannot read current data/);
  });

  it('fails when a field changes type incompatibly', () => {
    const dir = schemaDir();
    edit(dir, 'weather', (s) => ({
      ...s,
      fields: s.fields.map((f) => (f.name === 'location_id' ? { ...f, type: 'long' } : f)),
    }));
    const w = checkCompatibility(dir).find((r) => r.dataset === 'weather')!;
    expect(w.problems.length).toBe(4); // both directions against v1 and v2
  });

  it('exits non-zero from the CLI on a breaking change and names the dataset', () => {
    const dir = schemaDir();
    edit(dir, 'transactions', (s) => ({ ...s, fields: s.fields.filter((f) => f.name !== 'trader') }));
    const r = spawnSync(process.execPath, ['bin/gridstream.js', 'schemas', 'check', '--dir', dir], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}transactions: v1 readers cannot read current data/);
    expect(r.stdout).toMatch(/ok {4}grid/);
  });
});
