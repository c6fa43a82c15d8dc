export {
  type Bail,
  backoffDelayMs,
  createRetrier,
  isRetriable,
  type Retrier,
  type RetryOptions,
  type RetryTiming as RetryDefaults,
} from '../retry/index.js';
export { AggregateBuilder } from './AggregateBuilder.js';
export { BufferPool, type BufferPoolOptions } from './BufferPool.js';
export { classifyCallError } from './classifyCallError.js';
export { compareSequenceNumbers } from './compareSequenceNumbers.js';
export {
  DEFAULT_REJECT_FILE,
  KINESIS_LIMITS,
  KINESIS_RETRY_DEFAULTS,
  // The sink's timing under the names this unit exported before the retrier moved to producers/retry.
  KINESIS_RETRY_DEFAULTS as RETRY_DEFAULTS,
  KINESIS_RETRY_TEST_DEFAULTS,
  KINESIS_RETRY_TEST_DEFAULTS as RETRY_TEST_DEFAULTS,
  METRICS_ENV,
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
  AggregateLayout,
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
export {
  EMULATOR_RETENTION_DEFAULTS,
  READ_REPLAY_GRACE_MS,
  RecordWindow,
  type RecordWindowStats,
  type RetentionWindow,
} from './RecordWindow.js';
export { REJECT_KINDS, type RejectKind, RejectWriter } from './RejectWriter.js';
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
