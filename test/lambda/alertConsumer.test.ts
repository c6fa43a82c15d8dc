import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { encodeAggregatedRecord } from '../../kinesis/kplAggregation.js';
import {
  AlertPublishError,
  alertConsumerOptionsFromEnv,
  ConfigurationError,
  createAlertConsumerHandler,
  createSnsPublisher,
  ENV,
} from '../../lambda/index.js';
import { type Alert, DEFAULT_ALERT_THRESHOLDS } from '../../stream-processors/alerts/index.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';
import { kinesisStreamEvent, lambdaContext } from '../helpers/lambdaEvents.js';
import { captureStdout, metricValue } from './captureOutput.js';

const STREAMS = {
  'gs-test-grid': 'grid',
  'gs-test-transactions': 'transactions',
  'gs-test-weather': 'weather',
} as const;
const spike = () => gridEvent({ lmp_usd_mwh: 2500 });
const calm = () => gridEvent({ lmp_usd_mwh: 30 });

/** A publisher that records alerts and fails for the event ids it is told to. */
function recordingPublisher(failFor: ReadonlySet<string> = new Set()) {
  const published: Alert[] = [];
  const publish = async (alert: Alert) => {
    if (failFor.has(alert.eventId))
      throw new AlertPublishError(`injected failure for ${alert.eventId}`, undefined);
    published.push(alert);
  };
  return { published, publish };
}

function makeHandler(publish: (a: Alert) => Promise<void>) {
  return createAlertConsumerHandler({
    streams: STREAMS,
    publish,
    thresholds: DEFAULT_ALERT_THRESHOLDS,
    logger: new Logger({ serviceName: 'alert-consumer-test' }),
    metrics: new Metrics({ namespace: 'GridstreamTest', serviceName: 'alert-consumer-test' }),
  });
}

describe('alert consumer', () => {
  it('raises alerts from plain and KPL-aggregated records alike', async () => {
    // Prepare
    const plainSpike = spike();
    const aggregatedSpike = spike();
    const event = kinesisStreamEvent('gs-test-grid', [
      { plain: plainSpike },
      { aggregated: [calm(), aggregatedSpike, calm()] },
    ]);
    const { published, publish } = recordingPublisher();
    // Act
    const { result, lines } = await captureStdout(() => makeHandler(publish)(event, lambdaContext()));
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(published.map((a) => a.eventId)).toEqual([plainSpike.event_id, aggregatedSpike.event_id]);
    expect(published.every((a) => a.kind === 'PRICE_SPIKE')).toBe(true);
    expect(metricValue(lines, 'UserRecords')).toBe(4);
    expect(metricValue(lines, 'AlertsPublished')).toBe(2);
  });

  it('raises large-trade alerts from the transactions stream', async () => {
    const big = transactionEvent({ quantity_mwh: 25_000 });
    const event = kinesisStreamEvent('gs-test-transactions', [{ aggregated: [transactionEvent(), big] }]);
    const { published, publish } = recordingPublisher();
    await captureStdout(() => makeHandler(publish)(event, lambdaContext()));
    expect(published.map((a) => [a.kind, a.eventId])).toEqual([['LARGE_TRADE', big.event_id]]);
  });

  it('reports only the record whose publish failed as a batch item failure', async () => {
    const ok = spike();
    const failing = spike();
    const event = kinesisStreamEvent('gs-test-grid', [{ plain: ok }, { plain: failing }, { plain: calm() }]);
    const { published, publish } = recordingPublisher(new Set([failing.event_id]));
    const { result, lines } = await captureStdout(() => makeHandler(publish)(event, lambdaContext()));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }]);
    expect(published.map((a) => a.eventId)).toEqual([ok.event_id]);
    expect(lines.some((l) => l.message === 'record failed')).toBe(true);
  });

  it('reports a corrupt aggregate (checksum mismatch) as a batch item failure', async () => {
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: Buffer.from(JSON.stringify(spike())) },
    ]);
    aggregate[aggregate.length - 1]! ^= 0xff;
    const event = kinesisStreamEvent('gs-test-grid', [{ plain: calm() }, { raw: aggregate }]);
    const { publish } = recordingPublisher();
    const { result } = await captureStdout(() => makeHandler(publish)(event, lambdaContext()));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }]);
  });

  it('skips invalid events without failing the batch, counting them', async () => {
    const event = kinesisStreamEvent('gs-test-grid', [
      { raw: Buffer.from('not json') },
      { plain: weatherEvent() },
      { plain: { ...spike(), lmp_usd_mwh: 'high' } },
    ]);
    const { published, publish } = recordingPublisher();
    const { result, lines } = await captureStdout(() => makeHandler(publish)(event, lambdaContext()));
    expect(result.batchItemFailures).toEqual([]);
    expect(published).toEqual([]);
    expect(metricValue(lines, 'InvalidEvents')).toBe(3);
    expect(lines.find((l) => l.message === 'event violates its contract')).toMatchObject({ dataset: 'grid' });
  });

  it('throws when every record fails, so Lambda retries the whole batch', async () => {
    const event = kinesisStreamEvent('unmapped-stream', [{ plain: spike() }]);
    const { publish } = recordingPublisher();
    await expect(captureStdout(() => makeHandler(publish)(event, lambdaContext()))).rejects.toBeInstanceOf(
      FullBatchFailureError,
    );
  });
});

describe('SNS publisher', () => {
  const alert: Alert = {
    kind: 'PRICE_SPIKE',
    severity: 'CRITICAL',
    dataset: 'grid',
    eventId: 'evt-1',
    eventTime: 0,
    subject: 'Price spike',
    message: 'details',
    value: 4000,
    threshold: 1000,
    attributes: {},
  };

  it('publishes the alert as JSON with filterable message attributes', async () => {
    const sent: PublishCommand[] = [];
    const publish = createSnsPublisher('arn:aws:sns:us-east-1:123456789012:alerts', {
      send: async (c: PublishCommand) => {
        sent.push(c);
        return {};
      },
    });
    await publish(alert);
    expect(sent[0]?.input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      Subject: 'Price spike',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'PRICE_SPIKE' },
        severity: { DataType: 'String', StringValue: 'CRITICAL' },
        dataset: { DataType: 'String', StringValue: 'grid' },
      },
    });
    expect(JSON.parse(sent[0]!.input.Message!)).toEqual(alert);
  });

  it('wraps a failed publish in a retriable AlertPublishError naming the event', async () => {
    const cause = new Error('Throttling');
    const publish = createSnsPublisher('arn:topic', {
      send: async () => {
        throw cause;
      },
    });
    const err = await publish(alert).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlertPublishError);
    expect((err as AlertPublishError).retriable).toBe(true);
    expect((err as AlertPublishError).cause).toBe(cause);
    expect((err as Error).message).toContain('evt-1');
  });
});

describe('alert consumer configuration', () => {
  it('requires the topic ARN', () => {
    expect(() => alertConsumerOptionsFromEnv({ [ENV.streams]: '{}' })).toThrow(ConfigurationError);
  });

  it.each([
    ['not JSON', '{grid', /GRIDSTREAM_STREAMS is not JSON/],
    ['not an object', '["grid"]', /must be a JSON object of name → dataset, got "\[\\"grid\\"\]"/],
    ['an unknown dataset', '{"s":"prices"}', /s maps to "prices", which is not a dataset/],
  ])('rejects a stream map that is %s, naming the value', (_label, raw, message) => {
    expect(() =>
      alertConsumerOptionsFromEnv({ [ENV.alertTopicArn]: 'arn:topic', [ENV.streams]: raw }),
    ).toThrow(message);
  });

  it('builds the options from a complete environment', () => {
    const options = alertConsumerOptionsFromEnv({
      [ENV.alertTopicArn]: 'arn:topic',
      [ENV.streams]: JSON.stringify(STREAMS),
      GRIDSTREAM_ALERT_PRICE_SPIKE_USD_MWH: '700',
    });
    expect(options.streams).toEqual(STREAMS);
    expect(options.thresholds.priceSpikeUsdMwh).toBe(700);
  });
});
