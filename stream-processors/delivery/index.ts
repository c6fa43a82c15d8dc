export {
  batchFileName,
  checkpointKey,
  dataObjectKey,
  errorObjectKey,
  leaseKey,
} from '../../datalake/objectNames.js';
export { listShards, parentsDone, type ShardInfo, streamCreatedMs } from '../../kinesis/listShards.js';
export { BatchFlusher, type FlushResult, type FlushTarget } from './BatchFlusher.js';
export { CheckpointStore } from './CheckpointStore.js';
export {
  DELIVERY_DEFAULTS,
  ERROR_CODES,
  ERROR_TYPES,
  ERRORS_ZONE,
  KINESIS_READ_LIMITS,
  MAX_EVENT_BYTES,
  RAW_ZONE,
} from './constants.js';
export { DeliveryWorker } from './DeliveryWorker.js';
export { toEmfLine } from './emfMetrics.js';
export {
  CheckpointError,
  DeliveryConfigurationError,
  DeliveryError,
  describeSourceError,
  isLeaseLost,
  LeaseLostError,
  ParquetWriteError,
  ShardReadError,
  SourceUnreachableError,
  WorkerStateError,
} from './errors.js';
export {
  formatCount,
  formatDeliverySummary,
  formatFreshness,
  formatMs,
  formatOutage,
  formatStreamStatus,
} from './formatStats.js';
export { KafkaSource, type KafkaSourceOptions, partitionId } from './kafkaSource/index.js';
export {
  type KinesisReadSettings,
  KinesisShardReader,
  KinesisSource,
  type KinesisSourceOptions,
} from './kinesisSource/index.js';
export { LatencyHistogram } from './LatencyHistogram.js';
export { conversionSql, ParquetWriter, type ParquetWriterOptions } from './ParquetWriter.js';
export { parseStreams } from './parseStreams.js';
export { decodeRecordInto } from './recordDecoder.js';
export { ShardBatch } from './ShardBatch.js';
export { SourceHealth, type SourcePolicy } from './SourceHealth.js';
export {
  type LeaseDocument,
  type LeaseOwner,
  StreamLease,
  type StreamLeaseOptions,
} from './StreamLease.js';
export type * from './source/index.js';
export type {
  DeliveryHooks,
  DeliveryMetric,
  DeliveryStats,
  DeliveryWorkerOptions,
  ErrorCode,
  ErrorRecord,
  ErrorType,
  FlushInfo,
  FreshnessSummary,
  ShardCheckpoint,
  StreamBinding,
  StreamStats,
} from './types.js';
