import type { DeliveryStats, FreshnessSummary, StreamStats } from './types.js';

/**
 * Formats a count with thousands separators.
 *
 * @param n - the count
 */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Formats a duration in ms as `850 ms` or `1.2 s`.
 *
 * @param ms - milliseconds
 */
export function formatMs(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/**
 * `p50 1.1 s p99 3.2 s`, or `n/a` before the first row.
 *
 * @param f - freshness summary
 */
export function formatFreshness(f: FreshnessSummary | undefined): string {
  return f && f.count > 0 ? `p50 ${formatMs(f.p50Ms)} p99 ${formatMs(f.p99Ms)}` : 'n/a';
}

/**
 * `Kinesis unreachable for 42 s: ECONNREFUSED` while the stream's Kinesis calls fail, else undefined.
 *
 * @param s - stream stats
 */
export function formatOutage(s: Pick<StreamStats, 'unreachableMs' | 'sourceError'>): string | undefined {
  if (s.unreachableMs <= 0) return undefined;
  return `Kinesis unreachable for ${Math.round(s.unreachableMs / 1000)} s${s.sourceError ? `: ${s.sourceError}` : ''}`;
}

/**
 * One stream's status: `grid: 12,000 delivered, 0 buffered, 3 rejected, 14 files, 2/2 shards, age 0 ms, fresh p50 1.1 s p99 3.2 s`,
 * followed by `— Kinesis unreachable for 42 s: ECONNREFUSED` during an outage.
 *
 * @param s - stream stats
 */
export function formatStreamStatus(s: StreamStats): string {
  const outage = formatOutage(s);
  return (
    `${s.stream}: ${formatCount(s.delivered)} delivered, ${formatCount(s.buffered)} buffered, ${formatCount(s.rejected)} rejected, ` +
    `${formatCount(s.files)} files, ${s.activeShards}/${s.shards} shards, age ${formatMs(s.iteratorAgeMs)}, ` +
    `fresh ${formatFreshness(s.lastFlushFreshness)}${outage ? ` — ${outage}` : ''}`
  );
}

/**
 * The closing summary line of a delivery run.
 *
 * @param stats - final stats
 * @param lake - lake location
 */
export function formatDeliverySummary(stats: DeliveryStats, lake: string): string {
  const t = stats.totals;
  const seconds = stats.uptimeMs / 1_000;
  const rate = seconds > 0 ? t.delivered / seconds : 0;
  const shards = stats.streams.reduce((a, s) => a + s.shards, 0);
  return (
    `delivered ${formatCount(t.delivered)} events in ${formatCount(t.files)} files, ` +
    `rejected ${formatCount(t.rejected)} in ${formatCount(t.errorFiles)} error files ` +
    `(${stats.streams.length} streams, ${shards} shards) in ${seconds.toFixed(1)} s, ` +
    `${formatCount(rate)} events/s, freshness ${formatFreshness(stats.freshness)} → ${lake}`
  );
}
