export { AggregateBuilder } from './AggregateBuilder.js';
export { classifyCallError } from './classifyCallError.js';
export { compareSequenceNumbers } from './compareSequenceNumbers.js';
export {
  KINESIS_LIMITS,
  KINESIS_RETRY_DEFAULTS,
  KINESIS_RETRY_TEST_DEFAULTS,
  KINESIS_SHARD_WRITE_LIMITS,
  THROTTLING_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
} from './constants.js';
export { DeaggregationError, KinesisCallError, KinesisError, PartialFailureError } from './errors.js';
export { type GetRecordsResult, getRecordsFast, parseBody } from './getRecordsFast.js';
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
export { listShards, parentsDone, type ShardInfo, streamCreatedMs } from './listShards.js';
export { md5Words } from './md5Words.js';
export { PARTITION_KEY_FIELDS, partitionKeyOf } from './partitionKeys.js';
export { ResponseBufferPool, type ResponseBufferPoolOptions, type SizedBody } from './ResponseBufferPool.js';
export { hashKeyOf, ShardMap, type ShardRange } from './ShardMap.js';
export type { KinesisRecordLike } from './types.js';
export { utf8Length } from './utf8Length.js';
