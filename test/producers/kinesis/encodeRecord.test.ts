import { describe, expect, it } from 'vitest';
import { partitionKeyOf } from '../../../kinesis/partitionKeys.js';
import { KINESIS_LIMITS } from '../../../producers/kinesis/constants.js';
import { type EncodedRecord, encodeRecord } from '../../../producers/kinesis/encodeRecord.js';
import { InvalidPartitionKeyError, RecordTooLargeError } from '../../../producers/kinesis/errors.js';
import {
  type Contract,
  ContractViolationError,
  contractFor,
  DATASETS,
  type Dataset,
  type EventByDataset,
} from '../../../schemas/index.js';
import { eventOf } from '../../helpers/events.js';

// encodeRecord is KinesisSink.put()'s per-event work (and what the producer benchmark measures).
describe.each(DATASETS.map((d) => [d] as [Dataset]))('encodeRecord: %s', (dataset) => {
  const contract = contractFor(dataset) as Contract;
  const keyOf = (e: EventByDataset[Dataset]) => partitionKeyOf(dataset, e);

  it('turns a valid event into its JSON, partition key and sizes', () => {
    // Prepare
    const event = eventOf(dataset);
    // Act
    const record = encodeRecord(contract, keyOf, event) as EncodedRecord;
    // Assess
    const json = JSON.stringify(event);
    expect(record).toEqual({
      eventId: event.event_id,
      partitionKey: keyOf(event),
      data: json,
      dataLength: Buffer.byteLength(json),
      size: Buffer.byteLength(json) + Buffer.byteLength(keyOf(event)),
      deadline: 0,
      tag: 0,
    });
  });

  it('measures multi-byte text and keys in UTF-8 bytes', () => {
    const event = { ...eventOf(dataset), source: 'Zürich €' };
    const record = encodeRecord(contract, () => 'ключ', event) as EncodedRecord;
    expect(record.data).toBe(JSON.stringify(event));
    expect(record.dataLength).toBe(Buffer.byteLength(record.data));
    expect(record.size).toBe(record.dataLength + Buffer.byteLength('ключ'));
  });

  it('refuses an invalid event with the violations validate() reports, naming the event', () => {
    const event = { ...eventOf(dataset), event_time: 'yesterday', extra: 1 };
    const error = encodeRecord(contract, keyOf, event);
    expect(error).toBeInstanceOf(ContractViolationError);
    expect((error as ContractViolationError).violations).toEqual(contract.validate(event));
    expect((error as ContractViolationError).eventId).toBe(event.event_id);
  });

  it('refuses a partition key Kinesis would refuse', () => {
    const event = eventOf(dataset);
    for (const key of ['', 'k'.repeat(KINESIS_LIMITS.maxPartitionKeyLength + 1)]) {
      expect(encodeRecord(contract, () => key, event)).toBeInstanceOf(InvalidPartitionKeyError);
    }
  });

  it('refuses an event over the Kinesis record limit', () => {
    const event = { ...eventOf(dataset), producer_id: 'p'.repeat(KINESIS_LIMITS.maxRecordBytes) };
    const error = encodeRecord(contract, keyOf, event);
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect((error as RecordTooLargeError).sizeBytes).toBeGreaterThan(KINESIS_LIMITS.maxRecordBytes);
  });
});
