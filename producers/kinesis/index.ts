export {
  DEFAULT_REJECT_FILE,
  KINESIS_LIMITS,
  KINESIS_RETRY_DEFAULTS,
  KINESIS_RETRY_TEST_DEFAULTS,
  METRICS_ENV,
  SINK_DEFAULTS,
  SINK_TEST_DEFAULTS,
  type SinkDefaults,
} from './constants.js';
export { encodeRecord } from './encodeRecord.js';
export {
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
export { REJECT_KINDS, type RejectKind, RejectWriter } from './RejectWriter.js';
export { type SinkCloseSteps, SinkCore, type SinkCoreOptions } from './SinkCore.js';
export { metricsModeFromEnv, SinkMetrics } from './SinkMetrics.js';
export type {
  BufferedRecord,
  CloseOptions,
  KinesisSinkOptions,
  MetricsMode,
  PutOutcome,
  RejectionError,
  SettledOutcome,
  SinkCounters,
} from './types.js';
