import { Logger } from '@aws-lambda-powertools/logger';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deaggregate } from '../../kinesis/kplAggregation.js';
import {
  ConfigurationError,
  createErcotPollerHandler,
  createOpenMeteoPollerHandler,
  ENV,
  ercotPollerFromSecret,
  PollerDeliveryError,
  type PollerSink,
  parseErcotCredentials,
  passwordGrantToken,
  streamNameFor,
} from '../../lambda/index.js';
import { EmbeddedKinesis } from '../../local/EmbeddedKinesis.js';
import { SINK_TEST_DEFAULTS } from '../../producers/kinesis/constants.js';
import { KinesisSink } from '../../producers/kinesis/KinesisSink.js';
import type { PollResult } from '../../producers/sources/adapters/index.js';
import type { GridEvent, WeatherEvent } from '../../schemas/index.js';
import { gridEvent, weatherEvent } from '../helpers/events.js';
import { scheduledEvent } from '../helpers/lambdaEvents.js';
import { captureStdout } from './captureOutput.js';

let kinesis: EmbeddedKinesis;
const WEATHER_STREAM = `pollers-weather-${process.pid}`;
const GRID_STREAM = `pollers-grid-${process.pid}`;

beforeAll(async () => {
  kinesis = await EmbeddedKinesis.start({ streams: { [WEATHER_STREAM]: 1, [GRID_STREAM]: 1 } });
});
afterAll(async () => {
  await kinesis?.stop();
});

/** Every user record in a stream, de-aggregated, parsed. */
async function readAll(stream: string): Promise<unknown[]> {
  const client = kinesis.client;
  const shards = await client.send(new ListShardsCommand({ StreamName: stream }));
  const out: unknown[] = [];
  for (const shard of shards.Shards ?? []) {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    for (let i = 0; iterator && i < 20; i++) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const r of page.Records ?? []) {
        for (const u of deaggregate(r.Data!, r.PartitionKey!))
          out.push(JSON.parse(Buffer.from(u.data).toString('utf8')));
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

function realSink(dataset: 'weather' | 'grid') {
  return (streamName: string): PollerSink =>
    new KinesisSink({
      dataset,
      streamName,
      client: kinesis.client,
      rejectFile: null,
      metrics: 'off',
      defaults: SINK_TEST_DEFAULTS,
    });
}

const silent = () => new Logger({ serviceName: 'poller-test', logLevel: 'SILENT' });

describe('Open-Meteo poller Lambda', () => {
  it('puts every event of a poll into the weather stream and reports the counts', async () => {
    // Prepare
    const events = [
      weatherEvent(),
      weatherEvent({
        record_type: 'FORECAST',
        forecast_issued_at: Date.UTC(2026, 10, 22),
        forecast_horizon_hours: 3,
      }),
    ];
    const poll = async (): Promise<PollResult<WeatherEvent>> => ({
      events,
      rejected: [
        { url: 'https://open-meteo.test/v1/forecast', page: 1, index: 4, reason: 'temperature_2m is null' },
      ],
      pages: 1,
    });
    const handler = createOpenMeteoPollerHandler({
      streamName: WEATHER_STREAM,
      poll,
      createSink: realSink('weather'),
      logger: silent(),
    });
    // Act
    const summary = await handler(scheduledEvent());
    // Assess
    expect(summary).toEqual({
      dataset: 'weather',
      streamName: WEATHER_STREAM,
      pages: 1,
      events: 2,
      upstreamRejected: 1,
      sinkRejected: 0,
      sent: 2,
      undelivered: 0,
    });
    const delivered = (await readAll(WEATHER_STREAM)) as WeatherEvent[];
    expect(delivered.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  });
});

describe('ERCOT poller Lambda', () => {
  it('puts the polled prices into the grid stream, refusing invalid ones at the sink', async () => {
    const good = gridEvent({ lmp_usd_mwh: 31.5 });
    const bad = { ...gridEvent(), market: 'INTRADAY' } as unknown as GridEvent;
    const handler = createErcotPollerHandler({
      streamName: GRID_STREAM,
      poll: async () => ({ events: [good, bad], rejected: [], pages: 2 }),
      createSink: realSink('grid'),
      logger: silent(),
    });
    const summary = await handler(scheduledEvent());
    expect(summary).toMatchObject({ events: 2, sent: 1, sinkRejected: 1, undelivered: 0, pages: 2 });
    const delivered = (await readAll(GRID_STREAM)) as GridEvent[];
    expect(delivered.map((e) => e.event_id)).toContain(good.event_id);
    expect(delivered.map((e) => e.event_id)).not.toContain(bad.event_id);
  });

  it('fails the invocation (so EventBridge retries) when events were not delivered', async () => {
    const sink: PollerSink = {
      put: async () => ({ accepted: true }),
      close: async () =>
        ({
          produced: 1,
          accepted: 1,
          rejected: 0,
          sent: 0,
          retried: 3,
          throttled: 3,
          expired: 1,
          failed: 0,
        }) as never,
    };
    const handler = createErcotPollerHandler({
      streamName: 'g',
      poll: async () => ({ events: [gridEvent()], rejected: [], pages: 1 }),
      createSink: () => sink,
      logger: silent(),
    });
    const err = await handler(scheduledEvent()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollerDeliveryError);
    expect((err as PollerDeliveryError).retriable).toBe(true);
    expect((err as Error).message).toContain('1 of 1 grid events were not delivered to g');
  });
});

describe('poller configuration', () => {
  it('finds the stream of its dataset in GRIDSTREAM_STREAMS', () => {
    expect(streamNameFor('{"gs-dev-weather":"weather","gs-dev-grid":"grid"}', ENV.streams, 'grid')).toBe(
      'gs-dev-grid',
    );
    expect(() => streamNameFor('{"gs-dev-weather":"weather"}', ENV.streams, 'grid')).toThrow(
      'GRIDSTREAM_STREAMS has no stream for dataset grid',
    );
  });

  it.each([
    ['not JSON', 'nope', 'secret s is not JSON'],
    ['no subscription key', '{"accessToken":"t"}', 'secret s has no subscriptionKey'],
    [
      'neither a token nor the grant fields',
      '{"subscriptionKey":"k","username":"u"}',
      'missing: tokenUrl, clientId, password',
    ],
  ])('rejects ERCOT credentials with %s, without printing the secret', (_label, text, message) => {
    expect(() => parseErcotCredentials(text, 's')).toThrow(message);
    expect(() => parseErcotCredentials(text, 's')).toThrow(ConfigurationError);
  });

  it('requires the secret id', async () => {
    await expect(ercotPollerFromSecret(undefined, async () => '{}')).rejects.toThrow(
      'GRIDSTREAM_ERCOT_SECRET_ID is not set',
    );
  });

  it('builds a poller from a secret with a token', async () => {
    const poller = await ercotPollerFromSecret('s', async () => '{"subscriptionKey":"k","accessToken":"t"}');
    expect(poller.report).toBe('rtm');
  });

  it('obtains a bearer token with the OAuth2 password grant', async () => {
    const seen: { url: string; body: string }[] = [];
    const fetchFn = (async (url: string, init: { body: URLSearchParams }) => {
      seen.push({ url, body: init.body.toString() });
      return new Response(JSON.stringify({ id_token: 'id-123' }), { status: 200 });
    }) as never;
    const token = await passwordGrantToken(
      {
        subscriptionKey: 'k',
        tokenUrl: 'https://login.test/token',
        clientId: 'c',
        username: 'u',
        password: 'p',
        scope: 'openid c',
      },
      fetchFn,
    );
    expect(token).toBe('id-123');
    expect(seen[0]?.url).toBe('https://login.test/token');
    expect(seen[0]?.body).toContain('grant_type=password');
    expect(seen[0]?.body).toContain('username=u');
  });

  it('reports a failed token request as retriable on 5xx only', async () => {
    const respond = (status: number) => (async () => new Response('no', { status })) as never;
    const creds = {
      subscriptionKey: 'k',
      tokenUrl: 'https://login.test/token',
      clientId: 'c',
      username: 'u',
      password: 'p',
    };
    await expect(passwordGrantToken(creds, respond(503))).rejects.toMatchObject({ retriable: true });
    await expect(passwordGrantToken(creds, respond(401))).rejects.toMatchObject({ retriable: false });
  });

  it('logs the poll summary', async () => {
    const handler = createOpenMeteoPollerHandler({
      streamName: WEATHER_STREAM,
      poll: async () => ({ events: [], rejected: [], pages: 1 }),
      createSink: realSink('weather'),
      logger: new Logger({ serviceName: 'poller-test' }),
    });
    const { lines } = await captureStdout(() => handler(scheduledEvent()));
    expect(lines.find((l) => l.message === 'poll delivered')).toMatchObject({
      dataset: 'weather',
      events: 0,
      sent: 0,
    });
  });
});
