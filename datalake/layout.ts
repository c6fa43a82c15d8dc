// The raw zone's layout names: what delivery writes and curation and queries read.

/** Version segment of object names (`<stream>-<version>-…`), as Firehose puts its delivery stream version. */
export const OBJECT_NAME_VERSION = 1;

/** Zone prefix of the data delivery writes. */
export const RAW_ZONE = 'raw';

/**
 * Error output folders (`errors/<type>/dt=…/hr=…/`), named like Firehose's error output prefixes:
 * - `deaggregation-failed`: a KPL aggregate failed its MD5, its protobuf is truncated/malformed, or it
 *   holds no user record at all; the whole Kinesis record is kept.
 * - `processing-failed`: a user record could not be turned into a row (too large, timestamp out of range).
 * - `format-conversion-failed`: not UTF-8, not JSON, JSON the lake's readers refuse (nested too deep,
 *   a duplicate key, an unpaired surrogate escape), JSON that fails the dataset's contract, or a row
 *   DuckDB refused to convert to Parquet.
 */
export const ERROR_TYPES = {
  deaggregation: 'deaggregation-failed',
  processing: 'processing-failed',
  formatConversion: 'format-conversion-failed',
} as const;

/** Lake prefix of the error output. */
export const ERRORS_ZONE = 'errors';

/** Name of an error output folder (`errors/<type>/`). */
export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];
