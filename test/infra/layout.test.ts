import { execFileSync, spawnSync } from 'node:child_process';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorObjectKey } from '../../datalake/objectNames.js';
import { FIREHOSE_ERROR_PREFIX, firehosePrefix, partitionKeyQuery } from '../../infra/lib/lake/layout.js';
import {
  contractFor,
  DATASETS,
  eventPartition,
  PARTITION_KEYS,
  partitionOf,
  partitionPrefix,
} from '../../schemas/index.js';
import { decodeContext, decodeRecordInto } from '../../stream-processors/delivery/recordDecoder.js';
import { ShardBatch } from '../../stream-processors/delivery/ShardBatch.js';
import { eventOf, weatherEvent } from '../helpers/events.js';
import { type CfnJson, removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

// The AWS lake must look exactly like the local one: same columns, same keys for the same event.
let app: SynthesizedApp;
beforeAll(() => {
  app = synthApp({ 'gridstream.producers.fargate': 'false', 'gridstream.producers.pollers': 'false' });
});
afterAll(removeSynthOutputs);

/** Event times that exercise the partitioning: midnight, the last millisecond of a day, a leap day, 2038+. */
const EVENT_TIMES = [
  Date.UTC(2026, 10, 22, 0, 0, 0, 0),
  Date.UTC(2026, 10, 22, 23, 59, 59, 999),
  Date.UTC(2024, 1, 29, 9, 30, 0, 1),
  Date.UTC(2026, 2, 8, 8, 15, 0, 0),
  Date.UTC(2040, 11, 31, 23, 0, 0, 0),
];

function rawTableInput(dataset: string): Record<string, CfnJson> {
  const tables = app.template(app.stacks.lake).findResources('AWS::Glue::Table') as Record<string, CfnJson>;
  const found = Object.values(tables).find((t) => t.Properties.TableInput.Name === `raw_${dataset}`);
  if (!found) throw new Error(`no raw_${dataset} table`);
  return found.Properties.TableInput;
}

function firehose(dataset: string): Record<string, CfnJson> {
  const streams = app
    .template(app.stacks.ingestion)
    .findResources('AWS::KinesisFirehose::DeliveryStream') as Record<string, CfnJson>;
  const found = Object.values(streams).find(
    (s) => s.Properties.DeliveryStreamName === `gridstream-dev-${dataset}-raw`,
  );
  if (!found) throw new Error(`no delivery stream for ${dataset}`);
  return found.Properties.ExtendedS3DestinationConfiguration;
}

const hasJq = spawnSync('jq', ['--version']).status === 0;

describe.each(DATASETS)('%s: the AWS lake matches the local delivery', (dataset) => {
  it('has the contract columns, in order, with the same Hive types, in the raw table Firehose converts with', () => {
    const input = rawTableInput(dataset);
    expect(
      input.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => ({
        name: c.Name,
        type: c.Type,
      })),
    ).toEqual(contractFor(dataset).columns.map((c) => ({ name: c.name, type: c.type })));
    expect(
      input.PartitionKeys.map((k: { Name: string; Type: string }) => ({ name: k.Name, type: k.Type })),
      // dt is a DATE in the catalog (every zone; the date projection's yyyy-MM-dd values read as dates).
    ).toEqual(PARTITION_KEYS.map((k) => ({ name: k.name, type: k.name === 'dt' ? 'date' : k.hiveType })));
    expect(firehose(dataset).DataFormatConversionConfiguration.SchemaConfiguration.TableName).toBe(
      input.Name,
    );
  });

  it('writes the same object prefix as partitionPrefix for every event time (Firehose prefix with the JQ keys)', () => {
    const prefix: string = firehose(dataset).Prefix;
    expect(prefix).toBe(firehosePrefix(dataset));
    for (const t of EVENT_TIMES) {
      const { dt, hr } = partitionOf(t);
      const key = prefix
        .replace('!{partitionKeyFromQuery:dt}', dt)
        .replace('!{partitionKeyFromQuery:hr}', hr);
      expect(key).toBe(partitionPrefix('raw', dataset, t));
    }
  });

  it.runIf(hasJq)(
    'extracts the partition keys partitionOf computes, when the JQ query runs in jq 1.6',
    () => {
      const query = firehose(dataset).ProcessingConfiguration.Processors.find(
        (p: { Type: string }) => p.Type === 'MetadataExtraction',
      ).Parameters[0].ParameterValue as string;
      expect(query).toBe(partitionKeyQuery(dataset));
      const events = EVENT_TIMES.map((t) => JSON.stringify(eventOf(dataset, { event_time: t }))).join('\n');
      const out = execFileSync('jq', ['-c', query], { input: events, encoding: 'utf8' }).trim().split('\n');
      expect(out.map((l) => JSON.parse(l))).toEqual(
        EVENT_TIMES.map((t) => eventPartition(dataset, eventOf(dataset, { event_time: t }))),
      );
    },
  );

  it('lets Athena find every partition by projection: the template filled with dt/hr is the object prefix', () => {
    const params = rawTableInput(dataset).Parameters;
    const template = app.stacks.lake.resolve(params['storage.location.template']) as {
      'Fn::Join': [string, unknown[]];
    };
    const text = template['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<bucket>')).join('');
    expect(text).toBe(`s3://<bucket>/raw/${dataset}/dt=\${dt}/hr=\${hr}/`);
    for (const t of EVENT_TIMES.slice(0, 4)) {
      const { dt, hr } = partitionOf(t);
      expect(Number(hr)).toBeGreaterThanOrEqual(0);
      expect(Number(hr)).toBeLessThanOrEqual(23);
      expect(hr).toHaveLength(Number(params['projection.hr.digits']));
      expect(dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(text.replace(/\$\{dt\}/, dt).replace(/\$\{hr\}/, hr)).toBe(
        `s3://<bucket>/${partitionPrefix('raw', dataset, t)}`,
      );
    }
    expect(params['projection.dt.format']).toBe('yyyy-MM-dd');
    expect(params['projection.hr.range']).toBe('0,23');
  });

  it('puts error records where the local delivery puts them: errors/<type>/dt=/hr=/ by arrival time', () => {
    const prefix: string = firehose(dataset).ErrorOutputPrefix;
    expect(prefix).toBe(FIREHOSE_ERROR_PREFIX);
    const arrival = Date.UTC(2026, 10, 22, 13, 5, 0);
    const iso = new Date(arrival).toISOString();
    const key = prefix
      .replace('!{firehose:error-output-type}', 'format-conversion-failed')
      .replace('!{timestamp:yyyy-MM-dd}', iso.slice(0, 10))
      .replace('!{timestamp:HH}', iso.slice(11, 13));
    const local = errorObjectKey('format-conversion-failed', arrival, {
      stream: 's',
      shardId: 'shardId-0',
      firstSequenceNumber: '1',
      lastSequenceNumber: '2',
      firstArrivalMs: arrival,
    });
    expect(local.startsWith(key)).toBe(true);
  });
});

/**
 * The partition the local delivery writes an event to: the hour of the batch partition its record is
 * decoded into (wire fast path for compact JSON, the exact path for pretty-printed JSON).
 */
function deliveredPartition(event: object, pretty: boolean): { dt: string; hr: string } {
  const batch = new ShardBatch();
  const ctx = decodeContext('weather', 'weather', 'shardId-0', contractFor('weather'), 1_024_000);
  const data = Buffer.from(pretty ? JSON.stringify(event, null, 1) : JSON.stringify(event));
  decodeRecordInto(batch, { data, partitionKey: 'k', sequenceNumber: '1', arrivalMs: 0 }, ctx, 0);
  const parts = batch.partitions();
  expect(batch.errorCount).toBe(0);
  expect(parts).toHaveLength(1);
  return partitionOf(parts[0]!.hourStartMs);
}

describe('weather: one forecast poll lands in one partition (its issue time), locally and on Firehose', () => {
  const HOUR = 3_600_000;
  const issued = Date.UTC(2026, 10, 22, 22, 0, 0, 0);
  // One poll: a forecast issued at 22:00 for the next 6 hours (crossing midnight), and observations.
  const poll = [
    ...[1, 2, 3, 4, 5, 6].map((h) =>
      weatherEvent({
        record_type: 'FORECAST',
        event_time: issued + h * HOUR,
        forecast_issued_at: issued,
        forecast_horizon_hours: h,
      }),
    ),
    weatherEvent({ event_time: issued + 30 * 60_000 }),
    weatherEvent({ event_time: Date.UTC(2026, 10, 23, 0, 5) }),
  ];

  it('partitions forecasts by forecast_issued_at and observations by event_time', () => {
    const forecasts = poll.filter((e) => e.forecast_issued_at !== null);
    expect(new Set(forecasts.map((e) => JSON.stringify(eventPartition('weather', e))))).toEqual(
      new Set([JSON.stringify({ dt: '2026-11-22', hr: '22' })]),
    );
    expect(eventPartition('weather', poll[7]!)).toEqual({ dt: '2026-11-23', hr: '00' });
  });

  it('the local delivery (wire fast path and exact path) writes each event where eventPartition says', () => {
    for (const e of poll) {
      expect(deliveredPartition(e, false)).toEqual(eventPartition('weather', e));
      expect(deliveredPartition(e, true)).toEqual(eventPartition('weather', e));
    }
  });

  it.runIf(hasJq)('the Firehose JQ query (jq 1.6) extracts the same keys for the same events', () => {
    const query = firehose('weather').ProcessingConfiguration.Processors.find(
      (p: { Type: string }) => p.Type === 'MetadataExtraction',
    ).Parameters[0].ParameterValue as string;
    const input = poll.map((e) => JSON.stringify(e)).join('\n');
    const out = execFileSync('jq', ['-c', query], { input, encoding: 'utf8' }).trim().split('\n');
    expect(out.map((l) => JSON.parse(l))).toEqual(poll.map((e) => eventPartition('weather', e)));
  });
});

describe('curated and gold tables', () => {
  it('point at the zone folders the curation job writes (curated/<table>/, gold/<table>/) in the curated bucket', () => {
    const t = app.template(app.stacks.lake);
    for (const name of app.stacks.lake.publishedTableNames) {
      const [zone, ...rest] = name.split('_');
      t.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: name,
          StorageDescriptor: Match.objectLike({
            Location: { 'Fn::Join': ['', ['s3://', Match.anyValue(), `/${zone}/${rest.join('_')}/`]] },
          }),
        }),
      });
    }
  });
});
