import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const repoRoot = new URL('../../', import.meta.url).pathname;

function gridstream(...args: string[]) {
  return spawnSync(process.execPath, ['bin/gridstream.js', ...args], { cwd: repoRoot, encoding: 'utf8' });
}

const commands = [
  'up',
  'produce',
  'seed',
  'deliver',
  'kinesis',
  'query',
  'curate',
  'schemas check',
  'schemas codegen',
  'schemas columns',
  'loadtest run',
  'loadtest reconcile',
  'loadtest validate',
  'loadtest plan',
];

describe('gridstream CLI', () => {
  it('lists every command in --help', () => {
    const r = gridstream('--help');
    expect(r.status).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`  ${c}`);
    expect(r.stdout).not.toContain('unavailable');
  });

  it.each(commands)('%s --help prints usage and exits 0', (c) => {
    const r = gridstream(...c.split(' '), '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: gridstream ${c}`);
    expect(r.stdout).toContain('--help');
  });

  it('rejects an unknown command with exit code 2', () => {
    const r = gridstream('nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "nope"');
  });

  it('rejects an unknown option naming it, with exit code 2', () => {
    const r = gridstream('schemas', 'columns', '--bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--bogus');
  });

  it('names the value received for a bad option value', () => {
    const r = gridstream('schemas', 'columns', '--dataset', 'solar');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('got "solar"');
  });

  it('loadtest: a missing SCENARIO is usage (exit 2), a bad scenario exit 2 naming it, before anything runs', () => {
    const missing = gridstream('loadtest', 'run');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('give exactly one SCENARIO');
    const unknown = gridstream('loadtest', 'run', 'no-such-scenario');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no-such-scenario');
    const valid = gridstream('loadtest', 'validate', 'smoke');
    expect(valid.status).toBe(0);
    expect(valid.stdout).toMatch(/smoke\.yaml: valid/);
  });

  it('prints the Glue columns of a dataset', () => {
    const r = gridstream('schemas', 'columns', '--dataset', 'grid', '--json');
    expect(r.status).toBe(0);
    const [grid] = JSON.parse(r.stdout) as { columns: { name: string; type: string }[] }[];
    expect(grid?.columns.find((c) => c.name === 'lmp_usd_mwh')?.type).toBe('double');
  });
});
