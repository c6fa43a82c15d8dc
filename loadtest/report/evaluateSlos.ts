import { COUNT_METRIC_PREFIXES, DURATION_METRIC_PREFIXES } from '../constants.js';
import type { Threshold } from '../scenario/types.js';
import type { SloResult } from './types.js';

/** Finds the measured value of a metric in a scope (undefined: not measured). */
export type MetricLookup = (metric: string, dataset?: string, stage?: string) => number | undefined;

/**
 * Unit of a threshold metric as the SLO table shows it.
 *
 * @param metric - a threshold metric
 */
export function metricUnit(metric: string): string {
  if (DURATION_METRIC_PREFIXES.some((p) => metric.startsWith(p))) return 'ms';
  if (COUNT_METRIC_PREFIXES.some((p) => metric.startsWith(p))) return 'count';
  if (metric.startsWith('cost.')) return 'usd';
  if (metric === 'rss.max_mib') return 'MiB';
  return 'ratio';
}

/**
 * Checks each threshold against the run's measured value. A bound with both max and min gives two SLO
 * rows; a metric the run could not measure fails (an SLO nobody checked is not a pass).
 *
 * @param thresholds - the scenario's thresholds
 * @param lookup - the measured values
 * @returns the SLO rows and the verdict (`pass` when every row passed)
 */
export function evaluateSlos(
  thresholds: readonly Threshold[],
  lookup: MetricLookup,
): { slos: SloResult[]; verdict: 'pass' | 'fail' } {
  const slos: SloResult[] = [];
  for (const t of thresholds) {
    const value = lookup(t.metric, t.dataset, t.stage);
    const scope = { ...(t.dataset ? { dataset: t.dataset } : {}), ...(t.stage ? { stage: t.stage } : {}) };
    const unit = metricUnit(t.metric);
    for (const [op, bound] of [
      ['<=', t.max],
      ['>=', t.min],
    ] as const) {
      if (bound === undefined) continue;
      const pass =
        value !== undefined && Number.isFinite(value) && (op === '<=' ? value <= bound : value >= bound);
      slos.push({
        name: t.name,
        metric: t.metric,
        op,
        threshold: bound,
        unit,
        value: value ?? null,
        pass,
        ...scope,
      });
    }
  }
  return { slos, verdict: slos.every((s) => s.pass) ? 'pass' : 'fail' };
}
