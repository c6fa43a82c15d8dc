// The one CloudWatch vocabulary of gridstream's metrics: the namespace, the dimension names, the service
// of each emitter and every metric name. The producers' Kinesis sink, the delivery worker, the Lambda
// handlers and the CDK alarms and dashboard all read it, so the metrics of one dataset from every stage
// sit in one namespace under the same dimensions, and an alarm names exactly what an emitter writes.
// Imports nothing (common/ depends on no other unit).

/** CloudWatch namespace of every gridstream metric. */
export const METRICS_NAMESPACE = 'Gridstream';

/** Environment variable that turns EMF metrics on (`emf`) or off (anything else). */
export const METRICS_ENV = 'GRIDSTREAM_METRICS';

/**
 * The dimension names every gridstream metric carries, all three on every data point, in this order
 * (PascalCase, as AWS's own namespaces name theirs: `StreamName`, `FunctionName`).
 */
export const METRIC_DIMENSIONS = {
  /** The emitter: one of {@link METRIC_SERVICES}. */
  service: 'Service',
  /** The dataset (`grid`, `weather`, `transactions`). */
  dataset: 'Dataset',
  /** The Kinesis stream the records were written to or read from. */
  stream: 'Stream',
} as const;

/** Values of the `Service` dimension, one per emitter (also the Powertools service names of the handlers). */
export const METRIC_SERVICES = {
  /** The producers' Kinesis sink (`gridstream produce`, the poller Lambdas). */
  producer: 'producer',
  /** The delivery worker (`gridstream deliver --metrics-file`). */
  delivery: 'delivery',
  /** The Firehose transformation Lambda. */
  firehoseTransform: 'firehose-transform',
  /** The alert consumer Lambda. */
  alertConsumer: 'alert-consumer',
} as const;

/** A value of the `Service` dimension. */
export type MetricService = (typeof METRIC_SERVICES)[keyof typeof METRIC_SERVICES];

/** Metric names by emitter (the keys of {@link METRIC_SERVICES}); units are listed in docs/ARCHITECTURE.md. */
export const METRIC_NAMES = {
  producer: {
    /** Events handed to `put()`, Count. */
    produced: 'Produced',
    /** User records Kinesis acknowledged, Count. */
    sent: 'Sent',
    /** User records re-sent after a failed entry or call, Count. */
    retried: 'Retried',
    /** User records in entries or calls Kinesis throttled, Count. */
    throttled: 'Throttled',
    /** User records not acknowledged within their time to live or the close deadline, Count. */
    expired: 'Expired',
    /** Events refused before sending (contract violation or over 1 MiB), Count. */
    rejected: 'Rejected',
    /** User records Kinesis refused for good, Count. */
    failed: 'Failed',
    /** Bytes accepted and not yet acknowledged, expired or failed (a gauge), Bytes. */
    bufferedBytes: 'BufferedBytes',
    /** Latency of each PutRecords call, Milliseconds. */
    putRecordsLatency: 'PutRecordsLatency',
  },
  delivery: {
    /** Rows written to Parquet, Count. */
    rowsDelivered: 'RowsDelivered',
    /** Records written to the error output, Count. */
    recordsRejected: 'RecordsRejected',
    /** Bytes of Parquet written, Bytes. */
    parquetBytes: 'ParquetBytes',
    /** How far the reader is behind the stream's tip, Milliseconds. */
    iteratorAge: 'IteratorAgeMilliseconds',
    /** How long Kinesis has been unreachable (0 when reachable), Milliseconds. */
    kinesisUnreachable: 'KinesisUnreachableMilliseconds',
    /** Median `produced_at` → object visible of a flush, Milliseconds. */
    freshnessP50: 'FreshnessP50',
    /** 99th percentile `produced_at` → object visible of a flush, Milliseconds. */
    freshnessP99: 'FreshnessP99',
  },
  firehoseTransform: {
    /** Records returned `Ok`, Count. */
    recordsValid: 'RecordsValid',
    /** Records returned `ProcessingFailed`, Count. */
    recordsRejected: 'RecordsRejected',
  },
  alertConsumer: {
    /** User records after KPL de-aggregation, Count. */
    userRecords: 'UserRecords',
    /** Events that are not JSON or violate their contract, Count. */
    invalidEvents: 'InvalidEvents',
    /** Alerts published to SNS, Count. */
    alertsPublished: 'AlertsPublished',
  },
} as const satisfies Record<keyof typeof METRIC_SERVICES, Record<string, string>>;

/** The dimensions of one gridstream data point, by their CloudWatch names. */
export interface MetricDimensions {
  readonly Service: MetricService;
  readonly Dataset: string;
  readonly Stream: string;
}

/**
 * The dimensions of a data point, named as {@link METRIC_DIMENSIONS} says.
 *
 * @param service - the emitter
 * @param dataset - the dataset
 * @param stream - the Kinesis stream
 * @example
 * ```ts
 * metricDimensions(METRIC_SERVICES.delivery, 'grid', 'gridstream-dev-grid');
 * // { Service: 'delivery', Dataset: 'grid', Stream: 'gridstream-dev-grid' }
 * ```
 */
export function metricDimensions(service: MetricService, dataset: string, stream: string): MetricDimensions {
  return {
    [METRIC_DIMENSIONS.service]: service,
    [METRIC_DIMENSIONS.dataset]: dataset,
    [METRIC_DIMENSIONS.stream]: stream,
  };
}

/** The part of a Powertools `Metrics` instance {@link useServiceDimension} needs (common imports nothing). */
export interface DefaultDimensionsHolder {
  clearDefaultDimensions(): void;
  setDefaultDimensions(dimensions: Record<string, string>): void;
}

/**
 * Gives a Powertools `Metrics` instance gridstream's dimensions as defaults: Powertools always adds a
 * lowercase `service` dimension, which this replaces with `Service` (plus `Dataset` and `Stream` when they
 * hold for the instance's whole life, as for a sink's).
 *
 * @param metrics - a Powertools `Metrics` instance
 * @param dimensions - `Service`, and `Dataset`/`Stream` when fixed
 * @returns the same instance
 * @example
 * ```ts
 * const metrics = useServiceDimension(
 *   new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.alertConsumer }),
 *   { Service: METRIC_SERVICES.alertConsumer },
 * );
 * ```
 */
export function useServiceDimension<T extends DefaultDimensionsHolder>(
  metrics: T,
  dimensions: Pick<MetricDimensions, 'Service'> & Partial<MetricDimensions>,
): T {
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ ...dimensions });
  return metrics;
}
