import { KINESIS_RETRY_DEFAULTS, KINESIS_RETRY_TEST_DEFAULTS } from '../../kinesis/constants.js';

/** Kafka sink tuning (see `KafkaSinkOptions` for what each one does). */
export interface KafkaSinkDefaults {
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly recordTtlMs: number;
  readonly maxBufferedBytes: number;
  readonly maxBufferedRecords: number;
  readonly requestTimeoutMs: number;
  readonly closeDeadlineMs: number;
  readonly metricsIntervalMs: number;
}

/**
 * Production defaults. The linger and the batch size follow the Java producer's spirit (linger.ms 5–100,
 * batch.size per partition): a send carries at most `maxBatchBytes` uncompressed so no partition's
 * record batch can pass the broker's 1 MiB `message.max.bytes`; one send is in flight at a time, which
 * keeps every key's order across retries.
 */
export const KAFKA_SINK_DEFAULTS: KafkaSinkDefaults = {
  lingerMs: 50,
  maxBatchRecords: 5000,
  maxBatchBytes: 900_000,
  recordTtlMs: KINESIS_RETRY_DEFAULTS.maxRetryTimeMs,
  maxBufferedBytes: 32 * 1024 * 1024,
  maxBufferedRecords: 100_000,
  requestTimeoutMs: 30_000,
  closeDeadlineMs: 30_000,
  metricsIntervalMs: 60_000,
};

/** Fast defaults for tests: short linger and TTL so a test never waits on a production timer. */
export const KAFKA_SINK_TEST_DEFAULTS: KafkaSinkDefaults = {
  ...KAFKA_SINK_DEFAULTS,
  lingerMs: 5,
  recordTtlMs: KINESIS_RETRY_TEST_DEFAULTS.maxRetryTimeMs,
  requestTimeoutMs: 10_000,
  closeDeadlineMs: 20_000,
  metricsIntervalMs: 1_000,
};
