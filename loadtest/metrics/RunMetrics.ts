import { type HistogramJson, type HistogramSummary, LogHistogram } from './LogHistogram.js';

/**
 * Latency-like measures, each a histogram per dataset and stage, recorded in microseconds and reported in
 * milliseconds. Freshness is counted from the event's intended send time to each stage of its way:
 * sent (handed to the sink), acknowledged (PutRecords said yes), raw (durable in the raw zone),
 * queryable (a probe query found it).
 */
export const LATENCY_MEASURES = [
  'put_latency',
  'freshness.sent',
  'freshness.acknowledged',
  'freshness.raw',
  'freshness.queryable',
  'generator.lag',
  'iterator_age',
] as const;

/** Counters per dataset and stage. */
export const COUNTERS = ['asked', 'sent', 'acknowledged', 'throttles', 'retries', 'expirations'] as const;

/** A latency-like measure. */
export type LatencyMeasure = (typeof LATENCY_MEASURES)[number];
/** A counter. */
export type Counter = (typeof COUNTERS)[number];

/** One dataset-stage cell as JSON: counters and histograms. */
export interface CellJson {
  readonly counters: Readonly<Record<Counter, number>>;
  readonly histograms: Readonly<Partial<Record<LatencyMeasure, HistogramJson>>>;
}

/** A cell as reported: counters and percentiles in milliseconds. */
export interface CellSummary {
  readonly counters: Readonly<Record<Counter, number>>;
  readonly latencyMs: Readonly<Partial<Record<LatencyMeasure, HistogramSummary>>>;
}

/**
 * The measurements of one dataset and stage. A load worker keeps the cell of its current stage and
 * records into it directly (no lookup per event).
 */
export class MetricsCell {
  /** Counter values. */
  readonly counters: Record<Counter, number> = {
    asked: 0,
    sent: 0,
    acknowledged: 0,
    throttles: 0,
    retries: 0,
    expirations: 0,
  };
  /** Histograms by measure (created on first use). */
  readonly histograms = new Map<LatencyMeasure, LogHistogram>();

  /**
   * The histogram of one measure.
   *
   * @param measure - which measure
   */
  public histogram(measure: LatencyMeasure): LogHistogram {
    let h = this.histograms.get(measure);
    if (!h) {
      h = new LogHistogram();
      this.histograms.set(measure, h);
    }
    return h;
  }

  /**
   * Records one latency sample.
   *
   * @param measure - which measure
   * @param ms - milliseconds (fractions kept to the microsecond)
   */
  public recordLatencyMs(measure: LatencyMeasure, ms: number): void {
    (this.histograms.get(measure) ?? this.histogram(measure)).record(ms * 1000);
  }

  /**
   * Adds to a counter.
   *
   * @param counter - which counter
   * @param n - amount
   */
  public add(counter: Counter, n = 1): void {
    this.counters[counter] += n;
  }
}

/**
 * The measurements of a run (or of one worker of it) in bounded memory: for every dataset and stage,
 * the counters and one {@link LogHistogram} per latency measure — memory grows with datasets × stages ×
 * measures, never with events or time. Workers send {@link toJSON} and the coordinator merges them.
 *
 * @example
 * ```ts
 * const m = new RunMetrics();
 * m.recordLatencyMs('grid', 'plateau', 'put_latency', ackMs - event.intendedMs);
 * m.add('grid', 'plateau', 'acknowledged', 500);
 * m.summary().grid?.plateau?.latencyMs.put_latency?.p99;
 * ```
 */
export class RunMetrics {
  readonly #cells = new Map<string, Map<string, MetricsCell>>();

  /**
   * The cell of one dataset and stage (created empty when absent), to record into without lookups.
   *
   * @param dataset - dataset
   * @param stage - stage name
   */
  public cell(dataset: string, stage: string): MetricsCell {
    let stages = this.#cells.get(dataset);
    if (!stages) {
      stages = new Map();
      this.#cells.set(dataset, stages);
    }
    let cell = stages.get(stage);
    if (!cell) {
      cell = new MetricsCell();
      stages.set(stage, cell);
    }
    return cell;
  }

  /**
   * Records one latency sample.
   *
   * @param dataset - dataset
   * @param stage - stage name
   * @param measure - which measure
   * @param ms - milliseconds (fractions kept to the microsecond)
   */
  public recordLatencyMs(dataset: string, stage: string, measure: LatencyMeasure, ms: number): void {
    this.cell(dataset, stage)
      .histogram(measure)
      .record(ms * 1000);
  }

  /**
   * Adds to a counter.
   *
   * @param dataset - dataset
   * @param stage - stage name
   * @param counter - which counter
   * @param n - amount
   */
  public add(dataset: string, stage: string, counter: Counter, n = 1): void {
    this.cell(dataset, stage).counters[counter] += n;
  }

  /**
   * The histogram of one measure of one cell (created empty when absent).
   *
   * @param dataset - dataset
   * @param stage - stage name
   * @param measure - which measure
   */
  public histogram(dataset: string, stage: string, measure: LatencyMeasure): LogHistogram {
    return this.cell(dataset, stage).histogram(measure);
  }

  /**
   * One measure over every stage of a dataset (or of every dataset), merged.
   *
   * @param measure - which measure
   * @param dataset - limit to one dataset
   */
  public merged(measure: LatencyMeasure, dataset?: string): LogHistogram {
    const out = new LogHistogram();
    for (const [d, stages] of this.#cells) {
      if (dataset !== undefined && d !== dataset) continue;
      for (const cell of stages.values()) {
        const h = cell.histograms.get(measure);
        if (h) out.merge(h);
      }
    }
    return out;
  }

  /** Histograms held (the memory bound: datasets × stages × measures). */
  public get histogramCount(): number {
    let n = 0;
    for (const stages of this.#cells.values()) for (const c of stages.values()) n += c.histograms.size;
    return n;
  }

  /**
   * Adds another worker's measurements.
   *
   * @param other - its {@link toJSON} form
   */
  public merge(other: Readonly<Record<string, Readonly<Record<string, CellJson>>>>): this {
    for (const [dataset, stages] of Object.entries(other)) {
      for (const [stage, json] of Object.entries(stages)) {
        const cell = this.cell(dataset, stage);
        for (const c of COUNTERS) cell.counters[c] += json.counters[c] ?? 0;
        for (const [m, h] of Object.entries(json.histograms)) {
          if (h) cell.histogram(m as LatencyMeasure).merge(h);
        }
      }
    }
    return this;
  }

  /** The JSON form a worker sends: dataset → stage → cell. */
  public toJSON(): Record<string, Record<string, CellJson>> {
    const out: Record<string, Record<string, CellJson>> = {};
    for (const [dataset, stages] of this.#cells) {
      out[dataset] = {};
      for (const [stage, cell] of stages) {
        out[dataset][stage] = {
          counters: { ...cell.counters },
          histograms: Object.fromEntries([...cell.histograms].map(([m, h]) => [m, h.toJSON()])),
        };
      }
    }
    return out;
  }

  /** Dataset → stage → counters and percentiles in milliseconds. */
  public summary(): Record<string, Record<string, CellSummary>> {
    const out: Record<string, Record<string, CellSummary>> = {};
    for (const [dataset, stages] of this.#cells) {
      out[dataset] = {};
      for (const [stage, cell] of stages) {
        out[dataset][stage] = {
          counters: { ...cell.counters },
          latencyMs: Object.fromEntries([...cell.histograms].map(([m, h]) => [m, inMs(h.summary())])),
        };
      }
    }
    return out;
  }
}

function inMs(s: HistogramSummary): HistogramSummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  return {
    count: s.count,
    min: ms(s.min),
    max: ms(s.max),
    mean: ms(s.mean),
    p50: ms(s.p50),
    p90: ms(s.p90),
    p99: ms(s.p99),
    p999: ms(s.p999),
  };
}
