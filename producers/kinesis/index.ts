export { AggregateBuilder } from './AggregateBuilder.js';
export { classifyCallError } from './classifyCallError.js';
export {
  DEFAULT_REJECT_FILE,
  KINESIS_LIMITS,
  METRICS_ENV,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  RETRY_DEFAULTS,
  RETRY_TEST_DEFAULTS,
  type RetryDefaults,
  SINK_DEFAULTS,
  SINK_TEST_DEFAULTS,
  type SinkDefaults,
  THROTTLING_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
} from './constants.js';
export { datasetStreams, EmbeddedKinesis, type EmbeddedKinesisOptions } from './EmbeddedKinesis.js';
export {
  DeaggregationError,
  InvalidPartitionKeyError,
  KinesisCallError,
  KinesisProducerError,
  PartialFailureError,
  RecordTooLargeError,
  RetriesExhaustedError,
  SinkClosedError,
  SinkConfigurationError,
  SinkFailedError,
} from './errors.js';
export { KinesisSink } from './KinesisSink.js';
export { createKinesisClient, endpointFromEnv, type KinesisClientOptions } from './kinesisClient.js';
export {
  type DeaggregatedRecord,
  deaggregate,
  encodeAggregatedRecord,
  isAggregated,
  KPL_MAGIC,
  KPL_OVERHEAD_BYTES,
  type UserRecord,
  userRecordSize,
} from './kplAggregation.js';
export { PARTITION_KEY_FIELDS, partitionKeyOf } from './partitionKeys.js';
export { REJECT_KINDS, type RejectKind, RejectWriter } from './RejectWriter.js';
export {
  type Bail,
  backoffDelayMs,
  createRetrier,
  isRetriable,
  type Retrier,
  type RetryOptions,
} from './retrier.js';
export { hashKeyOf, ShardMap, type ShardRange } from './ShardMap.js';
export { metricsModeFromEnv, SinkMetrics } from './SinkMetrics.js';
export type {
  CloseOptions,
  KinesisSinkOptions,
  MetricsMode,
  PutOutcome,
  RejectionError,
  SinkCounters,
} from './types.js';
