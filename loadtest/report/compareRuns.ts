import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../common/abortOnSignals.js';
import { validateJson } from '../../schemas/index.js';
import { RUN_FILES, SUMMARY_SCHEMA_FILE } from './renderReport.js';
import { formatNumber } from './svgChart.js';
import type { DatasetStats, Percentiles, RunSummary, SloResult } from './types.js';

/** What {@link compareRuns} prints and the exit code of `gridstream loadtest compare`. */
export interface CompareResult {
  /** The comparison (exit code 0), or the error naming the file and what is wrong (exit code 2). */
  readonly lines: string[];
  /** 0: compared; 2: a run folder holds no valid summary.json. */
  readonly exitCode: 0 | 2;
}

/** Which way a measure is better: lower, higher, or neither (a count that only describes the run). */
export type Direction = 'lower' | 'higher' | 'none';

/** A row of a comparison table: a measure, its two values, and which way is better. */
interface Row {
  readonly label: string;
  readonly a: number | null | undefined;
  readonly b: number | null | undefined;
  readonly better: Direction;
  /** Shown after a value, e.g. ` (fail)`. */
  readonly noteA?: string;
  readonly noteB?: string;
  /** Relative change within which B counts as the same as A (run-to-run noise). @default 0.005 */
  readonly tolerance?: number;
}

/** Relative change below which a measured value is called the same (0.5 %): percentiles and rates jitter. */
export const COMPARE_TOLERANCE = 0.005;

/** A run folder's summary.json, or why it is not there or not valid. */
export type SummaryRead =
  | { readonly ok: true; readonly file: string; readonly summary: RunSummary }
  | { readonly ok: false; readonly file: string; readonly error: string };

/**
 * Reads and validates a run folder's summary.json against its JSON Schema.
 *
 * @param run - a run folder, or a summary.json file
 * @returns the summary, or the file and what is wrong with it
 */
export function readRunSummary(run: string): SummaryRead {
  const file = existsSync(run) && statSync(run).isDirectory() ? join(run, RUN_FILES.summary) : run;
  if (!existsSync(file)) {
    return {
      ok: false,
      file,
      error: existsSync(run)
        ? 'no such file (not a run folder, or the run has not finished)'
        : 'no such file or folder',
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, file, error: `not JSON: ${(e as Error).message}` };
  }
  const schema = JSON.parse(readFileSync(SUMMARY_SCHEMA_FILE, 'utf8'));
  const issues = validateJson(schema, doc);
  if (issues.length > 0) {
    const shown = issues.slice(0, 3).map((i) => `${i.path || '(document)'}: ${i.message}`);
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    return { ok: false, file, error: `not a loadtest summary: ${shown.join('; ')}${more}` };
  }
  return { ok: true, file, summary: doc as RunSummary };
}

/**
 * Compares two runs' summary.json: per dataset (rates, throttles, latency and freshness percentiles),
 * per SLO, the reconciliation and the processes, each as value A, value B, change (%) and whether B is
 * better or worse than A.
 *
 * @param runA - the baseline run folder (or its summary.json)
 * @param runB - the run compared with it
 * @returns the table lines and the exit code (2 when either folder holds no valid summary.json)
 * @example
 * ```ts
 * const { lines, exitCode } = compareRuns('loadtest-runs/smoke-20261205T0300Z', 'loadtest-runs/smoke-20261205T0400Z');
 * for (const l of lines) console.log(l);
 * ```
 */
export function compareRuns(runA: string, runB: string): CompareResult {
  const readA = readRunSummary(runA);
  const readB = readRunSummary(runB);
  const errors = [readA, readB].flatMap((r) => (r.ok ? [] : [`${r.file}: ${r.error}`]));
  if (!readA.ok || !readB.ok) return { lines: errors, exitCode: EXIT_CODES.usage };
  const a = readA.summary;
  const b = readB.summary;
  const lines = [
    `A: ${runA} — ${a.scenario} on ${a.target}, ${a.verdict}, ${a.started_at} → ${a.ended_at}`,
    `B: ${runB} — ${b.scenario} on ${b.target}, ${b.verdict}, ${b.started_at} → ${b.ended_at}`,
  ];
  if (a.scenario !== b.scenario) lines.push(`note: different scenarios (${a.scenario}, ${b.scenario})`);

  const datasets = union(Object.keys(a.datasets), Object.keys(b.datasets));
  for (const d of datasets) {
    lines.push(
      '',
      `dataset ${d}${a.datasets[d] ? '' : ' (only in B)'}${b.datasets[d] ? '' : ' (only in A)'}`,
    );
    lines.push(...table(datasetRows(a.datasets[d], b.datasets[d])));
  }

  lines.push('', 'SLOs');
  lines.push(...table(sloRows(a.slos, b.slos)));

  lines.push('', 'reconciliation');
  const keys = [
    'sent',
    'found_raw',
    'lost',
    'duplicated_raw',
    'duplicated_curated',
    'misplaced',
    'late',
    'quarantined',
  ] as const;
  lines.push(
    ...table(
      keys.map((k) => ({
        label: k,
        a: a.reconciliation[k],
        b: b.reconciliation[k],
        better: k === 'sent' || k === 'found_raw' || k === 'late' ? 'none' : 'lower',
        tolerance: 0,
      })),
    ),
  );

  const processes = union(
    (a.processes ?? []).map((p) => p.name),
    (b.processes ?? []).map((p) => p.name),
  );
  if (processes.length > 0) {
    lines.push('', 'processes');
    const rows: Row[] = [];
    for (const name of processes) {
      const pa = a.processes?.find((p) => p.name === name);
      const pb = b.processes?.find((p) => p.name === name);
      rows.push({
        label: `${name} CPU % max`,
        a: pa?.cpu_percent_max,
        b: pb?.cpu_percent_max,
        better: 'lower',
      });
      rows.push({ label: `${name} RSS MiB max`, a: pa?.rss_mib_max, b: pb?.rss_mib_max, better: 'lower' });
    }
    lines.push(...table(rows));
  }

  if (a.knee || b.knee || a.cost || b.cost) {
    lines.push('', 'other');
    const rows: Row[] = [];
    if (a.knee || b.knee)
      rows.push({ label: 'knee events/s', a: a.knee?.rate, b: b.knee?.rate, better: 'higher' });
    if (a.cost || b.cost) {
      rows.push({ label: 'cost USD/hour', a: a.cost?.perHour, b: b.cost?.perHour, better: 'lower' });
      rows.push({
        label: 'cost USD/M events',
        a: a.cost?.perMillionEvents,
        b: b.cost?.perMillionEvents,
        better: 'lower',
      });
    }
    lines.push(...table(rows));
  }
  return { lines, exitCode: EXIT_CODES.ok };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function datasetRows(a: DatasetStats | undefined, b: DatasetStats | undefined): Row[] {
  const rows: Row[] = [
    { label: 'asked', a: a?.asked, b: b?.asked, better: 'none' },
    { label: 'acknowledged', a: a?.acknowledged, b: b?.acknowledged, better: 'none' },
    { label: 'achieved ratio', a: a?.achieved_ratio, b: b?.achieved_ratio, better: 'higher' },
    { label: 'throttles', a: a?.throttles, b: b?.throttles, better: 'lower' },
    { label: 'retries', a: a?.retries, b: b?.retries, better: 'lower' },
    { label: 'expirations', a: a?.expirations, b: b?.expirations, better: 'lower', tolerance: 0 },
  ];
  const pct = (label: string, pa: Percentiles | undefined, pb: Percentiles | undefined): void => {
    if (!pa && !pb) return;
    for (const k of ['p50', 'p99', 'max'] as const)
      rows.push({ label: `${label} ${k} ms`, a: pa?.[k], b: pb?.[k], better: 'lower' });
  };
  pct('put latency', a?.put_latency_ms, b?.put_latency_ms);
  for (const stage of ['sent', 'acknowledged', 'raw', 'queryable'] as const)
    pct(`freshness ${stage}`, a?.freshness_ms?.[stage], b?.freshness_ms?.[stage]);
  if (a?.generator_lag_ms || b?.generator_lag_ms)
    rows.push({
      label: 'generator lag p99 ms',
      a: a?.generator_lag_ms?.p99,
      b: b?.generator_lag_ms?.p99,
      better: 'lower',
    });
  return rows;
}

/** An SLO's identity across runs: name, bound direction and scope. */
function sloKey(s: SloResult): string {
  return `${s.name}\u0000${s.op}\u0000${s.dataset ?? ''}\u0000${s.stage ?? ''}`;
}

function sloRows(a: readonly SloResult[], b: readonly SloResult[]): Row[] {
  const byKey = new Map<string, { a?: SloResult; b?: SloResult }>();
  for (const s of a) byKey.set(sloKey(s), { ...byKey.get(sloKey(s)), a: s });
  for (const s of b) byKey.set(sloKey(s), { ...byKey.get(sloKey(s)), b: s });
  return [...byKey.values()].map(({ a: sa, b: sb }) => {
    const s = (sa ?? sb)!;
    const scope = [s.dataset, s.stage].filter(Boolean).join('/');
    const unit = s.unit === 'ratio' || s.unit === 'count' ? '' : ` ${s.unit}`;
    return {
      label: `${s.name}${scope ? ` [${scope}]` : ''} ${s.op} ${formatNumber(s.threshold)}${unit}`,
      a: sa?.value,
      b: sb?.value,
      better: s.op === '<=' ? 'lower' : 'higher',
      noteA: sa ? (sa.pass ? ' pass' : ' FAIL') : '',
      noteB: sb ? (sb.pass ? ' pass' : ' FAIL') : '',
    } satisfies Row;
  });
}

/** A value as shown: `—` when a run did not measure it. */
function shown(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : formatNumber(v);
}

/**
 * The change from A to B in percent (`+12.5%`), `—` when either is missing, `n/a` from zero to non-zero.
 */
export function changePercent(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined) return '—';
  if (a === b) return '0%';
  if (a === 0) return 'n/a';
  const p = ((b - a) / Math.abs(a)) * 100;
  const text = Math.abs(p) >= 100 ? p.toFixed(0) : p.toFixed(1);
  return `${p > 0 ? '+' : ''}${text}%`;
}

/**
 * Whether B is better or worse than A for a measure of that direction: `same` when equal or within the
 * relative tolerance, empty when either is missing or the measure has no better direction.
 */
export function verdictOf(
  a: number | null | undefined,
  b: number | null | undefined,
  better: Direction,
  tolerance = COMPARE_TOLERANCE,
): string {
  if (a === null || a === undefined || b === null || b === undefined || better === 'none') return '';
  if (a === b || (a !== 0 && Math.abs((b - a) / a) <= tolerance)) return 'same';
  return b < a === (better === 'lower') ? 'better' : 'worse';
}

/** Rows as aligned text columns: measure, A, B, change, better/worse. */
function table(rows: readonly Row[]): string[] {
  const cells = [
    ['', 'A', 'B', 'change', 'B vs A'],
    ...rows.map((r) => [
      r.label,
      `${shown(r.a)}${r.noteA ?? ''}`,
      `${shown(r.b)}${r.noteB ?? ''}`,
      changePercent(r.a, r.b),
      verdictOf(r.a, r.b, r.better, r.tolerance),
    ]),
  ];
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) =>
    row
      .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd()
      .replace(/^/, '  '),
  );
}
