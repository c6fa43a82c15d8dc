import type { HistogramSummary } from '../metrics/LogHistogram.js';
import type { CostEstimate } from '../model/costModel.js';
import type { ShardObservation, ShardPrediction } from '../model/shardModel.js';

/** Schema id written in every summary.json. */
export const SUMMARY_FORMAT = 'gridstream-loadtest-summary/1';

/** Percentiles of one measure, milliseconds. */
export type Percentiles = Pick<HistogramSummary, 'count' | 'p50' | 'p90' | 'p99' | 'max'>;

/** One SLO (a scenario threshold) with the value the run measured. */
export interface SloResult {
  readonly name: string;
  readonly metric: string;
  /** `<=` for a max bound, `>=` for a min bound. */
  readonly op: '<=' | '>=';
  readonly threshold: number;
  /** `ms`, `ratio`, `events`, `usd`, `MiB` or `count`. */
  readonly unit: string;
  /** Measured value; null when the run could not measure it (it then fails). */
  readonly value: number | null;
  readonly pass: boolean;
  readonly dataset?: string;
  readonly stage?: string;
}

/** The run's exact reconciliation (loadtest/reconcile; docs/LOADTEST.md says what each count means). */
export interface ReconciliationSummary {
  /** Event ids the workers sent: their sequence ranges minus the ids their sinks wrote off. */
  readonly sent: number;
  /** Of those, found in raw. */
  readonly found_raw: number;
  /** Sent, and neither in raw nor in the error output. */
  readonly lost: number;
  /** Extra raw copies of an event id (n copies count n - 1). */
  readonly duplicated_raw: number;
  /** Extra curated rows of a natural key of the run (n rows count n - 1). */
  readonly duplicated_curated: number;
  /** Raw rows in a partition other than their dataset's partition rule assigns. */
  readonly misplaced: number;
  /** Found rows that arrived later than the lake's lateness window after their partition time. */
  readonly late?: number;
  /** Sent events in the error output (errors/), not in raw. */
  readonly errors?: number;
  /** Natural keys of the run's raw rows in neither curated nor its quarantine. */
  readonly lost_curated?: number;
  /** Run events in the curated quarantine. */
  readonly quarantined?: number;
}

/** Counters and percentiles of a dataset, or of one of its stages. */
export interface DatasetStats {
  readonly asked: number;
  readonly sent: number;
  readonly acknowledged: number;
  /** acknowledged / asked. */
  readonly achieved_ratio: number;
  readonly throttles: number;
  readonly retries: number;
  readonly expirations: number;
  readonly put_latency_ms?: Percentiles;
  readonly freshness_ms?: Readonly<
    Partial<Record<'sent' | 'acknowledged' | 'raw' | 'queryable', Percentiles>>
  >;
  readonly generator_lag_ms?: Percentiles;
}

/** One process of the run. */
export interface ProcessSummary {
  readonly name: string;
  readonly role: 'coordinator' | 'load' | 'emulator' | 'delivery' | 'curation';
  readonly pid?: number;
  readonly cpu_percent_max?: number;
  readonly rss_mib_max?: number;
  /** The limit this process hit, when it did: e.g. `generator behind schedule (max lag 2.4 s)`. */
  readonly limit?: string;
}

/** summary.json: everything a run concluded (docs/LOADTEST.md documents each field). */
export interface RunSummary {
  readonly format: typeof SUMMARY_FORMAT;
  readonly scenario: string;
  readonly target: string;
  readonly started_at: string;
  readonly ended_at: string;
  readonly verdict: 'pass' | 'fail' | 'interrupted';
  readonly slos: readonly SloResult[];
  readonly reconciliation: ReconciliationSummary;
  readonly datasets: Readonly<
    Record<string, DatasetStats & { readonly stages?: Readonly<Record<string, DatasetStats>> }>
  >;
  readonly processes?: readonly ProcessSummary[];
  /** The shard model at peak, per dataset; `observed` when the target has the limits (not the bare emulator). */
  readonly shards?: Readonly<Record<string, ShardPrediction & { readonly observed?: ShardObservation }>>;
  readonly cost?: CostEstimate;
  /** A search stage's result: the highest rate at which every named threshold held. */
  readonly knee?: {
    readonly dataset: string;
    readonly rate: number;
    readonly broke: readonly string[];
  } | null;
}

/** A line of timeseries.jsonl: one dataset's load measures over one interval. */
export interface LoadPoint {
  readonly kind: 'load';
  /** End of the interval, epoch milliseconds. */
  readonly t: number;
  readonly dataset: string;
  readonly stage: string;
  readonly asked_rate: number;
  readonly achieved_rate: number;
  readonly put_latency_ms?: Percentiles;
  readonly freshness_raw_ms?: Percentiles;
  readonly freshness_queryable_ms?: Percentiles;
  readonly throttles: number;
  readonly retries: number;
  readonly generator_lag_ms?: number;
}

/** A line of timeseries.jsonl: a stream's consumer iterator age. */
export interface StreamPoint {
  readonly kind: 'stream';
  readonly t: number;
  readonly dataset: string;
  readonly iterator_age_ms: number;
}

/** A line of timeseries.jsonl: one process's CPU and memory. */
export interface ProcessPoint {
  readonly kind: 'process';
  readonly t: number;
  readonly name: string;
  readonly cpu_percent: number;
  readonly rss_mib: number;
}

/** Any line of timeseries.jsonl. */
export type TimeSeriesPoint = LoadPoint | StreamPoint | ProcessPoint;
