import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { encodeAggregatedRecord } from '../../kinesis/kplAggregation.js';
import { handler } from '../../lambda/firehoseTransform.js';
import { createFirehoseTransformHandler, ENV, transformRecord } from '../../lambda/index.js';
import { DATASETS, type Dataset } from '../../schemas/index.js';
import { eventOf } from '../helpers/events.js';
import { firehoseTransformationEvent } from '../helpers/lambdaEvents.js';
import { poisonRecords } from '../helpers/poison.js';
import { captureStdout, metricValue } from './captureOutput.js';

const STREAMS: Record<string, Dataset> = {
  'gs-test-grid': 'grid',
  'gs-test-weather': 'weather',
  'gs-test-transactions': 'transactions',
};
const streamOf = (d: Dataset) => `gs-test-${d}`;

function makeHandler() {
  return createFirehoseTransformHandler({
    deliveryStreams: STREAMS,
    logger: new Logger({ serviceName: 'firehose-transform-test' }),
    metrics: new Metrics({ namespace: 'GridstreamTest', serviceName: 'firehose-transform-test' }),
  });
}

describe.each(DATASETS)('Firehose transformation of %s records', (dataset) => {
  it('returns valid events Ok with the data unchanged', async () => {
    // Prepare
    const event = firehoseTransformationEvent(streamOf(dataset), [eventOf(dataset), eventOf(dataset)]);
    // Act
    const { result } = await captureStdout(() => makeHandler()(event));
    // Assess
    expect(result.records).toEqual(
      event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })),
    );
  });

  it('fails an event that violates the contract, logging the field path as the reason', async () => {
    const bad = { ...eventOf(dataset), event_time: 'yesterday' };
    const event = firehoseTransformationEvent(streamOf(dataset), [eventOf(dataset), bad]);
    const { result, lines } = await captureStdout(() => makeHandler()(event));
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed']);
    expect(result.records[1]).toMatchObject({ data: event.records[1]!.data });
    const log = lines.find((l) => l.message === 'record rejected');
    expect(log).toMatchObject({ recordId: event.records[1]!.recordId, eventId: bad.event_id, dataset });
    expect(String(log?.reason)).toMatch(
      new RegExp(`violates the ${dataset} contract: event_time: expected long`),
    );
    expect(metricValue(lines, 'RecordsRejected')).toBe(1);
    expect(metricValue(lines, 'RecordsValid')).toBe(1);
  });
});

describe('Firehose transformation with an MSK source (payload in kafkaRecordValue)', () => {
  // Firehose hands MSK records over as { recordId, approximateArrivalTimestamp, kafkaRecordValue,
  // mskRecordMetadata } with sourceMSKArn on the event, and expects the payload back as kafkaRecordValue.
  const mskEvent = (payloads: unknown[]) => {
    const kinesisShaped = firehoseTransformationEvent('gs-test-grid', payloads);
    const { sourceKinesisStreamArn: _, ...rest } = kinesisShaped;
    return {
      ...rest,
      sourceMSKArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/gridstream-test/abc',
      records: kinesisShaped.records.map((r, i) => ({
        recordId: r.recordId,
        approximateArrivalTimestamp: r.approximateArrivalTimestamp,
        kafkaRecordValue: r.data!,
        mskRecordMetadata: { offset: String(i), partitionId: '0' },
      })),
    };
  };

  it('validates the Kafka record value and answers in kafkaRecordValue, never data', async () => {
    const bad = { ...eventOf('grid'), lmp_usd_mwh: 'oops' };
    const event = mskEvent([eventOf('grid'), bad]);
    const { result, lines } = await captureStdout(() => makeHandler()(event));
    expect(result.records).toEqual([
      {
        recordId: event.records[0]!.recordId,
        result: 'Ok',
        kafkaRecordValue: event.records[0]!.kafkaRecordValue,
      },
      {
        recordId: event.records[1]!.recordId,
        result: 'ProcessingFailed',
        kafkaRecordValue: event.records[1]!.kafkaRecordValue,
      },
    ]);
    const log = lines.find((l) => l.message === 'record rejected');
    expect(String(log?.reason)).toMatch(/violates the grid contract: lmp_usd_mwh/);
  });
});

describe('transformRecord', () => {
  const record = (payload: Buffer | string) =>
    firehoseTransformationEvent('gs-test-grid', [payload]).records[0]!;

  it('fails a payload that is not JSON, with the parser message', () => {
    const out = transformRecord('grid', record('{"event_id": '));
    expect(out.result).toBe('ProcessingFailed');
    expect(out.reason).toMatch(/^not JSON: /);
  });

  it('fails an event sent to the wrong dataset (fields not in the contract)', () => {
    const out = transformRecord('grid', record(JSON.stringify(eventOf('weather'))));
    expect(out.result).toBe('ProcessingFailed');
    expect(out.reason).toContain('field is not in the grid contract');
    expect(out.reason).toMatch(/\(\+\d+ more\)$/);
  });

  it.each(poisonRecords('lambda'))(
    'fails the poison record $name ($code) with the field and the reason, never throwing',
    ({ text, path, reason }) => {
      const out = transformRecord('grid', record(text));
      expect(out.result).toBe('ProcessingFailed');
      expect(out.reason).toMatch(new RegExp(`^refused before parsing: ${path.replaceAll('.', '\\.')}: `));
      expect(out.reason).toContain(reason);
    },
  );

  it('fails the poison records in one invocation next to valid ones, which stay Ok', async () => {
    const poison = poisonRecords('lambda-batch');
    const event = firehoseTransformationEvent('gs-test-grid', [
      eventOf('grid'),
      ...poison.map((p) => p.text),
      eventOf('grid'),
    ]);
    const { result } = await captureStdout(() => makeHandler()(event));
    expect(result.records.map((r) => r.result)).toEqual([
      'Ok',
      ...poison.map(() => 'ProcessingFailed'),
      'Ok',
    ]);
  });

  it('fails a KPL aggregate: only Firehose de-aggregates, and only from a Kinesis source', () => {
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: Buffer.from(JSON.stringify(eventOf('grid'))) },
    ]);
    const out = transformRecord('grid', record(aggregate));
    expect(out.result).toBe('ProcessingFailed');
    expect(out.reason).toContain('KPL-aggregated');
    expect(out.reason).toContain('Direct PUT');
    expect(out.reason).not.toContain('RecordDeAggregation');
  });
});

describe('Firehose transformation handler', () => {
  it('fails every record of a delivery stream it has no dataset for', async () => {
    const event = firehoseTransformationEvent('someone-elses-stream', [eventOf('grid')]);
    const { result, lines } = await captureStdout(() => makeHandler()(event));
    expect(result.records.map((r) => r.result)).toEqual(['ProcessingFailed']);
    expect(String(lines.find((l) => l.message === 'record rejected')?.reason)).toContain(
      'source "someone-elses-stream" is not mapped to a dataset',
    );
  });

  it('returns exactly recordId, result and data for each record (what Firehose accepts)', async () => {
    const event = firehoseTransformationEvent('gs-test-grid', [eventOf('grid'), 'garbage']);
    const { result } = await captureStdout(() => makeHandler()(event));
    for (const r of result.records) expect(Object.keys(r).sort()).toEqual(['data', 'recordId', 'result']);
  });

  it('reads the delivery stream map from the environment in the Lambda entry point', async () => {
    process.env[ENV.deliveryStreams] = JSON.stringify({ 'env-grid': 'grid' });
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'GridstreamTest';
    try {
      const event = firehoseTransformationEvent('env-grid', [eventOf('grid')]);
      const { result } = await captureStdout(() => handler(event));
      expect(result.records[0]?.result).toBe('Ok');
    } finally {
      delete process.env[ENV.deliveryStreams];
      delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    }
  });
});
