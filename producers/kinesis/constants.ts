import { RETRY_DEFAULTS, RETRY_TEST_DEFAULTS, type RetryTiming } from '../retry/index.js';

/**
 * Kinesis Data Streams service limits the sink packs batches against.
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
 * PutRecords per-entry `ErrorCode`s and whole-call error names that mean "too fast for the stream"
 * (the sink then halves its concurrency and backs off), and the names a later attempt may not see.
 * They live with the shared retrier, whose `isRetriable` decides on them.
 */
export { THROTTLING_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../retry/index.js';

/** Sink tuning defaults (see `KinesisSinkOptions` for what each one does). */
export interface SinkDefaults {
  readonly aggregate: boolean;
  readonly maxAggregatedBytes: number;
  readonly lingerMs: number;
  readonly recordTtlMs: number;
  readonly maxBufferedBytes: number;
  readonly maxBufferedRecords: number;
  readonly maxConcurrentPutRecords: number;
  readonly requestTimeoutMs: number;
  readonly closeDeadlineMs: number;
  readonly metricsIntervalMs: number;
}

/**
 * Production defaults. KPL's own defaults are the reference: AggregationMaxSize 51200 bytes,
 * RecordMaxBufferedTime 100 ms. KPL's RecordTtl (30 s) is raised to 5 min: a throttled stream is
 * normal under a burst and the records must outlive it rather than expire.
 */
export const SINK_DEFAULTS: SinkDefaults = {
  aggregate: true,
  maxAggregatedBytes: 51_200,
  lingerMs: 100,
  recordTtlMs: 300_000,
  maxBufferedBytes: 32 * 1024 * 1024,
  maxBufferedRecords: 100_000,
  maxConcurrentPutRecords: 8,
  requestTimeoutMs: 30_000,
  closeDeadlineMs: 30_000,
  metricsIntervalMs: 60_000,
};

/** Fast defaults for tests: short linger and TTL so a test never waits on a production timer. */
export const SINK_TEST_DEFAULTS: SinkDefaults = {
  ...SINK_DEFAULTS,
  lingerMs: 5,
  recordTtlMs: 20_000,
  requestTimeoutMs: 10_000,
  closeDeadlineMs: 20_000,
  metricsIntervalMs: 1_000,
};

/**
 * The sink's production retry timing: a batch is retried as long as its records are allowed to live
 * (the total time is the default record TTL), with waits between 100 ms and 5 s. Kinesis errors carry
 * no Retry-After. These are the shared defaults, named here where the sink and delivery use them.
 */
export const KINESIS_RETRY_DEFAULTS: RetryTiming = {
  ...RETRY_DEFAULTS,
  maxRetryTimeMs: SINK_DEFAULTS.recordTtlMs,
};

/** Fast sink retry timing for tests: same shape, milliseconds instead of seconds. */
export const KINESIS_RETRY_TEST_DEFAULTS: RetryTiming = {
  ...RETRY_TEST_DEFAULTS,
  maxRetryTimeMs: SINK_TEST_DEFAULTS.recordTtlMs,
};

/** Environment variable that turns EMF metrics on (`emf`) or off (anything else). */
export const METRICS_ENV = 'GRIDSTREAM_METRICS';
/** Reject file used when none is given (created only when something is written to it). */
export const DEFAULT_REJECT_FILE = 'gridstream-rejects.jsonl';
