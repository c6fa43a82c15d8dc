/**
 * Kinesis Data Streams read quotas the worker stays within (GetRecords API reference, 2026):
 * at most 5 GetRecords calls per second per shard, each returning at most 10,000 records or 10 MiB.
 */
export const KINESIS_READ_LIMITS = {
  /** Max GetRecords calls per second per shard. */
  maxGetRecordsCallsPerSecond: 5,
  /** Max records one GetRecords call may ask for. */
  maxRecordsPerGetRecords: 10_000,
  /** Max bytes one GetRecords call returns (the service enforces it; documented for readers). */
  maxBytesPerGetRecords: 10 * 1024 * 1024,
  /** A shard iterator expires 5 minutes after it was issued. */
  iteratorLifetimeMs: 300_000,
} as const;

/**
 * Firehose's limit on one record: larger user records go to `errors/processing-failed/` with code
 * `record_too_large` instead of the lake.
 */
export const MAX_EVENT_BYTES = 1_000 * 1024;

/** Tuning defaults of the delivery worker (see `DeliveryWorkerOptions` for what each does). */
export const DELIVERY_DEFAULTS = {
  /** Buffer interval: a shard's batch is flushed this long after its first record was read. */
  bufferIntervalMs: 2_000,
  /** Buffer size: a shard's batch is flushed once its raw JSON reaches this many bytes. */
  bufferSizeBytes: 8 * 1024 * 1024,
  /**
   * Bytes buffered across all shards (open batches plus batches being written) before shards flush
   * early and wait: keeps memory bounded however many shards are read.
   */
  maxBufferedBytes: 64 * 1024 * 1024,
  /** Records asked for per GetRecords call. */
  maxRecordsPerCall: KINESIS_READ_LIMITS.maxRecordsPerGetRecords,
  /**
   * Bytes one GetRecords call aims at (the record limit is lowered to fit, from the mean record size).
   * Below Kinesis' 10 MiB cap, and bounding what a response holds in memory per shard. At 5 calls/s it
   * is what lets a reader catch up faster than 10 MiB/s per shard where the source allows it (an
   * emulator, enhanced fan-out's budget); on AWS a shard serves 2 MiB/s either way, and the throttled
   * calls that follow a large one are retried with backoff.
   */
  targetBytesPerCall: 8 * 1024 * 1024,
  /** Min gap between two GetRecords calls on one shard: 200 ms = 5 calls/s. */
  minCallIntervalMs: 1_000 / KINESIS_READ_LIMITS.maxGetRecordsCallsPerSecond,
  /** Wait after a GetRecords call that found the shard drained (KCL's idleTimeBetweenReads is 1 s). */
  idlePollIntervalMs: 500,
  /** How often shards are listed again to discover resharding. */
  shardSyncIntervalMs: 10_000,
  /**
   * Kinesis failing for longer than this gives up (`SourceUnreachableError`) once it had answered:
   * never, by default — a long-running worker waits out an outage of any length.
   */
  sourceGiveUpAfterMs: Number.POSITIVE_INFINITY,
  /** Kinesis not answering a single call this long after the start gives up: nothing listens there. */
  sourceNeverReachedGiveUpMs: 30_000,
  /** How often the per-stream gauges (iterator age, unreachable time) are emitted as metrics. */
  gaugeIntervalMs: 10_000,
  /** Parquet files written at once (each runs a DuckDB COPY on the libuv thread pool). */
  maxConcurrentWrites: 2,
  /** Threads DuckDB may use per COPY (concurrent COPYs already use both cores of a small machine). */
  duckDbThreads: 1,
  /** Max user-record size before it is rejected as `record_too_large`. */
  maxEventBytes: MAX_EVENT_BYTES,
  /**
   * A stream's lease lapses this long after its holder's last renewal: how long a second worker waits
   * for a holder that stopped without releasing (a holder whose pid is gone on the same host is
   * replaced at once).
   */
  leaseTtlMs: 15_000,
  /** The holder renews its lease this often (at most a third of the ttl). */
  leaseHeartbeatMs: 3_000,
} as const;

/** Layout version of the lease document (`_leases/<stream>.json`). */
export const LEASE_FORMAT_VERSION = 1;

/** Machine-readable reason of an error record (`errorCode`). */
export const ERROR_CODES = {
  checksumMismatch: 'checksum_mismatch',
  truncated: 'truncated',
  malformed: 'malformed',
  /** A valid KPL aggregate (MD5 matches) with no user record in it: nothing to deliver, kept as a trace. */
  emptyAggregate: 'empty_aggregate',
  recordTooLarge: 'record_too_large',
  timestampOutOfRange: 'timestamp_out_of_range',
  invalidUtf8: 'invalid_utf8',
  invalidJson: 'invalid_json',
  contractViolation: 'contract_violation',
  /** Arrays/objects nested deeper than the contract can hold (`Contract.maxDepth`). */
  tooDeep: 'too_deep',
  /** An object names a key twice. */
  duplicateKey: 'duplicate_key',
  /** A `\uD800`-`\uDFFF` escape that is not half of a surrogate pair. */
  unpairedSurrogate: 'unpaired_surrogate',
  /** DuckDB refused the row when converting its batch to Parquet (the last line of defence). */
  conversionRefused: 'conversion_refused',
} as const;

/**
 * Timestamps the lake can hold: years 1970 through 9999 in UTC, so that `dt=YYYY-MM-DD` is always a
 * four-digit-year date and microseconds fit in a Parquet INT64.
 */
export const TIMESTAMP_RANGE_MS = { min: 0, max: 253_402_300_799_999 } as const;

/** Version of the checkpoint document layout. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The lake's layout names, re-exported for delivery's callers. */
export { ERROR_TYPES, ERRORS_ZONE, OBJECT_NAME_VERSION, RAW_ZONE } from '../../datalake/layout.js';
