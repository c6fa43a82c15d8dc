import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const checker = join(root, 'scripts', 'checkDependencies.mjs');

function check(dir?: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, dir ? [checker, dir] : [checker], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('the dependency rule (scripts/checkDependencies.mjs, the `dependencies` phase of npm test)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gridstream-deps-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(join(scratch, 'tree-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it('passes on the repository', () => {
    const r = check();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses a wrong-way import, naming the file, the line and the rule', () => {
    const dir = tree({
      'producers/kinesis/Sink.ts': 'export const x = 1;\n',
      'stream-processors/delivery/Worker.ts':
        "import { KPL } from '../../kinesis/kpl.js';\nimport { x } from '../../producers/kinesis/Sink.js';\n",
      'kinesis/kpl.ts': 'export const KPL = 1;\n',
    });
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'stream-processors/delivery/Worker.ts:2: imports ../../producers/kinesis/Sink.js',
    );
    expect(r.stderr).toContain('stream-processors/ may not import producers/');
    // The allowed import on line 1 is not reported.
    expect(r.stderr).not.toContain('Worker.ts:1');
  });

  it('refuses kinesalite and DuckDB outside the units that own them, and a unit importing upwards', () => {
    const dir = tree({
      'producers/emu.ts': "import kinesalite from 'kinesalite';\n",
      'stream-processors/w.ts': "import { DuckDBInstance } from '@duckdb/node-api';\n",
      'common/c.ts': "export { x } from '../schemas/s.js';\n",
      'schemas/s.ts': 'export const x = 1;\n',
      'local/ok.ts': "import kinesalite from 'kinesalite';\nimport { x } from '../schemas/s.js';\n",
    });
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'producers/emu.ts:1: imports kinesalite (only local, cli, loadtest, test may import',
    );
    expect(r.stderr).toContain('stream-processors/w.ts:1: imports @duckdb/node-api');
    expect(r.stderr).toContain('common/c.ts:1: imports ../schemas/s.js (common/ may not import schemas/');
    expect(r.stderr).not.toContain('local/ok.ts');
    expect(r.stderr).toContain('3 import(s) break the dependency rule');
  });
});
