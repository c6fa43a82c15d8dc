import type { Dataset } from '../../schemas/index.js';

/** Lake zones with Glue databases of their own. */
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

/** Glue database of a zone: `gridstream_<env>_<zone>` (Glue/Athena names take no hyphens). */
export function glueDatabaseName(envName: string, zone: Zone): string {
  return `gridstream_${envName.replace(/-/g, '_')}_${zone}`;
}
