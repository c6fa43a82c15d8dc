import { METRIC_SERVICES } from '../common/metrics.js';

/** Environment variables the stream-processor Lambdas read (the CDK app sets them). */
export const ENV = {
  /** JSON object: delivery stream name → dataset, for the Firehose transformation. */
  deliveryStreams: 'GRIDSTREAM_DELIVERY_STREAMS',
  /** JSON object: Kinesis stream name → dataset, for the alert consumer and the producers. */
  streams: 'GRIDSTREAM_STREAMS',
  /** ARN of the SNS topic the alert consumer publishes to. */
  alertTopicArn: 'GRIDSTREAM_ALERT_TOPIC_ARN',
  /** Secrets Manager secret (name or ARN) holding the ERCOT API credentials of the ERCOT poller. */
  ercotSecretId: 'GRIDSTREAM_ERCOT_SECRET_ID',
} as const;

/**
 * Powertools service names, one per handler (the log field, and the `Service` dimension of the handler's
 * metrics, whose namespace, dimensions and names are in common/metrics.ts).
 */
export const SERVICE_NAMES = {
  firehoseTransform: METRIC_SERVICES.firehoseTransform,
  alertConsumer: METRIC_SERVICES.alertConsumer,
} as const;
