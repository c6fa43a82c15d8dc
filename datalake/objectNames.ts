import { partitionPrefix } from '../schemas/index.js';
import { ERRORS_ZONE, type ErrorType, OBJECT_NAME_VERSION, RAW_ZONE } from './layout.js';
import { LAKE_SYSTEM_PREFIXES } from './storage/index.js';

/** What names a batch's objects: the same batch always gets the same names. */
export interface BatchIdentity {
  /** Kinesis stream name. */
  readonly stream: string;
  /** Shard id. */
  readonly shardId: string;
  /** First Kinesis sequence number of the batch. */
  readonly firstSequenceNumber: string;
  /** Last Kinesis sequence number of the batch. */
  readonly lastSequenceNumber: string;
  /** ApproximateArrivalTimestamp of the batch's first record, epoch ms (stored in the stream, so stable). */
  readonly firstArrivalMs: number;
}

function firehoseTimestamp(ms: number): string {
  // yyyy-MM-dd-HH-mm-ss, UTC, like Firehose's object names.
  return new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, '-');
}

/**
 * The file name of one of a batch's objects:
 * `<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<shardId>-<firstSeq>-<lastSeq>.<ext>`. Firehose puts a
 * random id where gridstream puts the shard and sequence range: a replay of the same range after a
 * crash writes the same name and so replaces, never duplicates.
 *
 * @param batch - the batch identity
 * @param extension - `parquet` or `jsonl`
 */
export function batchFileName(batch: BatchIdentity, extension: 'parquet' | 'jsonl'): string {
  return `${batch.stream}-${OBJECT_NAME_VERSION}-${firehoseTimestamp(batch.firstArrivalMs)}-${batch.shardId}-${batch.firstSequenceNumber}-${batch.lastSequenceNumber}.${extension}`;
}

/**
 * Lake key of a batch's Parquet object for one event-time hour:
 * `raw/<dataset>/dt=YYYY-MM-DD/hr=HH/<batchFileName>`.
 *
 * @param dataset - dataset (lake folder)
 * @param hourStartMs - any epoch-ms time in the partition's hour (event time)
 * @param batch - the batch identity
 */
export function dataObjectKey(dataset: string, hourStartMs: number, batch: BatchIdentity): string {
  return `${partitionPrefix(RAW_ZONE, dataset, hourStartMs)}${batchFileName(batch, 'parquet')}`;
}

/**
 * Lake key of a batch's error object for one error type and arrival hour:
 * `errors/<type>/dt=YYYY-MM-DD/hr=HH/<batchFileName>` with extension `jsonl`.
 *
 * @param type - error type folder
 * @param hourStartMs - any epoch-ms time in the records' arrival hour
 * @param batch - the batch identity
 */
export function errorObjectKey(type: ErrorType, hourStartMs: number, batch: BatchIdentity): string {
  return `${partitionPrefix(ERRORS_ZONE, type, hourStartMs)}${batchFileName(batch, 'jsonl')}`;
}

/**
 * Lake key of a shard's checkpoint: `_checkpoints/<stream>/<shardId>.json`.
 *
 * @param stream - stream name
 * @param shardId - shard id
 */
export function checkpointKey(stream: string, shardId: string): string {
  return `${LAKE_SYSTEM_PREFIXES.checkpoints}${stream}/${shardId}.json`;
}

/**
 * Lake key of a stream's write lease.
 *
 * @param stream - stream name
 */
export function leaseKey(stream: string): string {
  return `${LAKE_SYSTEM_PREFIXES.leases}${stream}.json`;
}

const BATCH_ARRIVAL = new RegExp(
  `-${OBJECT_NAME_VERSION}-(\\d{4}-\\d{2}-\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-`,
);

/**
 * The arrival time a batch's object name carries ({@link batchFileName}: its first record's
 * ApproximateArrivalTimestamp, to the second, rounded down): a lower bound of every row's arrival.
 *
 * @param name - an object's file name
 * @returns epoch ms, or undefined for a name delivery did not write (a compacted file, Firehose's)
 */
export function batchFileArrivalMs(name: string): number | undefined {
  const m = BATCH_ARRIVAL.exec(name);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
