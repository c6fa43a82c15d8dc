import type { Dataset } from '../../schemas/index.js';

/** Lake zones: one key prefix each (`<zone>/<table>/`); raw in the raw bucket, curated and gold in the curated bucket. */
export const ZONES = ['raw', 'curated', 'gold'] as const;
/** One of {@link ZONES}. */
export type Zone = (typeof ZONES)[number];

/** Prefix of every physical name: `gridstream-<env>`. */
export function resourcePrefix(envName: string): string {
  return `gridstream-${envName}`;
}

/** CloudFormation stack name of one part of the app: `Gridstream-<Env>-<Part>`. */
export function stackName(envName: string, part: string): string {
  return `Gridstream-${envName.charAt(0).toUpperCase()}${envName.slice(1)}-${part}`;
}

/** Name of a dataset's Kinesis data stream: `gridstream-<env>-<dataset>`. */
export function kinesisStreamName(envName: string, dataset: Dataset): string {
  return `${resourcePrefix(envName)}-${dataset}`;
}

/** Name of a dataset's Firehose delivery stream: `gridstream-<env>-<dataset>-raw`. */
export function deliveryStreamName(envName: string, dataset: Dataset): string {
  return `${resourcePrefix(envName)}-${dataset}-raw`;
}

/**
 * The environment's Glue database, `gridstream_<env>` (Glue/Athena names take no hyphens). One database
 * holds every zone, tables named `<zone>_<table>` exactly like the local query views (`raw_grid`,
 * `curated_grid`, `gold_grid_weather_hourly`), so the SQL in sql/athena runs unchanged in both places.
 */
export function glueDatabaseName(envName: string): string {
  return `gridstream_${envName.replace(/-/g, '_')}`;
}

/** Catalog name of a zone table: `<zone>_<table>`. */
export function catalogTableName(zone: Zone, table: string): string {
  return `${zone}_${table}`;
}

/** Name of the environment's MSK cluster: `gridstream-<env>-kafka` (the `Cluster Name` dimension of its metrics). */
export function kafkaClusterName(envName: string): string {
  return `${resourcePrefix(envName)}-kafka`;
}
