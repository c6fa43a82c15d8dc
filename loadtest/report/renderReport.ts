import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../common/packageRoot.js';
import { LoadtestError } from '../errors.js';
import { escapeHtml, formatNumber, lineChart } from './svgChart.js';
import type {
  DatasetStats,
  LoadPoint,
  ProcessPoint,
  RunSummary,
  StreamPoint,
  TimeSeriesPoint,
} from './types.js';

/** Files of a run folder the report is made from and written to. */
export const RUN_FILES = {
  summary: 'summary.json',
  timeSeries: 'timeseries.jsonl',
  report: 'report.html',
} as const;

/** The JSON Schema of summary.json (docs/LOADTEST.md describes each field). */
export const SUMMARY_SCHEMA_FILE = join(PACKAGE_ROOT, 'loadtest', 'report', 'summary.schema.json');

/** The charts of every report, by `data-chart` id. */
export const REPORT_CHARTS = [
  'rate',
  'put-latency',
  'freshness',
  'throttles',
  'iterator-age',
  'cpu',
  'rss',
] as const;

/**
 * Reads timeseries.jsonl text (one JSON object per line; blank lines ignored).
 *
 * @param text - the file's text
 * @param file - its name, for errors
 * @throws LoadtestError naming the line that is not a time-series point
 */
export function parseTimeSeries(text: string, file: string = RUN_FILES.timeSeries): TimeSeriesPoint[] {
  const out: TimeSeriesPoint[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let p: TimeSeriesPoint;
    try {
      p = JSON.parse(line) as TimeSeriesPoint;
    } catch (err) {
      throw new LoadtestError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    if (!['load', 'stream', 'process'].includes(p?.kind) || typeof p.t !== 'number') {
      throw new LoadtestError(
        `${file}:${i + 1}: not a time-series point (kind load|stream|process and a time t): ${line.slice(0, 80)}`,
      );
    }
    out.push(p);
  }
  return out;
}

type Points = [number, number][];

function group<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/**
 * The report of a run as one self-contained HTML page: inline CSS and SVG, no script, no external
 * resource (a Content-Security-Policy forbids any), so it opens offline and can be archived or mailed.
 * Charts: rate asked vs achieved, PutRecords latency and freshness percentiles over time, throttles and
 * retries, iterator age, CPU and RSS per process; tables: SLOs, reconciliation, datasets and stages,
 * processes (which hit which limit), shard prediction, cost.
 *
 * @param summary - summary.json
 * @param points - timeseries.jsonl
 */
export function renderReport(summary: RunSummary, points: readonly TimeSeriesPoint[]): string {
  const t0 = points.reduce((m, p) => Math.min(m, p.t), Number.POSITIVE_INFINITY);
  const x = (t: number): number => (t - t0) / 1000;
  const load = points.filter((p): p is LoadPoint => p.kind === 'load');
  const streams = points.filter((p): p is StreamPoint => p.kind === 'stream');
  const processes = points.filter((p): p is ProcessPoint => p.kind === 'process');
  const byDataset = group(load, (p) => p.dataset);
  const series = (
    name: string,
    list: readonly LoadPoint[],
    value: (p: LoadPoint) => number | undefined,
    dashed = false,
  ) => {
    const pts: Points = [];
    for (const p of list) {
      const v = value(p);
      if (v !== undefined) pts.push([x(p.t), v]);
    }
    return { name, points: pts, dashed };
  };
  const perDataset = (f: (d: string, list: LoadPoint[]) => ReturnType<typeof series>[]) =>
    [...byDataset].flatMap(([d, list]) => f(d, list));
  const charts = [
    lineChart({
      id: 'rate',
      title: 'Rate asked (dashed) vs achieved',
      unit: 'events/s',
      series: perDataset((d, l) => [
        series(`${d} asked`, l, (p) => p.asked_rate, true),
        series(`${d} achieved`, l, (p) => p.achieved_rate),
      ]),
    }),
    lineChart({
      id: 'put-latency',
      title: 'PutRecords latency from the intended send time, p50 and p99',
      unit: 'ms',
      series: perDataset((d, l) => [
        series(`${d} p50`, l, (p) => p.put_latency_ms?.p50),
        series(`${d} p99`, l, (p) => p.put_latency_ms?.p99),
      ]),
    }),
    lineChart({
      id: 'freshness',
      title: 'Freshness: intended send → durable in raw, → queryable (p99)',
      unit: 'ms',
      series: perDataset((d, l) => [
        series(`${d} raw p99`, l, (p) => p.freshness_raw_ms?.p99),
        series(`${d} queryable p99`, l, (p) => p.freshness_queryable_ms?.p99),
      ]),
    }),
    lineChart({
      id: 'throttles',
      title: 'Throttled entries and retries per interval',
      unit: 'count',
      series: perDataset((d, l) => [
        series(`${d} throttles`, l, (p) => p.throttles),
        series(`${d} retries`, l, (p) => p.retries, true),
      ]),
    }),
    lineChart({
      id: 'iterator-age',
      title: 'Consumer iterator age',
      unit: 'ms',
      series: [...group(streams, (p) => p.dataset)].map(([d, l]) => ({
        name: d,
        points: l.map((p): [number, number] => [x(p.t), p.iterator_age_ms]),
      })),
    }),
    lineChart({
      id: 'cpu',
      title: 'CPU per process',
      unit: '% of one core',
      series: [...group(processes, (p) => p.name)].map(([n, l]) => ({
        name: n,
        points: l.map((p): [number, number] => [x(p.t), p.cpu_percent]),
      })),
    }),
    lineChart({
      id: 'rss',
      title: 'Resident memory per process',
      unit: 'MiB',
      series: [...group(processes, (p) => p.name)].map(([n, l]) => ({
        name: n,
        points: l.map((p): [number, number] => [x(p.t), p.rss_mib]),
      })),
    }),
  ];
  const title = `gridstream load test — ${summary.scenario}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1>
<p><span class="verdict ${escapeHtml(summary.verdict)}">${escapeHtml(summary.verdict.toUpperCase())}</span>
target <b>${escapeHtml(summary.target)}</b> · ${escapeHtml(summary.started_at)} → ${escapeHtml(summary.ended_at)}</p></header>
<section><h2>SLOs</h2>${sloTable(summary)}</section>
<section><h2>Reconciliation</h2>${reconciliationTable(summary)}</section>
<section><h2>Datasets</h2>${datasetTable(summary)}</section>
${summary.knee ? `<section><h2>Knee</h2><p>${escapeHtml(summary.knee.dataset)}: every named threshold held up to <b>${formatNumber(summary.knee.rate)} events/s</b>; broke: ${escapeHtml(summary.knee.broke.join(', ') || 'none')}</p></section>` : ''}
<section><h2>Over time</h2>${charts.join('\n')}</section>
${processTable(summary)}
${shardTable(summary)}
${costTable(summary)}
<footer>summary.json and timeseries.jsonl beside this file hold every number shown (docs/LOADTEST.md).</footer>
</body></html>
`;
}

/**
 * Writes `report.html` into a run folder from its summary.json and timeseries.jsonl.
 *
 * @param runDir - the run folder
 * @returns the report's path
 */
export function writeReport(runDir: string): string {
  const summary = JSON.parse(readFileSync(join(runDir, RUN_FILES.summary), 'utf8')) as RunSummary;
  const file = join(runDir, RUN_FILES.timeSeries);
  const points = parseTimeSeries(readFileSync(file, 'utf8'), file);
  const out = join(runDir, RUN_FILES.report);
  writeFileSync(out, renderReport(summary, points));
  return out;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f6f6f6}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600;margin-right:8px}
.verdict.pass,.ok{background:#2e7d32}.verdict.fail,.bad{background:#c62828}.verdict.interrupted{background:#ef6c00}
td.ok,td.bad{color:#fff;text-align:center}.miss{color:#c62828;font-weight:600}
figure{margin:18px 0}figcaption{font-weight:600}.unit{font-weight:400;color:#666}
svg{width:100%;height:auto;display:block}svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .tick{font-size:11px;fill:#666}
svg .series{fill:none;stroke-width:1.6}.legend{font-size:12px}.key{margin-right:14px}.key i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
.nodata{color:#888;font-style:italic}footer{margin-top:32px;color:#777;font-size:12px}`;

function row(cells: readonly string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

function num(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function sloTable(s: RunSummary): string {
  if (s.slos.length === 0) return '<p>no thresholds</p>';
  const rows = s.slos.map(
    (slo) =>
      `<tr><td>${escapeHtml(slo.name)}</td><td>${escapeHtml(slo.metric)}</td><td>${escapeHtml([slo.dataset, slo.stage].filter(Boolean).join(' / ') || 'all')}</td><td>${slo.op} ${num(slo.threshold, 3)} ${escapeHtml(slo.unit)}</td><td>${num(slo.value, 3)} ${escapeHtml(slo.unit)}</td><td class="${slo.pass ? 'ok' : 'bad'}">${slo.pass ? 'pass' : 'FAIL'}</td></tr>`,
  );
  return `<table class="slos">${row(['name', 'metric', 'scope', 'threshold', 'value', ''], true)}${rows.join('')}</table>`;
}

function reconciliationTable(s: RunSummary): string {
  const r = s.reconciliation;
  const cells: [string, number | undefined][] = [
    ['sent', r.sent],
    ['found in raw', r.found_raw],
    ['lost', r.lost],
    ['duplicated in raw', r.duplicated_raw],
    ['duplicated in curated', r.duplicated_curated],
    ['misplaced', r.misplaced],
    ['late', r.late],
    ['quarantined', r.quarantined],
  ];
  return `<table class="reconciliation">${cells
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => row([k, num(v)]))
    .join('')}</table>`;
}

function statsRow(name: string, d: DatasetStats): string {
  return row([
    escapeHtml(name),
    num(d.asked),
    num(d.acknowledged),
    `${num(d.achieved_ratio * 100, 1)} %`,
    num(d.throttles),
    num(d.put_latency_ms?.p50, 1),
    num(d.put_latency_ms?.p99, 1),
    num(d.freshness_ms?.raw?.p99),
    num(d.freshness_ms?.queryable?.p99),
    num(d.generator_lag_ms?.max),
  ]);
}

function datasetTable(s: RunSummary): string {
  const rows: string[] = [];
  for (const [name, d] of Object.entries(s.datasets)) {
    rows.push(statsRow(name, d));
    for (const [stage, st] of Object.entries(d.stages ?? {})) rows.push(statsRow(`  ${name} / ${stage}`, st));
  }
  const head = [
    'dataset / stage',
    'asked',
    'acknowledged',
    'achieved',
    'throttles',
    'put p50 ms',
    'put p99 ms',
    'raw p99 ms',
    'queryable p99 ms',
    'max lag ms',
  ];
  return `<table class="datasets">${row(head, true)}${rows.join('')}</table>`;
}

function processTable(s: RunSummary): string {
  if (!s.processes?.length) return '';
  const rows = s.processes.map((p) =>
    row([
      escapeHtml(p.name),
      escapeHtml(p.role),
      num(p.pid),
      num(p.cpu_percent_max, 1),
      num(p.rss_mib_max, 1),
      escapeHtml(p.limit ?? '–'),
    ]),
  );
  return `<section><h2>Processes</h2><table class="processes">${row(['process', 'role', 'pid', 'max CPU %', 'max RSS MiB', 'limit hit'], true)}${rows.join('')}</table></section>`;
}

function shardTable(s: RunSummary): string {
  if (!s.shards) return '';
  const entries = Object.entries(s.shards);
  const rows = entries.map(([d, p]) =>
    row([
      escapeHtml(d),
      num(p.shards.length),
      escapeHtml(p.hottest),
      num(Math.max(...p.shards.map((x) => x.utilisation)) * 100, 1),
      num(p.skew, 2),
      num(p.excessShare * 100, 2),
      num(p.shardsNeededEven),
      p.observed ? num(p.observed.throttles) : '–',
      p.observed
        ? p.observed.agrees
          ? 'held'
          : `<span class="miss">missed</span>`
        : 'not checked (no known limits: embedded without enforce_shard_limits, a kinesis endpoint, Kafka)',
    ]),
  );
  // Per shard, where the target counted throttles per shard (the emulator enforcing the limits).
  const perShard = entries.flatMap(([d, p]) =>
    (p.observed?.byShard ?? []).map((x) =>
      row([
        escapeHtml(d),
        escapeHtml(x.shardId),
        num(x.predictedUtilisation * 100, 1),
        x.predictedThrottling ? 'yes' : 'no',
        num(x.throttles),
        x.agrees ? 'yes' : `<span class="miss">no</span>`,
      ]),
    ),
  );
  const detail =
    perShard.length === 0
      ? ''
      : `<h3>Per shard: predicted beside throttled</h3><table class="shard-detail">${row(['dataset', 'shard', 'predicted % of limit', 'predicted to throttle', 'throttled Kinesis records', 'agrees'], true)}${perShard.join('')}</table>`;
  return `<section><h2>Shard model (predicted at peak) and throttles seen</h2><table class="shards">${row(['dataset', 'shards', 'hottest', 'hottest % of limit', 'skew', '% over limit', 'shards if even', 'throttled (sinks)', 'prediction'], true)}${rows.join('')}</table>${detail}</section>`;
}

function costTable(s: RunSummary): string {
  const c = s.cost;
  if (!c) return '';
  const rows = c.lines.map((l) =>
    row([
      escapeHtml(`${l.service}: ${l.item}`),
      num(l.quantity, 3),
      escapeHtml(l.unit),
      num(l.unitPrice, 4),
      num(l.cost, 4),
    ]),
  );
  return `<section><h2>Cost on AWS (${escapeHtml(c.region)}, prices as of ${escapeHtml(c.asOf)})</h2>
<p><b>${num(c.perHour, 2)} ${escapeHtml(c.currency)}/hour</b> · <b>${num(c.perMillionEvents, 3)} ${escapeHtml(c.currency)} per million events</b> · ${num(c.total, 2)} ${escapeHtml(c.currency)} for the ${num(c.hours, 2)} h profile</p>
<table class="cost">${row(['item', 'quantity', 'unit', 'unit price', 'cost'], true)}${rows.join('')}</table></section>`;
}
