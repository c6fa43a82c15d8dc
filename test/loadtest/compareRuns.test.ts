import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changePercent, compareRuns, verdictOf } from '../../loadtest/report/compareRuns.js';
import type { RunSummary } from '../../loadtest/report/types.js';
import { writeSampleRun } from '../helpers/loadtestRun.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';

/** Two runs of smoke: B is A with the changes `change` makes to its summary.json. */
function twoRuns(change: (b: RunSummary & Record<string, unknown>) => void): { a: string; b: string } {
  const root = tempDir('compare');
  const a = join(root, 'a');
  const b = join(root, 'b');
  writeSampleRun(a, 'smoke');
  const summary = JSON.parse(JSON.stringify(writeSampleRun(b, 'smoke')));
  change(summary);
  writeFileSync(join(b, 'summary.json'), JSON.stringify(summary));
  return { a, b };
}

/** The row of a section whose label starts with `label`, split into its columns. */
function row(lines: readonly string[], section: string, label: string): string[] {
  const start = lines.indexOf(section);
  expect(start, `section ${section}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  const found = lines.slice(start, end < 0 ? undefined : end).find((l) => l.trim().startsWith(label));
  expect(found, `${label} in ${section}`).toBeDefined();
  return found!
    .trim()
    .slice(label.length)
    .trim()
    .split(/\s{2,}/);
}

describe('compareRuns', () => {
  it('puts each dataset measure, SLO, reconciliation count and process of two runs side by side', () => {
    // Prepare: B's grid put p99 doubled, a loss, the put SLO failed, the emulator lighter
    const { a, b } = twoRuns((s) => {
      const grid = s.datasets.grid as unknown as { put_latency_ms: { p99: number } };
      grid.put_latency_ms.p99 *= 2;
      (s.reconciliation as { lost: number }).lost = 3;
      const slo = s.slos.find((x) => x.metric === 'put_latency.p99') as { value: number; pass: boolean };
      slo.value = 9_000;
      slo.pass = false;
      (s.processes![2] as { rss_mib_max: number }).rss_mib_max = 100;
    });
    const summaryA = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as RunSummary;
    const p99 = summaryA.datasets.grid!.put_latency_ms!.p99;

    // Act
    const { lines, exitCode } = compareRuns(a, b);

    // Assess
    expect(exitCode).toBe(0);
    expect(lines[0]).toContain(`A: ${a} — smoke on embedded, pass`);
    expect(lines[1]).toContain(`B: ${b} — smoke on embedded`);
    for (const d of ['grid', 'weather', 'transactions']) expect(lines).toContain(`dataset ${d}`);
    const put = row(lines, 'dataset grid', 'put latency p99 ms');
    expect(put.slice(2)).toEqual(['+100%', 'worse']);
    expect(Number(put[0])).toBeCloseTo(p99, 0);
    expect(row(lines, 'dataset weather', 'put latency p99 ms').slice(2)).toEqual(['0%', 'same']);
    expect(row(lines, 'dataset grid', 'achieved ratio')).toEqual(['1', '1', '0%', 'same']);
    expect(row(lines, 'reconciliation', 'lost')).toEqual(['0', '3', 'n/a', 'worse']);
    expect(row(lines, 'reconciliation', 'sent').slice(2)).toEqual(['0%']);
    const slo = row(lines, 'SLOs', 'put_latency.p99 <= 5000 ms');
    expect(slo[1]).toBe('9000 FAIL');
    expect(slo[0]).toMatch(/ pass$/);
    expect(slo[3]).toBe('worse');
    expect(row(lines, 'processes', 'emulator RSS MiB max')).toEqual(['215', '100', '-53.5%', 'better']);
    expect(lines.some((l) => l.startsWith('note: different scenarios'))).toBe(false);
  });

  it('says when the runs are of different scenarios and shows what only one has', () => {
    const root = tempDir('compare-scenarios');
    writeSampleRun(join(root, 'a'), 'smoke');
    writeSampleRun(join(root, 'b'), 'steady-20k');

    const { lines, exitCode } = compareRuns(join(root, 'a'), join(root, 'b'));

    expect(exitCode).toBe(0);
    expect(lines).toContain('note: different scenarios (smoke, steady-20k)');
    expect(row(lines, 'SLOs', 'freshness.queryable.p99 <= 60k ms')).toEqual(['—', '— FAIL', '—']);
  });

  it.each([
    ['a folder without summary.json', (dir: string) => mkdirSync(dir), 'no such file'],
    [
      'a summary.json that is not JSON',
      (dir: string) => {
        mkdirSync(dir);
        writeFileSync(join(dir, 'summary.json'), '{"scenario": ');
      },
      'not JSON',
    ],
    [
      'a summary.json with an unknown verdict',
      (dir: string) => {
        const s = JSON.parse(JSON.stringify(writeSampleRun(dir, 'smoke')));
        s.verdict = 'ok';
        writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
      },
      'not a loadtest summary: /verdict',
    ],
  ])('exits 2 naming the file for %s', (_what, make, reason) => {
    const root = tempDir('compare-bad');
    writeSampleRun(join(root, 'good'), 'smoke');
    make(join(root, 'bad'));

    const { lines, exitCode } = compareRuns(join(root, 'good'), join(root, 'bad'));

    expect(exitCode).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${join(root, 'bad', 'summary.json')}: ${reason}`);
  });

  it('exits 2 for a folder that does not exist, naming it', () => {
    const root = tempDir('compare-missing');
    writeSampleRun(join(root, 'good'), 'smoke');
    const { lines, exitCode } = compareRuns(join(root, 'nope'), join(root, 'good'));
    expect(exitCode).toBe(2);
    expect(lines).toEqual([`${join(root, 'nope')}: no such file or folder`]);
  });
});

describe('gridstream loadtest compare RUN_A RUN_B', () => {
  const cli = (args: string[]) =>
    run(process.execPath, [join(REPO_ROOT, 'bin', 'gridstream.js'), 'loadtest', 'compare', ...args]);

  it('prints the comparison of two run folders, exit 0', async () => {
    const { a, b } = twoRuns((s) => {
      (s.reconciliation as { lost: number }).lost = 4;
    });
    const r = await cli([a, b]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `A: ${a} — smoke on embedded, pass, ${JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')).started_at} → ${JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')).ended_at}`,
    );
    expect(row(lines, 'reconciliation', 'lost')).toEqual(['0', '4', 'n/a', 'worse']);
    expect(r.stdout).toMatch(/^dataset grid$/m);
  });

  it('exits 2 naming the folder without a summary; usage errors exit 2', async () => {
    const root = tempDir('compare-cli');
    writeSampleRun(join(root, 'good'), 'smoke');
    mkdirSync(join(root, 'empty'));
    const r = await cli([join(root, 'good'), join(root, 'empty')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(root, 'empty', 'summary.json')}: no such file`);
    const one = await cli([join(root, 'good')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/give RUN_A and RUN_B, got 1/);
  });
});

describe('changePercent and verdictOf', () => {
  it.each([
    [100, 150, '+50.0%'],
    [200, 100, '-50.0%'],
    [5, 5, '0%'],
    [0, 3, 'n/a'],
    [10, 1_000, '+9900%'],
    [null, 3, '—'],
  ])('%s → %s is %s', (a, b, text) => expect(changePercent(a, b)).toBe(text));

  it('judges by the measure direction, within a tolerance', () => {
    expect(verdictOf(100, 90, 'lower')).toBe('better');
    expect(verdictOf(100, 90, 'higher')).toBe('worse');
    expect(verdictOf(100, 100.2, 'lower')).toBe('same');
    expect(verdictOf(100, 100.2, 'lower', 0)).toBe('worse');
    expect(verdictOf(100, 200, 'none')).toBe('');
    expect(verdictOf(undefined, 200, 'lower')).toBe('');
  });
});
