import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadtestError } from '../../loadtest/errors.js';
import { observeShards } from '../../loadtest/model/shardModel.js';
import { evaluateSlos } from '../../loadtest/report/evaluateSlos.js';
import {
  parseTimeSeries,
  REPORT_CHARTS,
  renderReport,
  writeReport,
} from '../../loadtest/report/renderReport.js';
import type { RunSummary } from '../../loadtest/report/types.js';
import { launchBrowser } from '../helpers/browser.js';
import { writeSampleRun } from '../helpers/loadtestRun.js';
import { tempDir } from '../helpers/tempDir.js';

/** What a page shows: console errors, requests it tried, and per chart its drawn series. */
async function openReport(browser: Browser, file: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (req) => {
    if (!req.url().startsWith('file:')) requests.push(req.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const charts = await page.$$eval('figure.chart', (figures) =>
    figures.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return {
        id: f.getAttribute('data-chart'),
        width: box?.width ?? 0,
        series: [...f.querySelectorAll('path.series')].map((p) => ({
          name: p.getAttribute('data-series'),
          segments: ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length,
          length: (p as unknown as { getTotalLength(): number }).getTotalLength(),
        })),
      };
    }),
  );
  const sloRows = await page.$$eval('table.slos tr', (rows) => rows.length - 1);
  const shardRows = await page.$$eval('table.shard-detail tr', (rows) => rows.length - 1);
  const verdict = await page.$eval('.verdict', (e) => e.textContent);
  await page.close();
  return { errors, requests, charts, sloRows, shardRows, verdict };
}

describe('report.html in a real headless browser (system chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens offline with no console error, every chart drawn with data, the SLO table complete', async () => {
    // Prepare
    const dir = tempDir('report');
    const summary = writeSampleRun(dir, 'smoke');
    // Act
    const file = writeReport(dir);
    const shown = await openReport(browser, file);
    // Assess
    expect(shown.errors).toEqual([]);
    expect(shown.requests).toEqual([]);
    expect(shown.charts.map((c) => c.id)).toEqual([...REPORT_CHARTS]);
    for (const chart of shown.charts) {
      expect(chart.width, `${chart.id} has no size`).toBeGreaterThan(200);
      expect(chart.series.length, `${chart.id} draws no series`).toBeGreaterThan(0);
      for (const s of chart.series) {
        expect(s.segments, `${chart.id} / ${s.name}`).toBeGreaterThan(2);
        expect(s.length, `${chart.id} / ${s.name}`).toBeGreaterThan(0);
      }
    }
    const rate = shown.charts.find((c) => c.id === 'rate')!;
    expect(rate.series.map((s) => s.name)).toEqual(
      expect.arrayContaining(['grid asked', 'grid achieved', 'transactions achieved']),
    );
    expect(shown.charts.find((c) => c.id === 'rss')!.series.map((s) => s.name)).toEqual([
      'coordinator',
      'load-0',
      'emulator',
      'delivery',
    ]);
    expect(shown.sloRows).toBe(summary.slos.length);
    // The shard model beside the throttles seen: one row per predicted shard.
    expect(shown.shardRows).toBe(
      Object.values(summary.shards!).reduce((n, p) => n + (p.observed?.byShard?.length ?? 0), 0),
    );
    expect(shown.verdict).toBe('PASS');
  });

  it('a chart without data says so, and the page still has no error', async () => {
    const dir = tempDir('report-empty');
    writeSampleRun(dir, 'smoke');
    const ts = join(dir, 'timeseries.jsonl');
    writeFileSync(
      ts,
      readFileSync(ts, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('"kind":"stream"'))
        .join('\n'),
    );
    const shown = await openReport(browser, writeReport(dir));
    expect(shown.errors).toEqual([]);
    expect(shown.charts.find((c) => c.id === 'iterator-age')!.series).toEqual([]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('no data recorded');
  });
});

describe('report content', () => {
  it('escapes names, shows a failed SLO and an interrupted verdict, loads nothing from outside', () => {
    const dir = tempDir('report-text');
    const summary = writeSampleRun(dir, 'smoke');
    const { slos } = evaluateSlos(
      [{ name: '<b>lost</b>', metric: 'reconciliation.lost', max: 0, abort: false }],
      () => 3,
    );
    const html = renderReport(
      { ...summary, verdict: 'interrupted', slos } satisfies RunSummary,
      parseTimeSeries(readFileSync(join(dir, 'timeseries.jsonl'), 'utf8')),
    );
    expect(html).toContain('&#60;b&#62;lost&#60;/b&#62;');
    expect(html).toContain('FAIL');
    expect(html).toContain('INTERRUPTED');
    expect(html).not.toMatch(/<script|https?:\/\/|<link /);
  });

  it('shows where the shard model missed: a shard throttled that was predicted under its limits', () => {
    const dir = tempDir('report-shards');
    const summary = writeSampleRun(dir, 'smoke');
    const [dataset, p] = Object.entries(summary.shards!)[0]!;
    expect(p.shards[0]!.overLimit).toBe(false);
    const observed = observeShards(p, 40, { [p.shards[0]!.shardId]: 40 });
    const html = renderReport(
      { ...summary, shards: { [dataset]: { ...p, observed } } } satisfies RunSummary,
      parseTimeSeries(readFileSync(join(dir, 'timeseries.jsonl'), 'utf8')),
    );
    expect(observed.agrees).toBe(false);
    expect(html).toMatch(/Per shard: predicted beside throttled/);
    expect(html).toMatch(new RegExp(`<td>${p.shards[0]!.shardId}</td>.*?<span class="miss">no</span>`));
    expect(html).toMatch(/<span class="miss">missed<\/span>/);
  });

  it('refuses a time-series line that is not a point, naming the line', () => {
    expect(() => parseTimeSeries('{"kind":"load","t":1}\n{"kind":"x"}\n', 'ts.jsonl')).toThrow(LoadtestError);
    expect(() => parseTimeSeries('{"kind":"load","t":1}\nnot json\n', 'ts.jsonl')).toThrow(/ts\.jsonl:2/);
  });

  it('an SLO the run could not measure fails; both bounds give a row each', () => {
    const r = evaluateSlos(
      [
        { name: 'fresh', metric: 'freshness.raw.p99', max: 10_000, abort: false },
        { name: 'ratio', metric: 'rate.achieved_ratio', min: 0.9, max: 1, abort: false },
      ],
      (m) => (m === 'rate.achieved_ratio' ? 0.95 : undefined),
    );
    expect(r.verdict).toBe('fail');
    expect(r.slos.map((s) => [s.name, s.op, s.pass, s.unit])).toEqual([
      ['fresh', '<=', false, 'ms'],
      ['ratio', '<=', true, 'ratio'],
      ['ratio', '>=', true, 'ratio'],
    ]);
  });
});
