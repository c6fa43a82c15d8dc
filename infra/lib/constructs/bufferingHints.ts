import { Token } from 'aws-cdk-lib';

/** Firehose S3 buffering hints. */
export interface BufferingHints {
  /** Buffer size, MiB. */
  readonly sizeMiB: number;
  /** Buffer interval, seconds. */
  readonly intervalSeconds: number;
}

/** Which Firehose features constrain the buffering hints. */
export interface BufferingFeatures {
  /** Record format conversion (JSON → Parquet/ORC) is enabled. */
  readonly formatConversion: boolean;
  /** Dynamic partitioning is enabled. */
  readonly dynamicPartitioning: boolean;
}

/**
 * Firehose's limits on S3 buffering hints: 1..128 MiB and 0..900 s in general; at least 64 MiB with
 * record format conversion or dynamic partitioning, and at least 60 s with dynamic partitioning or
 * format conversion (zero buffering is not available for either).
 */
export const FIREHOSE_BUFFERING_LIMITS = {
  minSizeMiB: 1,
  minSizeMiBConvertedOrPartitioned: 64,
  maxSizeMiB: 128,
  minIntervalSeconds: 0,
  minIntervalSecondsConvertedOrPartitioned: 60,
  maxIntervalSeconds: 900,
} as const;

/**
 * Every rule the buffering hints break, as messages naming the value received; empty when valid.
 * Unresolved tokens are skipped (they are checked by the service at deploy time).
 *
 * @param hints - the hints to check
 * @param features - the features enabled on the delivery stream
 */
export function bufferingHintProblems(hints: BufferingHints, features: BufferingFeatures): string[] {
  const L = FIREHOSE_BUFFERING_LIMITS;
  const constrained = features.formatConversion || features.dynamicPartitioning;
  const why = [
    ...(features.formatConversion ? ['record format conversion'] : []),
    ...(features.dynamicPartitioning ? ['dynamic partitioning'] : []),
  ].join(' and ');
  const problems: string[] = [];
  const size = hints.sizeMiB;
  if (!Token.isUnresolved(size)) {
    if (!Number.isInteger(size)) problems.push(`buffer size must be a whole number of MiB, got ${size}`);
    else if (size > L.maxSizeMiB)
      problems.push(`buffer size must be <= ${L.maxSizeMiB} MiB, got ${size} MiB`);
    else if (constrained && size < L.minSizeMiBConvertedOrPartitioned) {
      problems.push(
        `buffer size must be >= ${L.minSizeMiBConvertedOrPartitioned} MiB with ${why}, got ${size} MiB`,
      );
    } else if (size < L.minSizeMiB)
      problems.push(`buffer size must be >= ${L.minSizeMiB} MiB, got ${size} MiB`);
  }
  const interval = hints.intervalSeconds;
  if (!Token.isUnresolved(interval)) {
    if (!Number.isInteger(interval))
      problems.push(`buffer interval must be a whole number of seconds, got ${interval}`);
    else if (interval > L.maxIntervalSeconds) {
      problems.push(`buffer interval must be <= ${L.maxIntervalSeconds} s, got ${interval} s`);
    } else if (constrained && interval < L.minIntervalSecondsConvertedOrPartitioned) {
      problems.push(
        `buffer interval must be >= ${L.minIntervalSecondsConvertedOrPartitioned} s with ${why}, got ${interval} s`,
      );
    } else if (interval < L.minIntervalSeconds) {
      problems.push(`buffer interval must be >= ${L.minIntervalSeconds} s, got ${interval} s`);
    }
  }
  return problems;
}
