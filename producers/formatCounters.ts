import type { SinkCounters } from './kinesis/types.js';

/** Counters summed over several sinks (for `--dataset all`). */
export function sumCounters(counters: readonly Readonly<SinkCounters>[]): SinkCounters {
  const total = {} as SinkCounters;
  for (const c of counters) {
    for (const [k, v] of Object.entries(c) as [keyof SinkCounters, number][]) {
      total[k] = (total[k] ?? 0) + v;
    }
  }
  return total;
}

function rate(n: number, elapsedMs: number): string {
  return elapsedMs > 0 ? `${Math.round((n * 1000) / elapsedMs)}/s` : '-';
}

/**
 * One status line: what was sent and how fast, what is buffered, and every reason for concern.
 *
 * @param label - e.g. the dataset or `total`
 * @param c - a sink's counters
 * @param elapsedMs - time since the start
 * @param lastError - why records are being retried (the sink's `lastError`), shown after the counts
 * @example
 * ```
 * grid: sent 12000 (980/s), buffered 345, retried 0, throttled 0, expired 0, rejected 0, failed 0
 * ```
 */
export function formatCounters(
  label: string,
  c: Readonly<SinkCounters>,
  elapsedMs: number,
  lastError?: { readonly error: string; readonly at: number },
): string {
  const why = lastError
    ? ` — last error ${lastError.error} (${Math.max(0, Math.round((Date.now() - lastError.at) / 1000))} s ago)`
    : '';
  return (
    `${label}: sent ${c.sent} (${rate(c.sent, elapsedMs)}), buffered ${c.bufferedRecords}, ` +
    `retried ${c.retried}, throttled ${c.throttled}, expired ${c.expired}, rejected ${c.rejected}, failed ${c.failed}${why}`
  );
}
