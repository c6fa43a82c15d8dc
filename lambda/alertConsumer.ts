import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  useServiceDimension,
} from '../common/metrics.js';
import { deaggregate } from '../kinesis/kplAggregation.js';
import { contractFor, type Dataset, type EventByDataset } from '../schemas/index.js';
import {
  type AlertThresholds,
  evaluateAlerts,
  thresholdsFromEnv,
} from '../stream-processors/alerts/index.js';
import { ENV, SERVICE_NAMES } from './constants.js';
import { ConfigurationError } from './errors.js';
import { type AlertPublisher, createSnsPublisher } from './snsPublisher.js';
import { datasetOfSource, parseSourceDatasets, resourceNameOf } from './sourceDatasets.js';
import type {
  KinesisBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
  LambdaContext,
} from './types.js';

/** Dependencies of {@link createAlertConsumerHandler}. */
export interface AlertConsumerOptions {
  /** Kinesis stream name → dataset. */
  readonly streams: Readonly<Record<string, Dataset>>;
  /** Where alerts go. */
  readonly publish: AlertPublisher;
  /** When to alert. */
  readonly thresholds: AlertThresholds;
  /** @default a Powertools logger for the `alert-consumer` service */
  readonly logger?: Logger;
  /**
   * Where the counts go, with `Dataset` and `Stream` added per stream of the invocation.
   * @default Powertools metrics in the `Gridstream` namespace with `Service` = `alert-consumer`
   */
  readonly metrics?: Metrics;
}

const NAMES = METRIC_NAMES.alertConsumer;

/** The counts of one invocation for one source stream. */
interface StreamCounts {
  readonly dataset: Dataset;
  userRecords: number;
  invalidEvents: number;
  alertsPublished: number;
}

/**
 * Creates the Kinesis alert consumer. The Lambda event source does not de-aggregate, so every record is
 * passed through {@link deaggregate} (plain records come back as one user record). Each event is checked
 * against its contract (invalid events are logged and counted, not retried: the Firehose path keeps them
 * under `errors/`) and evaluated by {@link evaluateAlerts}; alerts are published one by one.
 *
 * A record whose publish fails, or that cannot be de-aggregated, is reported in `batchItemFailures`
 * (`ReportBatchItemFailures`), so Lambda retries from that sequence number and, after the mapping's retry
 * limit, sends it to the on-failure destination. Delivery is at-least-once: subscribers de-duplicate on
 * the alert's `eventId`.
 *
 * @param options - stream map, publisher, thresholds, logger, metrics
 */
export function createAlertConsumerHandler(
  options: AlertConsumerOptions,
): (event: KinesisStreamEvent, context?: LambdaContext) => Promise<KinesisBatchResponse> {
  const logger = options.logger ?? new Logger({ serviceName: SERVICE_NAMES.alertConsumer });
  const metrics =
    options.metrics ??
    useServiceDimension(
      new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.alertConsumer }),
      { Service: SERVICE_NAMES.alertConsumer },
    );
  const processor = new BatchProcessor(EventType.KinesisDataStreams);

  // Counts go by source stream (one per invocation from an event source mapping), so that each is
  // published with its own Dataset and Stream.
  const recordHandler = async (
    record: KinesisStreamRecord,
    counts: Map<string, StreamCounts>,
  ): Promise<void> => {
    const dataset = datasetOfSource(record.eventSourceARN, options.streams);
    const contract = contractFor(dataset);
    const userRecords = deaggregate(Buffer.from(record.kinesis.data, 'base64'), record.kinesis.partitionKey);
    const stream = resourceNameOf(record.eventSourceARN);
    let count = counts.get(stream);
    if (count === undefined) {
      count = { dataset, userRecords: 0, invalidEvents: 0, alertsPublished: 0 };
      counts.set(stream, count);
    }
    count.userRecords += userRecords.length;
    for (const user of userRecords) {
      let event: unknown;
      try {
        event = JSON.parse(Buffer.from(user.data).toString('utf8'));
      } catch (err) {
        count.invalidEvents += 1;
        logger.warn('event is not JSON', {
          dataset,
          sequenceNumber: record.kinesis.sequenceNumber,
          subSequenceNumber: user.subSequenceNumber,
          reason: (err as Error).message,
        });
        continue;
      }
      const violations = contract.validate(event);
      if (violations.length > 0) {
        count.invalidEvents += 1;
        logger.warn('event violates its contract', {
          dataset,
          sequenceNumber: record.kinesis.sequenceNumber,
          subSequenceNumber: user.subSequenceNumber,
          violations,
        });
        continue;
      }
      // validate() returned no violation, so the event has the dataset's shape.
      const valid = event as EventByDataset[typeof dataset];
      for (const alert of evaluateAlerts(dataset, valid, options.thresholds)) {
        await options.publish(alert);
        count.alertsPublished += 1;
        logger.info('alert published', {
          kind: alert.kind,
          severity: alert.severity,
          eventId: alert.eventId,
        });
      }
    }
  };

  return async (event, context) => {
    const counts = new Map<string, StreamCounts>();
    try {
      // Powertools' own typings reference @types/aws-lambda, which this project does not install.
      const response = await processPartialResponse(
        event as unknown as Parameters<typeof processPartialResponse>[0],
        (record: KinesisStreamRecord) => recordHandler(record, counts),
        processor,
        context === undefined ? undefined : { context: context as never },
      );
      for (const failure of processor.errors) {
        logger.error('record failed', { error: failure });
      }
      return {
        batchItemFailures: response.batchItemFailures.map((f) => ({ itemIdentifier: f.itemIdentifier })),
      };
    } finally {
      for (const [stream, count] of counts) {
        metrics.addDimension(METRIC_DIMENSIONS.dataset, count.dataset);
        metrics.addDimension(METRIC_DIMENSIONS.stream, stream);
        metrics.addMetric(NAMES.userRecords, MetricUnit.Count, count.userRecords);
        metrics.addMetric(NAMES.invalidEvents, MetricUnit.Count, count.invalidEvents);
        metrics.addMetric(NAMES.alertsPublished, MetricUnit.Count, count.alertsPublished);
        metrics.publishStoredMetrics();
      }
    }
  };
}

/**
 * Reads the consumer's configuration from the environment: `GRIDSTREAM_STREAMS`,
 * `GRIDSTREAM_ALERT_TOPIC_ARN` and the `GRIDSTREAM_ALERT_*` thresholds.
 *
 * @param env - environment to read
 * @throws ConfigurationError naming the missing or malformed variable
 */
export function alertConsumerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AlertConsumerOptions {
  const topicArn = env[ENV.alertTopicArn];
  if (!topicArn) throw new ConfigurationError(`${ENV.alertTopicArn} is not set`);
  return {
    streams: parseSourceDatasets(env[ENV.streams], ENV.streams),
    publish: createSnsPublisher(topicArn),
    thresholds: thresholdsFromEnv(env),
  };
}

let cached:
  | ((event: KinesisStreamEvent, context?: LambdaContext) => Promise<KinesisBatchResponse>)
  | undefined;

/** Lambda entry point: configured from the environment on first use. */
export function handler(event: KinesisStreamEvent, context: LambdaContext): Promise<KinesisBatchResponse> {
  cached ??= createAlertConsumerHandler(alertConsumerOptionsFromEnv());
  return cached(event, context);
}
