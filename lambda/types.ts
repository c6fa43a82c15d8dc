// The Lambda event shapes gridstream's handlers take, declared here so the handlers do not depend on
// @types/aws-lambda. Field names follow the payloads AWS sends.

/** One record of a Firehose data-transformation invocation. */
export interface FirehoseTransformationEventRecord {
  /** Id Firehose expects back in the response. */
  readonly recordId: string;
  /** When the record reached Firehose (or Kinesis), epoch milliseconds. */
  readonly approximateArrivalTimestamp: number;
  /**
   * The record payload, base64, with a Kinesis or Direct PUT source. With a Kinesis source, one user record
   * (Firehose de-aggregates KPL records).
   */
  readonly data?: string;
  /** The record payload, base64, with an MSK source (the Kafka record's value; `data` is absent then). */
  readonly kafkaRecordValue?: string;
  /** Set when the source is an MSK topic. */
  readonly mskRecordMetadata?: {
    readonly offset: string;
    readonly partitionId: string;
    readonly approximateArrivalTimestamp?: number;
  };
  /** Set when the source is a Kinesis data stream. */
  readonly kinesisRecordMetadata?: {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly approximateArrivalTimestamp: number;
    readonly sequenceNumber: string;
    readonly subsequenceNumber: number;
  };
}

/** A Firehose data-transformation invocation. */
export interface FirehoseTransformationEvent {
  readonly invocationId: string;
  /** ARN of the delivery stream, `arn:aws:firehose:<region>:<account>:deliverystream/<name>`. */
  readonly deliveryStreamArn: string;
  /** ARN of the source stream when the delivery stream reads from Kinesis. */
  readonly sourceKinesisStreamArn?: string;
  /** ARN of the cluster when the delivery stream reads from MSK. */
  readonly sourceMSKArn?: string;
  readonly region: string;
  readonly records: readonly FirehoseTransformationEventRecord[];
}

/** What a transformation says about one record. */
export type FirehoseRecordResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

/**
 * One record of a transformation response: exactly the fields Firehose accepts — the payload as `data`
 * (Kinesis or Direct PUT source) or as `kafkaRecordValue` (MSK source), base64.
 */
export type FirehoseTransformationResultRecord = {
  readonly recordId: string;
  readonly result: FirehoseRecordResult;
} & ({ readonly data: string } | { readonly kafkaRecordValue: string });

/** A transformation response: one result per input record, same ids. */
export interface FirehoseTransformationResult {
  readonly records: FirehoseTransformationResultRecord[];
}

/** One record of a Kinesis event-source-mapping invocation. */
export interface KinesisStreamRecord {
  readonly kinesis: {
    readonly kinesisSchemaVersion: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    /** Payload, base64. Not de-aggregated: the event source hands KPL aggregates over as they are. */
    readonly data: string;
    /** Epoch seconds (with fraction). */
    readonly approximateArrivalTimestamp: number;
  };
  readonly eventSource: string;
  readonly eventVersion: string;
  readonly eventID: string;
  readonly eventName: string;
  readonly invokeIdentityArn: string;
  readonly awsRegion: string;
  /** ARN of the stream, `arn:aws:kinesis:<region>:<account>:stream/<name>`. */
  readonly eventSourceARN: string;
}

/** A Kinesis event-source-mapping invocation. */
export interface KinesisStreamEvent {
  readonly Records: KinesisStreamRecord[];
}

/** Partial batch response (`ReportBatchItemFailures`): sequence numbers to retry from. */
export interface KinesisBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** An EventBridge scheduled-rule invocation. */
export interface ScheduledEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  /** When the schedule fired, ISO-8601. */
  readonly time: string;
  readonly resources: readonly string[];
}

/** The parts of the Lambda context the handlers use. */
export interface LambdaContext {
  readonly functionName: string;
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}
