import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  useServiceDimension,
} from '../common/metrics.js';
import { isAggregated } from '../kinesis/kplAggregation.js';
import { contractFor, type Dataset } from '../schemas/index.js';
import { ENV, SERVICE_NAMES } from './constants.js';
import { StreamProcessorError } from './errors.js';
import { datasetOfSource, parseSourceDatasets, resourceNameOf } from './sourceDatasets.js';
import type {
  FirehoseRecordResult,
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
} from './types.js';

/** The verdict on one record, with the reason when it failed. */
export interface TransformOutcome {
  readonly recordId: string;
  readonly result: FirehoseRecordResult;
  /** The payload to return, base64: the input unchanged (valid records are not rewritten). */
  readonly data: string;
  /** The response field of the payload: `kafkaRecordValue` when the record came from MSK, else `data`. */
  readonly field: 'data' | 'kafkaRecordValue';
  /** Why the record failed; absent for `Ok`. */
  readonly reason?: string;
  /** `event_id` of the event when it could be read. */
  readonly eventId?: string;
}

const MAX_REASON_VIOLATIONS = 5;

/**
 * A record's payload (base64) and the field it travels in: `data` with a Kinesis or Direct PUT source,
 * `kafkaRecordValue` with an MSK source. Neither present reads as an empty payload (which fails the
 * contract with a reason rather than the invocation).
 */
function payloadOf(record: FirehoseTransformationEventRecord): Pick<TransformOutcome, 'data' | 'field'> {
  if (record.data === undefined && record.kafkaRecordValue !== undefined)
    return { data: record.kafkaRecordValue, field: 'kafkaRecordValue' };
  return { data: record.data ?? '', field: 'data' };
}

function failed(
  record: FirehoseTransformationEventRecord,
  reason: string,
  eventId?: string,
): TransformOutcome {
  return {
    recordId: record.recordId,
    result: 'ProcessingFailed',
    ...payloadOf(record),
    reason,
    ...(eventId === undefined ? {} : { eventId }),
  };
}

/**
 * Validates one Firehose record against its dataset's contract. Valid records pass unchanged (`Ok`);
 * anything else is `ProcessingFailed` with the reason, so Firehose writes it to the
 * `errors/processing-failed/` prefix instead of letting it fail format conversion without a cause.
 *
 * @param dataset - dataset of the delivery stream
 * @param record - one record of the invocation
 */
export function transformRecord(
  dataset: Dataset,
  record: FirehoseTransformationEventRecord,
): TransformOutcome {
  const bytes = Buffer.from(payloadOf(record).data, 'base64');
  // Firehose de-aggregates KPL records itself, before the Lambda, when it reads them from a Kinesis data
  // stream (no processor to configure: RecordDeAggregation only knows JSON and DELIMITED sub-records).
  // An aggregate here came by Direct PUT, and one output record cannot carry many events.
  if (isAggregated(bytes)) {
    return failed(
      record,
      'KPL-aggregated record reached the transformation: Firehose de-aggregates only records it reads from a Kinesis data stream; put one event per record when writing to the delivery stream directly (Direct PUT)',
    );
  }
  const contract = contractFor(dataset);
  const text = bytes.toString('utf8');
  // Before JSON.parse: nesting no contract holds (never parsed or walked then), and what JSON.parse
  // takes but Firehose's format conversion or a lake reader refuses (duplicate keys, lone surrogates).
  const issue = contract.inspectText(text);
  if (issue !== undefined) {
    return failed(record, `refused before parsing: ${issue.path || '<root>'}: ${issue.reason}`);
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    return failed(record, `not JSON: ${(err as Error).message}`);
  }
  const eventId =
    event !== null &&
    typeof event === 'object' &&
    typeof (event as { event_id?: unknown }).event_id === 'string'
      ? (event as { event_id: string }).event_id
      : undefined;
  const violations = contract.validate(event);
  if (violations.length > 0) {
    const shown = violations
      .slice(0, MAX_REASON_VIOLATIONS)
      .map((v) => `${v.path || '<root>'}: ${v.reason}`)
      .join('; ');
    const more =
      violations.length > MAX_REASON_VIOLATIONS
        ? ` (+${violations.length - MAX_REASON_VIOLATIONS} more)`
        : '';
    return failed(record, `violates the ${dataset} contract: ${shown}${more}`, eventId);
  }
  return {
    recordId: record.recordId,
    result: 'Ok',
    ...payloadOf(record),
    ...(eventId === undefined ? {} : { eventId }),
  };
}

/**
 * {@link transformRecord}, and any error it throws becomes that record's `ProcessingFailed`: one record
 * must never fail the invocation (Firehose would retry the whole batch, then send all of it to errors).
 */
function transformSafely(dataset: Dataset, record: FirehoseTransformationEventRecord): TransformOutcome {
  try {
    return transformRecord(dataset, record);
  } catch (err) {
    return failed(record, `transformation failed: ${(err as Error)?.name}: ${(err as Error)?.message}`);
  }
}

/** Dependencies of {@link createFirehoseTransformHandler}. */
export interface FirehoseTransformOptions {
  /** Delivery stream name → dataset. */
  readonly deliveryStreams: Readonly<Record<string, Dataset>>;
  /** @default a Powertools logger for the `firehose-transform` service */
  readonly logger?: Logger;
  /**
   * Where the counts go, with `Dataset` and `Stream` added per invocation.
   * @default Powertools metrics in the `Gridstream` namespace with `Service` = `firehose-transform`
   */
  readonly metrics?: Metrics;
}

/**
 * Creates the Firehose transformation handler: every record is validated against the contract of the
 * delivery stream's dataset, whether Firehose reads a Kinesis stream (payload in `data`) or an MSK topic
 * (payload in `kafkaRecordValue`, answered in the same field). The response carries exactly `recordId`,
 * `result` and the payload; the reason of
 * each failure goes to the function's log (Firehose writes the raw record to the error prefix, it does not
 * store a reason returned by the function).
 *
 * @param options - delivery stream map, logger, metrics
 */
export function createFirehoseTransformHandler(
  options: FirehoseTransformOptions,
): (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult> {
  const logger = options.logger ?? new Logger({ serviceName: SERVICE_NAMES.firehoseTransform });
  const metrics =
    options.metrics ??
    useServiceDimension(
      new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.firehoseTransform }),
      { Service: SERVICE_NAMES.firehoseTransform },
    );
  // biome-ignore lint/suspicious/useAwait: the transformation is synchronous, Lambda's contract is a promise (a throw becomes a rejection)
  return async (event) => {
    let outcomes: TransformOutcome[];
    let dataset: Dataset | undefined;
    try {
      dataset = datasetOfSource(event.deliveryStreamArn, options.deliveryStreams);
      const d = dataset;
      outcomes = event.records.map((r) => transformSafely(d, r));
    } catch (err) {
      if (!(err instanceof StreamProcessorError)) throw err;
      // Unknown delivery stream: fail every record (Firehose keeps them under errors/) rather than pass
      // unvalidated data into the lake.
      const reason = err.message;
      outcomes = event.records.map((r) => failed(r, reason));
    }
    let rejected = 0;
    for (const o of outcomes) {
      if (o.result !== 'ProcessingFailed') continue;
      rejected++;
      logger.warn('record rejected', {
        deliveryStream: event.deliveryStreamArn,
        dataset,
        recordId: o.recordId,
        eventId: o.eventId,
        reason: o.reason,
      });
    }
    // The stream is the Kinesis stream Firehose reads, as for the producers' and delivery's metrics of
    // the dataset; a Direct PUT delivery stream has none and names itself.
    metrics.addDimension(METRIC_DIMENSIONS.dataset, dataset ?? 'unknown');
    metrics.addDimension(
      METRIC_DIMENSIONS.stream,
      resourceNameOf(event.sourceKinesisStreamArn ?? event.sourceMSKArn ?? event.deliveryStreamArn),
    );
    metrics.addMetric(
      METRIC_NAMES.firehoseTransform.recordsValid,
      MetricUnit.Count,
      outcomes.length - rejected,
    );
    metrics.addMetric(METRIC_NAMES.firehoseTransform.recordsRejected, MetricUnit.Count, rejected);
    metrics.publishStoredMetrics();
    return {
      records: outcomes.map((o) =>
        o.field === 'kafkaRecordValue'
          ? { recordId: o.recordId, result: o.result, kafkaRecordValue: o.data }
          : { recordId: o.recordId, result: o.result, data: o.data },
      ),
    };
  };
}

let cached: ((event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>) | undefined;

/** Lambda entry point: reads the delivery stream map from `GRIDSTREAM_DELIVERY_STREAMS` on first use. */
export function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  cached ??= createFirehoseTransformHandler({
    deliveryStreams: parseSourceDatasets(process.env[ENV.deliveryStreams], ENV.deliveryStreams),
  });
  return cached(event);
}
