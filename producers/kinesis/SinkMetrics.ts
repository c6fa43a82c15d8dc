import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRIC_NAMES,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
  metricDimensions,
  useServiceDimension,
} from '../../common/metrics.js';
import { METRICS_ENV } from './constants.js';
import type { MetricsMode, SinkCounters } from './types.js';

const NAMES = METRIC_NAMES.producer;

/** The counters published as deltas, by their metric names. */
const COUNTED = {
  produced: NAMES.produced,
  sent: NAMES.sent,
  retried: NAMES.retried,
  throttled: NAMES.throttled,
  expired: NAMES.expired,
  rejected: NAMES.rejected,
  failed: NAMES.failed,
} as const satisfies Partial<Record<keyof SinkCounters, string>>;

/**
 * The metrics mode the environment asks for: `GRIDSTREAM_METRICS=emf` turns EMF on.
 *
 * @param env - environment
 */
export function metricsModeFromEnv(env: NodeJS.ProcessEnv = process.env): MetricsMode {
  return env[METRICS_ENV]?.toLowerCase() === 'emf' ? 'emf' : 'off';
}

/**
 * Publishes a sink's counters as CloudWatch EMF (Powertools Metrics) in the `Gridstream` namespace with
 * gridstream's dimensions (`Service` = `producer`, `Dataset`, `Stream`; common/metrics.ts): count deltas
 * since the last publish, and every PutRecords latency. EMF lines go to stdout, where the CloudWatch agent
 * or Lambda picks them up.
 */
export class SinkMetrics {
  readonly #metrics: Metrics;
  readonly #last: Partial<Record<keyof typeof COUNTED, number>> = {};

  /**
   * @param dataset - `Dataset` dimension
   * @param streamName - `Stream` dimension
   */
  public constructor(dataset: string, streamName: string) {
    this.#metrics = useServiceDimension(
      new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.producer }),
      metricDimensions(METRIC_SERVICES.producer, dataset, streamName),
    );
  }

  /**
   * Records one PutRecords latency (published with the next batch of metrics).
   *
   * @param ms - latency, milliseconds
   */
  public recordLatency(ms: number): void {
    this.#metrics.addMetric(NAMES.putRecordsLatency, MetricUnit.Milliseconds, ms);
  }

  /**
   * Adds the count deltas since the last call and prints everything stored as EMF.
   *
   * @param counters - the sink's counters
   */
  public publish(counters: Readonly<SinkCounters>): void {
    for (const [key, name] of Object.entries(COUNTED) as [keyof typeof COUNTED, string][]) {
      const delta = counters[key] - (this.#last[key] ?? 0);
      this.#last[key] = counters[key];
      if (delta > 0) this.#metrics.addMetric(name, MetricUnit.Count, delta);
    }
    if (counters.bufferedBytes > 0) {
      this.#metrics.addMetric(NAMES.bufferedBytes, MetricUnit.Bytes, counters.bufferedBytes);
    }
    if (this.#metrics.hasStoredMetrics()) this.#metrics.publishStoredMetrics();
  }
}
