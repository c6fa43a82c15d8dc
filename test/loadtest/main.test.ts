import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadtestMain } from '../../loadtest/main.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';

function runMain(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'loadtest', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
}

describe('loadtest validate|plan', () => {
  it('exits 2 on a bad scenario, naming file:line, key and value on stderr', () => {
    const dir = tempDir('main');
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'target: { kind: embedded }\ndatasets:\n  grid:\n    late_share: 2\n    profile: [{ kind: constant, rate: 5, duration: 1s }]\n',
    );
    const r = runMain('validate', file);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${file}:4: datasets.grid.late_share = 2: must be a fraction in [0, 1]`);
    expect(r.stdout).toBe('');
  });

  it('exits 0 on a shipped scenario, and 2 on usage errors', () => {
    const ok = runMain('validate', 'smoke');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/smoke\.yaml: valid \(grid, weather, transactions; 7 thresholds\)/);
    const lines: string[] = [];
    expect(loadtestMain(['run'], undefined, (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/^usage:/);
  });

  it('plans a scenario before any load: events, hottest shard, skew, cost with the price date', () => {
    const out: string[] = [];
    expect(loadtestMain(['plan', 'spike-storm'], (l) => out.push(l))).toBe(0);
    expect(out[0]).toBe('scenario spike-storm: 5m30s of load');
    expect(out.find((l) => l.startsWith('grid:'))).toMatch(
      /2,040,000 events, peak 24,000\/s; 4 shard\(s\), hottest shardId-\d+ .* over the limit/,
    );
    expect(out.at(-1)).toMatch(
      /^cost on AWS \(us-east-1, prices as of \d{4}-\d{2}-\d{2}\): [\d.]+ USD\/hour, [\d.]+ USD per million events/,
    );
  });
});
