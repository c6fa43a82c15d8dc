import type { OutputFormat, QueryResult } from './types.js';

function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function formatTable(r: QueryResult): string {
  const cells = r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v)));
  const widths = r.columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j]!.length)));
  const numeric = r.types.map((t) => /INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(t));
  const line = (vals: readonly string[], align: boolean): string =>
    vals
      .map((v, j) => (align && numeric[j] ? v.padStart(widths[j]!) : v.padEnd(widths[j]!)))
      .join(' | ')
      .trimEnd();
  const out = [line(r.columns, false), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const row of cells) out.push(line(row, true));
  out.push(`(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

/**
 * Formats a result: `table` (aligned, NULL shown, row count), `csv` (RFC 4180, header row, NULL
 * empty) or `json` (an array of objects; integers as numbers when exact, timestamps as UTC strings).
 *
 * @param result - the query result
 * @param format - output format
 */
export function formatResult(result: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'csv':
      return `${[result.columns.map(csvField).join(','), ...result.rows.map((r) => r.map(csvField).join(','))].join('\r\n')}\r\n`;
    case 'json':
      return `${JSON.stringify(result.json, null, 2)}\n`;
    default:
      return formatTable(result);
  }
}
