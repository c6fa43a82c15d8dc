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
 * PutRecords per-entry `ErrorCode`s and whole-call error names that mean "too fast for the stream":
 * the sink slows down (halves its concurrency, backs off) and re-sends, never drops.
 */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);

/**
 * Error names that a later attempt may not see: service-side failures, timeouts and dropped
 * connections. Throttling names count as transient too.
 */
export const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  ...THROTTLING_ERROR_NAMES,
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

/** Node socket error codes that mean the connection, not the request, failed. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** Retry timing: jittered exponential backoff bounded by a total time. */
export interface RetryDefaults {
  /** First backoff delay, ms. */
  readonly initialRetryTimeMs: number;
  /** Growth factor of the delay per attempt. */
  readonly multiplier: number;
  /** Jitter: each delay is scaled by a random factor in [1 - factor, 1 + factor]. */
  readonly factor: number;
  /** Cap on a single delay, ms. */
  readonly maxBackoffMs: number;
  /** Total time after the first attempt after which the retrier gives up, ms. */
  readonly maxRetryTimeMs: number;
  /** Max attempts after the first one. */
  readonly retries: number;
}

/**
 * Production retry defaults. The total time matches the default record TTL: a batch is retried as long
 * as its records are allowed to live.
 */
export const RETRY_DEFAULTS: RetryDefaults = {
  initialRetryTimeMs: 100,
  multiplier: 2,
  factor: 0.2,
  maxBackoffMs: 5_000,
  maxRetryTimeMs: 300_000,
  retries: Number.POSITIVE_INFINITY,
};

/** Fast retry defaults for tests: same shape, milliseconds instead of seconds. */
export const RETRY_TEST_DEFAULTS: RetryDefaults = {
  initialRetryTimeMs: 2,
  multiplier: 2,
  factor: 0.2,
  maxBackoffMs: 25,
  maxRetryTimeMs: 20_000,
  retries: Number.POSITIVE_INFINITY,
};

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

/** CloudWatch namespace of the EMF metrics. */
export const METRICS_NAMESPACE = 'gridstream';
/** `service` dimension of the EMF metrics. */
export const METRICS_SERVICE = 'producer';
/** Environment variable that turns EMF metrics on (`emf`) or off (anything else). */
export const METRICS_ENV = 'GRIDSTREAM_METRICS';
/** Reject file used when none is given (created only when something is written to it). */
export const DEFAULT_REJECT_FILE = 'gridstream-rejects.jsonl';
