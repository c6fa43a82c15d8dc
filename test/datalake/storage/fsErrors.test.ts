import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LakeNotWritableError } from '../../../datalake/storage/errors.js';
import { lakeFsError } from '../../../datalake/storage/fsErrors.js';
import { tempDir } from '../../helpers/tempDir.js';

const dir = tempDir('fs-errors');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lakeFsError', () => {
  it('names the file standing where a folder must be, whatever deeper path the failed call used', () => {
    // Prepare: <lake>/raw is a file; a call on raw/grid/dt=…/hr=…/x.parquet fails with ENOTDIR on its own path.
    const lake = join(dir, 'lake');
    mkdirSync(lake, { recursive: true });
    writeFileSync(join(lake, 'raw'), 'not a folder');
    const deep = join(lake, 'raw', 'grid', 'dt=2026-12-05', 'hr=01', 'x.parquet');
    const err = Object.assign(new Error(`ENOTDIR: not a directory, open '${deep}'`), {
      code: 'ENOTDIR',
      path: deep,
    });
    // Act
    const e = lakeFsError('publishing', deep, lake, err);
    // Assess
    expect(e).toBeInstanceOf(LakeNotWritableError);
    expect(e.message).toContain(`has a file where a folder must be (ENOTDIR) (at ${join(lake, 'raw')})`);
  });

  it('keeps the path of other fatal codes as the call named it', () => {
    const path = join(dir, 'ro', 'raw');
    const err = Object.assign(new Error('EROFS'), { code: 'EROFS', path });
    expect(lakeFsError('publishing', path, dir, err).message).toContain(`(at ${path})`);
  });
});
