import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUMMARY_SCHEMA_FILE } from '../../loadtest/report/renderReport.js';
import { validateJson } from '../../schemas/index.js';
import { writeSampleRun } from '../helpers/loadtestRun.js';
import { tempDir } from '../helpers/tempDir.js';

// biome-ignore lint/suspicious/noExplicitAny: a summary as parsed JSON; each case pokes one field.
type Doc = Record<string, any>;

const schema = JSON.parse(readFileSync(SUMMARY_SCHEMA_FILE, 'utf8'));

describe('summary.json schema', () => {
  it('accepts the summary a run writes', () => {
    const dir = tempDir('summary');
    writeSampleRun(dir, 'smoke');
    const written = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(validateJson(schema, written)).toEqual([]);
  });

  it.each([
    ['an unknown verdict', (s: Doc) => (s.verdict = 'ok'), '/verdict'],
    ['a negative loss', (s: Doc) => (s.reconciliation.lost = -1), '/reconciliation/lost'],
    ['no lost count', (s: Doc) => delete s.reconciliation.lost, '/reconciliation'],
    ['an SLO without pass', (s: Doc) => delete s.slos[0].pass, '/slos/0'],
    ['an unknown dataset', (s: Doc) => (s.datasets.power = s.datasets.grid), '/datasets'],
  ])('rejects %s at its path', (_what, change, path) => {
    const dir = tempDir('summary-bad');
    const summary = JSON.parse(JSON.stringify(writeSampleRun(dir, 'smoke')));
    change(summary);
    expect(validateJson(schema, summary).map((i) => i.path)).toContain(path);
  });
});
