import { RETRY_DEFAULTS, RETRY_TEST_DEFAULTS, type RetryTiming } from '../common/retry/index.js';

/**
 * Kinesis Data Streams service limits every gridstream client packs against.
 * Source: the PutRecords API reference (quotas as of 2026).
 */
export const KINESIS_LIMITS = {
  /** Max entries in one PutRecords call. */
  maxRecordsPerPutRecords: 500,
  /** Max bytes (data + partition keys) in one PutRecords call: 5 MiB. */
  maxBytesPerPutRecords: 5 * 1024 * 1024,
  /** Max bytes (data + partition key) of one Kinesis record: 1 MiB. */
  maxRecordBytes: 1024 * 1024,
  /** Max partition key length in Unicode characters. */
  maxPartitionKeyLength: 256,
} as const;

/**
 * Kinesis's write quota of one shard (PutRecord and PutRecords together): 1 MiB/s of data plus partition
 * keys and 1,000 records/s. A write over either is refused with ProvisionedThroughputExceededException.
 */
export const KINESIS_SHARD_WRITE_LIMITS = { bytesPerSecond: 1_048_576, recordsPerSecond: 1000 } as const;

/**
 * PutRecords per-entry `ErrorCode`s and whole-call error names that mean "too fast for the stream"
 * (a sink then halves its concurrency and backs off), and the names a later attempt may not see.
 * They live with the shared retrier, whose `isRetriable` decides on them.
 */
export { THROTTLING_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../common/retry/index.js';

/**
 * Retry timing of Kinesis API calls (PutRecords, GetRecords, ListShards): a call is retried for up to
 * 5 minutes (the sink's default record TTL) with waits between 100 ms and 5 s. Kinesis errors carry no
 * Retry-After.
 */
export const KINESIS_RETRY_DEFAULTS: RetryTiming = {
  ...RETRY_DEFAULTS,
  maxRetryTimeMs: 300_000,
};

/** Fast Kinesis retry timing for tests: same shape, milliseconds instead of seconds. */
export const KINESIS_RETRY_TEST_DEFAULTS: RetryTiming = {
  ...RETRY_TEST_DEFAULTS,
  maxRetryTimeMs: 20_000,
};
