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

/** CloudWatch namespace of the metrics the handlers emit (Powertools EMF). */
export const METRICS_NAMESPACE = 'Gridstream';

/** Powertools service names, one per handler (the `service` dimension and log field). */
export const SERVICE_NAMES = {
  firehoseTransform: 'firehose-transform',
  alertConsumer: 'alert-consumer',
} as const;

/** Names of the metrics the handlers emit. */
export const METRIC_NAMES = {
  recordsValid: 'RecordsValid',
  recordsRejected: 'RecordsRejected',
  userRecords: 'UserRecords',
  invalidEvents: 'InvalidEvents',
  alertsPublished: 'AlertsPublished',
} as const;
