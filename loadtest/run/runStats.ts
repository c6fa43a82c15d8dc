import type { HistogramSummary, LogHistogram } from '../metrics/LogHistogram.js';
import { type LatencyMeasure, type MetricsCell, RunMetrics } from '../metrics/RunMetrics.js';
import type { CostEstimate } from '../model/costModel.js';
import type { MetricLookup } from '../report/evaluateSlos.js';
import type { DatasetStats, Percentiles, ReconciliationSummary } from '../report/types.js';

/** Percentiles of a histogram recorded in microseconds, in milliseconds (undefined when empty). */
export function percentilesMs(h: LogHistogram | undefined): Percentiles | undefined {
  if (!h || h.count === 0) return undefined;
  const s: HistogramSummary = h.summary();
  const ms = (us: number): number => Math.round(us) / 1000;
  return { count: s.count, p50: ms(s.p50), p90: ms(s.p90), p99: ms(s.p99), max: ms(s.max) };
}

/** Cells of a run's metrics, merged over a scope: one dataset or all, one stage or all. */
function scopeCell(metrics: RunMetrics, datasets: readonly string[], stage?: string): MetricsCell {
  const json = metrics.toJSON();
  const out = new RunMetrics();
  const cell = out.cell('_', '_');
  for (const d of datasets) {
    for (const [s, c] of Object.entries(json[d] ?? {})) {
      if (stage !== undefined && s !== stage) continue;
      out.merge({ _: { _: c } });
    }
  }
  return cell;
}

/**
 * Counters and percentiles of a dataset (or one of its stages).
 *
 * @param metrics - the run's merged metrics
 * @param dataset - dataset
 * @param stage - one stage, else all
 */
export function datasetStats(
  metrics: RunMetrics,
  dataset: string,
  stage?: string,
  onTime?: OnTimeAcks,
): DatasetStats {
  const c = scopeCell(metrics, [dataset], stage);
  const achieved = Math.min(
    c.counters.asked,
    onTime ? onTime.count(dataset, stage) : c.counters.acknowledged,
  );
  const h = (m: LatencyMeasure) => percentilesMs(c.histograms.get(m));
  const fresh: Record<string, Percentiles> = {};
  for (const k of ['sent', 'acknowledged', 'raw', 'queryable'] as const) {
    const p = h(`freshness.${k}`);
    if (p) fresh[k] = p;
  }
  const put = h('put_latency');
  const lag = h('generator.lag');
  return {
    asked: c.counters.asked,
    sent: c.counters.sent,
    acknowledged: c.counters.acknowledged,
    achieved_ratio: c.counters.asked > 0 ? Math.round((achieved / c.counters.asked) * 10000) / 10000 : 0,
    throttles: c.counters.throttles,
    retries: c.counters.retries,
    expirations: c.counters.expirations,
    ...(put ? { put_latency_ms: put } : {}),
    ...(Object.keys(fresh).length > 0 ? { freshness_ms: fresh } : {}),
    ...(lag ? { generator_lag_ms: lag } : {}),
  };
}

/**
 * Acknowledgements counted while their stage ran (plus a grace), per dataset and stage: the achieved rate
 * is what the pipeline took while it was asked, not what it caught up with after the profile ended.
 */
export class OnTimeAcks {
  readonly #counts = new Map<string, Map<string, number>>();

  /**
   * Adds the acknowledgements of one interval to a stage.
   *
   * @param dataset - dataset
   * @param stage - the stage running during the interval
   * @param n - acknowledgements in the interval
   */
  public add(dataset: string, stage: string, n: number): void {
    const m = this.#counts.get(dataset) ?? new Map<string, number>();
    m.set(stage, (m.get(stage) ?? 0) + n);
    this.#counts.set(dataset, m);
  }

  /**
   * Acknowledgements of a dataset during one stage, or during all.
   *
   * @param dataset - dataset
   * @param stage - one stage, else all
   */
  public count(dataset: string, stage?: string): number {
    const m = this.#counts.get(dataset);
    if (!m) return 0;
    if (stage !== undefined) return m.get(stage) ?? 0;
    let n = 0;
    for (const v of m.values()) n += v;
    return n;
  }
}

/** What the SLO lookup reads besides the metrics. */
export interface LookupContext {
  readonly metrics: RunMetrics;
  readonly datasets: readonly string[];
  /** Undefined while the run is going (reconciliation thresholds are then not evaluated). */
  readonly reconciliation?: ReconciliationSummary;
  readonly iteratorAgeMaxMs?: ReadonlyMap<string, number>;
  readonly cost?: CostEstimate;
  readonly rssMaxMib?: number;
  /** Acknowledgements while each stage ran: `rate.achieved_ratio` counts these, not later catch-up. */
  readonly onTime?: OnTimeAcks;
}

/**
 * The value of a threshold metric in a scope (docs/LOADTEST.md, Thresholds): the worst over the datasets
 * in scope; undefined when the run did not measure it.
 *
 * @param ctx - the run's measurements
 */
export function metricLookup(ctx: LookupContext): MetricLookup {
  return (metric, dataset, stage) => {
    const ds = dataset ? [dataset] : ctx.datasets;
    if (metric.startsWith('reconciliation.')) {
      const v = ctx.reconciliation?.[metric.slice('reconciliation.'.length) as keyof ReconciliationSummary];
      return typeof v === 'number' ? v : undefined;
    }
    if (metric === 'cost.per_hour_usd') return ctx.cost?.perHour;
    if (metric === 'cost.per_million_events_usd') return ctx.cost?.perMillionEvents;
    if (metric === 'rss.max_mib') return ctx.rssMaxMib;
    if (metric === 'iterator_age.max') {
      const v = ds.map((d) => ctx.iteratorAgeMaxMs?.get(d)).filter((x): x is number => x !== undefined);
      return v.length > 0 ? Math.max(...v) : undefined;
    }
    const cells = ds.map((d) => scopeCell(ctx.metrics, [d], stage));
    if (metric === 'rate.achieved_ratio') {
      const r = cells
        .map((c, i) => [c, ctx.onTime ? ctx.onTime.count(ds[i]!, stage) : c.counters.acknowledged] as const)
        .filter(([c]) => c.counters.asked > 0)
        .map(([c, acked]) => Math.min(1, acked / c.counters.asked));
      return r.length > 0 ? Math.min(...r) : undefined;
    }
    if (metric === 'throttles' || metric === 'retries' || metric === 'expirations') {
      return cells.reduce((n, c) => n + c.counters[metric], 0);
    }
    const m =
      /^(generator\.lag|put_latency|freshness\.(?:sent|acknowledged|raw|queryable)|iterator_age)[._](p50|p90|p99|p999|max)$/.exec(
        metric,
      );
    if (!m) return undefined;
    const measure = m[1] as LatencyMeasure;
    const which = m[2] as 'p50' | 'p90' | 'p99' | 'p999' | 'max';
    const values = cells
      .map((c) => c.histograms.get(measure))
      .filter((h): h is LogHistogram => h !== undefined && h.count > 0)
      .map((h) => h.summary()[which] / 1000);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
}
