import { type Dataset, PARTITION_TIME_FIELDS } from '../../../schemas/index.js';

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
 * The JQ expression of a dataset's partition time (epoch milliseconds, UTC): the first non-null field
 * of `PARTITION_TIME_FIELDS`, e.g. `(.forecast_issued_at // .event_time)` for weather — the same rule
 * as the local delivery's `partitionTimeOf`. (`//` falls back on null and on a missing field.)
 *
 * @param dataset - dataset
 */
export function partitionTimeJq(dataset: Dataset): string {
  return `(${PARTITION_TIME_FIELDS[dataset].map((f) => `.${f}`).join(' // ')})`;
}

/**
 * Firehose dynamic-partitioning JQ queries of a dataset: partition keys from its partition time.
 * jq's strftime formats in UTC, like `partitionOf` does.
 *
 * @param dataset - dataset
 */
export function partitionKeyQueries(dataset: Dataset): { readonly dt: string; readonly hr: string } {
  const t = partitionTimeJq(dataset);
  return { dt: `${t}/1000|strftime("%Y-%m-%d")`, hr: `${t}/1000|strftime("%H")` };
}

/**
 * The JQ 1.6 metadata-extraction query Firehose runs for a dataset, `{dt: ..., hr: ...}`.
 *
 * @param dataset - dataset
 */
export function partitionKeyQuery(dataset: Dataset): string {
  return `{${Object.entries(partitionKeyQueries(dataset))
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
