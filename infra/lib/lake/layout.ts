import { type Dataset, EVENT_TIME_FIELD } from '../../../schemas/index.js';

/** Top-level folder of the raw bucket holding Firehose's error records. */
export const ERRORS_ZONE = 'errors';

/**
 * The S3 layout of the lake, shared by Firehose (dynamic partitioning), the Glue tables (partition
 * projection) and the local delivery (`partitionPrefix` in schemas/): `<zone>/<dataset>/dt=YYYY-MM-DD/hr=HH/`
 * from `event_time` in UTC. Each zone lives in its own bucket, under the same key layout.
 */

/** Key prefix of a dataset in a zone: `<zone>/<dataset>/`. */
export function datasetPrefix(zone: string, dataset: Dataset | string): string {
  return `${zone}/${dataset}/`;
}

/**
 * Firehose dynamic-partitioning JQ query: partition keys from `event_time` (epoch milliseconds, UTC).
 * jq's strftime formats in UTC, like `partitionOf` does.
 */
export const PARTITION_KEY_QUERY = {
  dt: `.${EVENT_TIME_FIELD}/1000|strftime("%Y-%m-%d")`,
  hr: `.${EVENT_TIME_FIELD}/1000|strftime("%H")`,
} as const;

/** The JQ 1.6 metadata-extraction query Firehose runs, `{dt: ..., hr: ...}`. */
export function partitionKeyQuery(): string {
  return `{${Object.entries(PARTITION_KEY_QUERY)
    .map(([k, q]) => `${k}: (${q})`)
    .join(', ')}}`;
}

/** Firehose S3 prefix of a dataset: `raw/<dataset>/dt=!{partitionKeyFromQuery:dt}/hr=!{partitionKeyFromQuery:hr}/`. */
export function firehosePrefix(dataset: Dataset): string {
  return `${datasetPrefix('raw', dataset)}dt=!{partitionKeyFromQuery:dt}/hr=!{partitionKeyFromQuery:hr}/`;
}

/**
 * Firehose error prefix: `errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/`,
 * the layout of the local delivery's error objects (`errors/<type>/dt=/hr=/` by arrival time, UTC). Error
 * types are the same words (processing-failed, format-conversion-failed; Firehose adds partitioning-failed);
 * object names start with the delivery stream's name, which carries the dataset.
 */
export const FIREHOSE_ERROR_PREFIX =
  `${ERRORS_ZONE}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/` as const;
