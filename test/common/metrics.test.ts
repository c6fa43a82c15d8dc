// One metrics vocabulary: the producers' sink, the delivery worker and the Lambda handlers write the
// metrics of one dataset's stream under one namespace with one set of dimension names, each with names
// from common/metrics.ts, and docs/ARCHITECTURE.md lists them all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRIC_SERVICES, METRICS_NAMESPACE } from '../../common/metrics.js';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import { createAlertConsumerHandler, createFirehoseTransformHandler } from '../../lambda/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../producers/kinesis/index.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../stream-processors/alerts/index.js';
import { DeliveryWorker, toEmfLine } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { firehoseTransformationEvent, kinesisStreamEvent, lambdaContext } from '../helpers/lambdaEvents.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { waitFor } from '../helpers/waitFor.js';
import { captureStdout } from '../lambda/captureOutput.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('metrics', (k, d) => {
  kinesis = k;
  dir = d;
});

/** One EMF document, as CloudWatch Logs reads it. */
interface Emf {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

const emfOf = (lines: readonly Record<string, unknown>[]): Emf[] =>
  lines.filter((l) => '_aws' in l) as unknown as Emf[];

/** The producers' EMF for `events` put on `stream` (the sink publishes on close). */
async function producerEmf(stream: string, events: readonly object[]): Promise<Emf[]> {
  const sink = new KinesisSink({
    dataset: 'grid',
    streamName: stream,
    client: kinesis.client,
    metrics: 'emf',
    defaults: SINK_TEST_DEFAULTS,
    retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
    rejectFile: null,
  });
  const { lines } = await captureStdout(async () => {
    for (const e of events) await sink.put(e);
    await sink.close();
  });
  return emfOf(lines);
}

/** The delivery worker's EMF lines (as `deliver --metrics-file` writes them) until `count` rows are delivered. */
async function deliveryEmf(stream: string, count: number): Promise<Emf[]> {
  const storage = new LocalLakeStorage(join(dir, `lake-${stream}`));
  const lines: string[] = [];
  const worker = await DeliveryWorker.create({
    storage,
    kinesis: kinesis.client,
    streams: [{ dataset: 'grid', streamName: stream }],
    bufferIntervalMs: 200,
    idlePollIntervalMs: 50,
    gaugeIntervalMs: 100,
    onMetric: (m) => lines.push(toEmfLine(m)),
  });
  await worker.start();
  try {
    await waitFor(`${count} rows delivered`, () => worker.stats().streams[0]!.delivered === count);
    await waitFor('the flush metrics', () => lines.length > 0);
  } finally {
    await worker.stop();
    await storage.close();
  }
  return lines.map((l) => JSON.parse(l) as Emf);
}

describe('metrics of one dataset from every stage', () => {
  it('share the namespace and the dimension names, with names from common/metrics.ts', async () => {
    // Prepare
    const stream = uniqueStream('metrics-grid');
    await kinesis.createStream(stream, 1);
    const events = Array.from({ length: 20 }, (_, i) => gridEvent({ event_id: `m-${i}` }));
    const spike = gridEvent({ event_id: 'm-spike', lmp_usd_mwh: 2500 });
    // Act
    const producer = await producerEmf(stream, [...events, spike]);
    const delivery = await deliveryEmf(stream, events.length + 1);
    const transform = createFirehoseTransformHandler({ deliveryStreams: { [`${stream}-raw`]: 'grid' } });
    const transformed = await captureStdout(() =>
      transform(firehoseTransformationEvent(`${stream}-raw`, [events[0], 'not json'], stream)),
    );
    const consumer = createAlertConsumerHandler({
      streams: { [stream]: 'grid' },
      publish: vi.fn(async () => {}),
      thresholds: DEFAULT_ALERT_THRESHOLDS,
    });
    const consumed = await captureStdout(() =>
      consumer(kinesisStreamEvent(stream, [{ plain: spike }, { plain: events[1] }]), lambdaContext()),
    );
    // Assess
    const byService = {
      [METRIC_SERVICES.producer]: producer,
      [METRIC_SERVICES.delivery]: delivery,
      [METRIC_SERVICES.firehoseTransform]: emfOf(transformed.lines),
      [METRIC_SERVICES.alertConsumer]: emfOf(consumed.lines),
    };
    const all = Object.values(byService).flat();
    for (const [service, docs] of Object.entries(byService)) expect(docs.length, service).toBeGreaterThan(0);
    expect(new Set(all.flatMap((d) => d._aws.CloudWatchMetrics.map((c) => c.Namespace)))).toEqual(
      new Set(['Gridstream']),
    );
    expect(
      new Set(all.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((c) => c.Dimensions.map((s) => s.join())))),
    ).toEqual(new Set(['Service,Dataset,Stream']));
    for (const [service, docs] of Object.entries(byService)) {
      const key = (Object.keys(METRIC_SERVICES) as (keyof typeof METRIC_SERVICES)[]).find(
        (k) => METRIC_SERVICES[k] === service,
      )!;
      const known = new Set<string>(Object.values(METRIC_NAMES[key]));
      for (const doc of docs) {
        expect({ Service: doc.Service, Dataset: doc.Dataset, Stream: doc.Stream }).toEqual({
          Service: service,
          Dataset: 'grid',
          Stream: stream,
        });
        for (const c of doc._aws.CloudWatchMetrics)
          for (const m of c.Metrics) expect(known, `${service} ${m.Name}`).toContain(m.Name);
      }
    }
    // Every stage reported what it saw: 21 sent, 21 rows, 1 of 2 rejected, 1 alert published.
    const sum = (docs: Emf[], name: string) =>
      docs.reduce((n, d) => n + (typeof d[name] === 'number' ? (d[name] as number) : 0), 0);
    expect(sum(producer, METRIC_NAMES.producer.sent)).toBe(21);
    expect(sum(delivery, METRIC_NAMES.delivery.rowsDelivered)).toBe(21);
    expect(sum(byService['firehose-transform'], METRIC_NAMES.firehoseTransform.recordsRejected)).toBe(1);
    expect(sum(byService['alert-consumer'], METRIC_NAMES.alertConsumer.alertsPublished)).toBe(1);
  });

  it('are the names, namespace and dimensions docs/ARCHITECTURE.md lists', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const section = doc.slice(doc.indexOf('**Metrics.**'));
    expect(section.length).toBeLessThan(doc.length);
    expect(section).toContain(`\`${METRICS_NAMESPACE}\``);
    for (const d of Object.values(METRIC_DIMENSIONS)) expect(section).toContain(`\`${d}\``);
    for (const [key, service] of Object.entries(METRIC_SERVICES)) {
      expect(section, service).toContain(`\`${service}\``);
      for (const name of Object.values(METRIC_NAMES[key as keyof typeof METRIC_NAMES]))
        expect(section, name).toContain(`\`${name}\``);
    }
  });
});
