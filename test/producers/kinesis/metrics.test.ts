import { describe, expect, it, vi } from 'vitest';
import { createRetrier } from '../../../common/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  metricsModeFromEnv,
  SINK_TEST_DEFAULTS,
} from '../../../producers/kinesis/index.js';
import { eventOf } from '../../helpers/events.js';
import { uniqueStream, useEmbeddedKinesis } from '../../helpers/kinesis.js';

let kinesis: EmbeddedKinesis;

useEmbeddedKinesis((k) => {
  kinesis = k;
});

describe('KinesisSink EMF metrics', () => {
  it('follows GRIDSTREAM_METRICS', () => {
    expect(metricsModeFromEnv({ GRIDSTREAM_METRICS: 'emf' })).toBe('emf');
    expect(metricsModeFromEnv({ GRIDSTREAM_METRICS: 'EMF' })).toBe('emf');
    expect(metricsModeFromEnv({})).toBe('off');
  });

  it('publishes per-dataset counts and PutRecords latency as EMF on close', async () => {
    // Prepare
    const streamName = uniqueStream('metrics');
    await kinesis.createStream(streamName, 1);
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const sink = new KinesisSink({
      dataset: 'grid',
      streamName,
      client: kinesis.client,
      metrics: 'emf',
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: null,
    });
    // Act
    try {
      for (let i = 0; i < 40; i++) await sink.put(eventOf('grid'));
      await sink.put({ event_id: 'bad' });
      await sink.close();
    } finally {
      spy.mockRestore();
    }
    // Assess
    const emf = lines
      .filter((l) => l.includes('"_aws"'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string }[] } },
      );
    expect(emf.length).toBeGreaterThan(0);
    const sent = emf.reduce((n, m) => n + (typeof m.Sent === 'number' ? m.Sent : 0), 0);
    expect(sent).toBe(40);
    expect(emf.some((m) => m.Rejected === 1)).toBe(true);
    expect(emf.some((m) => m.PutRecordsLatency !== undefined)).toBe(true);
    expect(emf.every((m) => m.Dataset === 'grid' && m.Stream === streamName)).toBe(true);
    expect(emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('Gridstream');
  });
});
