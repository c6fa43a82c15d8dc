/** A Kinesis record as GetRecords returns it, reduced to what delivery needs. */
export interface KinesisRecordLike {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  /** ApproximateArrivalTimestamp, epoch ms. */
  readonly arrivalMs: number;
}
