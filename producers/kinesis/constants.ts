import { KINESIS_RETRY_DEFAULTS, KINESIS_RETRY_TEST_DEFAULTS } from '../../kinesis/constants.js';

/** The Kinesis service limits, re-exported for the sink's callers. */
export { KINESIS_LIMITS } from '../../kinesis/constants.js';

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
  recordTtlMs: KINESIS_RETRY_DEFAULTS.maxRetryTimeMs,
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
  recordTtlMs: KINESIS_RETRY_TEST_DEFAULTS.maxRetryTimeMs,
  requestTimeoutMs: 10_000,
  closeDeadlineMs: 20_000,
  metricsIntervalMs: 1_000,
};

export { METRICS_ENV } from '../../common/metrics.js';
/** Retry timing of Kinesis API calls (the sink's and delivery's), re-exported for the sink's callers. */
export { KINESIS_RETRY_DEFAULTS, KINESIS_RETRY_TEST_DEFAULTS } from '../../kinesis/constants.js';
/** Reject file used when none is given (created only when something is written to it). */
export const DEFAULT_REJECT_FILE = 'gridstream-rejects.jsonl';
