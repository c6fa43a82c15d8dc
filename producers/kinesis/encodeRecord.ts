import { utf8Length } from '../../kinesis/utf8Length.js';
import {
  type Contract,
  ContractViolationError,
  type Dataset,
  type EventByDataset,
} from '../../schemas/index.js';
import { KINESIS_LIMITS } from './constants.js';
import { InvalidPartitionKeyError, RecordTooLargeError } from './errors.js';
import type { RejectionError } from './types.js';

/** One event as a Kinesis user record: validated, serialized once, keyed and measured. */
export interface EncodedRecord {
  readonly eventId: string;
  readonly partitionKey: string;
  /** The event's JSON (UTF-8 encoded only when written: into an aggregate, or as a plain record). */
  readonly data: string;
  /** UTF-8 length of `data`. */
  readonly dataLength: number;
  /** data + partition key bytes: what the sink's buffer limits and Kinesis' limits count. */
  readonly size: number;
  /** When the record expires (epoch ms); 0 until the sink accepts it into its buffer. */
  deadline: number;
  /**
   * The caller's number from `put(event, tag)`, given back with the record to `onSettled` (0 when none):
   * a load worker finds an event's intended time and stage there without a lookup per event.
   */
  tag: number;
}

/**
 * The CPU work `KinesisSink.put()` does per event before buffering it: validate and serialize in one
 * pass (`contract.serialize`), derive the partition key, and check both against Kinesis' limits.
 * The producer benchmark measures this same function.
 *
 * @param contract - the dataset's contract
 * @param partitionKeyOf - the partition key of a valid event
 * @param event - the event (any value: it is validated here)
 * @returns the record, or why it is refused (never thrown: a producer loop carries on)
 */
export function encodeRecord<D extends Dataset>(
  contract: Contract<D>,
  partitionKeyOf: (event: EventByDataset[D]) => string,
  event: unknown,
): EncodedRecord | RejectionError {
  const out = contract.serialize(event);
  if (Array.isArray(out)) {
    const id = (event as { event_id?: unknown } | null)?.event_id;
    return new ContractViolationError(contract.dataset, typeof id === 'string' ? id : undefined, out);
  }
  const valid = event as EventByDataset[D];
  const partitionKey = partitionKeyOf(valid);
  if (partitionKey.length === 0 || partitionKey.length > KINESIS_LIMITS.maxPartitionKeyLength) {
    // Kinesis would refuse the whole PutRecords call for one bad key: refuse the event instead.
    return new InvalidPartitionKeyError(valid.event_id, partitionKey);
  }
  const size = out.byteLength + utf8Length(partitionKey);
  if (size > KINESIS_LIMITS.maxRecordBytes) {
    return new RecordTooLargeError(valid.event_id, size, KINESIS_LIMITS.maxRecordBytes);
  }
  return {
    eventId: valid.event_id,
    partitionKey,
    data: out.json,
    dataLength: out.byteLength,
    size,
    deadline: 0,
    tag: 0,
  };
}
