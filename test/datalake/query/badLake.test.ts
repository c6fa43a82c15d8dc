import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCliInProcess } from '../../helpers/cliInProcess.js';
import { tempDir } from '../../helpers/tempDir.js';

/** A `--lake` path of each kind that holds no lake, and what must stay true of it afterwards. */
const NOT_A_LAKE = [
  ['a path that does not exist', (dir: string) => join(dir, 'no-such-lake')],
  ['an empty directory', (dir: string) => dir],
  [
    'a directory of other files',
    (dir: string) => {
      mkdirSync(join(dir, 'notes'));
      writeFileSync(join(dir, 'README.txt'), 'not a lake');
      return dir;
    },
  ],
  [
    'a file',
    (dir: string) => {
      writeFileSync(join(dir, 'lake'), 'x');
      return join(dir, 'lake');
    },
  ],
] as const;

describe.each([
  ['query', ['select count(*) as n from raw_grid']],
  ['curate', []],
] as const)('gridstream %s --lake on a path holding no lake', (command, rest) => {
  it.each(NOT_A_LAKE)('%s: says so, exits 2 and creates nothing', async (_kind, make) => {
    // Prepare
    const dir = tempDir('bad-lake');
    const lake = make(dir);
    const before = existsSync(dir) ? readdirSync(dir, { recursive: true }).sort() : [];
    // Act
    const r = await runCliInProcess([command, '--lake', lake, ...rest]);
    // Assess
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${JSON.stringify(lake)} holds no lake`);
    expect(r.err).toMatch(/check --lake/);
    expect(r.out).toBe('');
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
  });

  it('accepts a lake that has only delivery checkpoints so far', async () => {
    const lake = tempDir('checkpoints-only');
    mkdirSync(join(lake, '_checkpoints'));
    const r = await runCliInProcess([command, '--lake', lake, ...rest]);
    expect(r.code, r.err).toBe(0);
  });
});

describe('gridstream curate --lake s3://…', () => {
  it('is refused with exit 2, saying why and what to use, without creating a local folder', async () => {
    const cwd = tempDir('curate-s3');
    const spy = vi.spyOn(process, 'cwd').mockReturnValue(cwd);
    try {
      const r = await runCliInProcess(['curate', '--lake', 's3://gridstream-lake/dev']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--lake must be a local lake directory, got "s3://gridstream-lake/dev"');
      expect(r.err).toMatch(/curated by the Glue jobs/);
    } finally {
      spy.mockRestore();
    }
    expect(existsSync('s3:')).toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
