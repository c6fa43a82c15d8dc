import { encodeAggregatedRecord } from '../../kinesis/kplAggregation.js';
import type {
  FirehoseTransformationEvent,
  KinesisStreamEvent,
  KinesisStreamRecord,
  LambdaContext,
  ScheduledEvent,
} from '../../lambda/types.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
let sequence = 0;

function nextSequenceNumber(): string {
  sequence += 1;
  return `4959000000000000000000000000000000000000000000${String(sequence).padStart(10, '0')}`;
}

function bytesOf(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/** ARN of a Kinesis stream in the test account. */
export function kinesisStreamArn(name: string): string {
  return `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
}

/** ARN of a Firehose delivery stream in the test account. */
export function deliveryStreamArn(name: string): string {
  return `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${name}`;
}

/**
 * A Firehose data-transformation invocation (Kinesis source). Each payload becomes one record: objects
 * are JSON-encoded, strings and buffers are sent as they are (for malformed input).
 *
 * @param deliveryStream - delivery stream name
 * @param payloads - one per record
 */
export function firehoseTransformationEvent(
  deliveryStream: string,
  payloads: readonly unknown[],
  sourceStream = deliveryStream,
): FirehoseTransformationEvent {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  return {
    invocationId: `inv-${process.pid}-${sequence}`,
    deliveryStreamArn: deliveryStreamArn(deliveryStream),
    sourceKinesisStreamArn: kinesisStreamArn(sourceStream),
    region: REGION,
    records: payloads.map((p, i) => ({
      recordId: `rec-${i}-${nextSequenceNumber()}`,
      approximateArrivalTimestamp: now,
      data: bytesOf(p).toString('base64'),
      kinesisRecordMetadata: {
        shardId: 'shardId-000000000000',
        partitionKey: `pk-${i}`,
        approximateArrivalTimestamp: now,
        sequenceNumber: nextSequenceNumber(),
        subsequenceNumber: 0,
      },
    })),
  };
}

/** How one Kinesis record of a {@link kinesisStreamEvent} is built. */
export type KinesisRecordSpec =
  /** One plain record holding one event (JSON-encoded). */
  | { readonly plain: unknown }
  /** One KPL aggregate holding these events. */
  | { readonly aggregated: readonly unknown[] }
  /** These exact bytes (corrupt aggregates, non-JSON). */
  | { readonly raw: Buffer };

/**
 * A Kinesis event-source-mapping invocation: the records as the Lambda service delivers them, i.e.
 * KPL aggregates are not de-aggregated.
 *
 * @param stream - stream name
 * @param specs - one per Kinesis record
 */
export function kinesisStreamEvent(stream: string, specs: readonly KinesisRecordSpec[]): KinesisStreamEvent {
  const records: KinesisStreamRecord[] = specs.map((spec, i) => {
    const partitionKey = `pk-${i}`;
    let data: Buffer;
    if ('aggregated' in spec) {
      data = encodeAggregatedRecord(
        spec.aggregated.map((e, j) => ({ partitionKey: `${partitionKey}-${j}`, data: bytesOf(e) })),
      );
    } else if ('raw' in spec) {
      data = spec.raw;
    } else {
      data = bytesOf(spec.plain);
    }
    const sequenceNumber = nextSequenceNumber();
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey,
        sequenceNumber,
        data: data.toString('base64'),
        approximateArrivalTimestamp: Date.UTC(2026, 10, 22, 12, 0, 0) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/test-consumer`,
      awsRegion: REGION,
      eventSourceARN: kinesisStreamArn(stream),
    };
  });
  return { Records: records };
}

/** An EventBridge scheduled-rule invocation. */
export function scheduledEvent(time = '2026-11-22T12:00:00Z'): ScheduledEvent {
  return {
    id: `sched-${nextSequenceNumber()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/test-schedule`],
  };
}

/** A Lambda context with a generous remaining time. */
export function lambdaContext(functionName = 'test-function'): LambdaContext {
  return {
    functionName,
    awsRequestId: `req-${nextSequenceNumber()}`,
    getRemainingTimeInMillis: () => 60_000,
  };
}
