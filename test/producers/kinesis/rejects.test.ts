import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRetrier } from '../../../common/index.js';
import { createKinesisClient } from '../../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import {
  InvalidPartitionKeyError,
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  RecordTooLargeError,
  SINK_TEST_DEFAULTS,
  SinkClosedError,
  SinkConfigurationError,
  SinkFailedError,
} from '../../../producers/kinesis/index.js';
import { ContractViolationError, type GridEvent } from '../../../schemas/index.js';
import { eventOf, gridEvent } from '../../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../../helpers/kinesis.js';
import { type FaultProxy, startFaultProxy } from './faultProxy.js';
import { readBack } from './readBack.js';

interface RejectLine {
  kind: string;
  dataset: string;
  event_id: string | null;
  reason: string;
  violations: { path: string; reason: string }[];
  event: Record<string, unknown>;
}

let kinesis: EmbeddedKinesis;
let proxy: FaultProxy | undefined;
let dir: string;

function rejectLines(file: string): RejectLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RejectLine);
}

useKinesisAndTempDir('rejects', (k, d) => {
  kinesis = k;
  dir = d;
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

describe('KinesisSink rejects', () => {
  it('writes invalid and oversized events with their reason and carries on with valid ones', async () => {
    // Prepare
    const streamName = uniqueStream('rejects');
    await kinesis.createStream(streamName, 1);
    const file = join(dir, `${streamName}.jsonl`);
    const sink = new KinesisSink({
      dataset: 'grid',
      streamName,
      client: kinesis.client,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: file,
    });
    const badPrice = { ...gridEvent(), lmp_usd_mwh: 'abc' } as unknown as GridEvent;
    const noZone = { ...gridEvent() } as Partial<GridEvent>;
    delete noZone.load_zone;
    const oversized = gridEvent({ source: 'x'.repeat(1_100_000) });
    const valid = [gridEvent(), gridEvent(), gridEvent()];
    // Act
    const outcomes = [
      await sink.put(valid[0]),
      await sink.put(badPrice),
      await sink.put(valid[1]),
      await sink.put(noZone),
      await sink.put(oversized),
      await sink.put(valid[2]),
    ];
    const totals = await sink.close();
    // Assess: outcomes
    expect(outcomes.map((o) => o.accepted)).toEqual([true, false, true, false, false, true]);
    const tooLarge = outcomes[4]!;
    expect(tooLarge.accepted === false && tooLarge.error).toBeInstanceOf(RecordTooLargeError);
    const err = (tooLarge as { error: RecordTooLargeError }).error;
    expect(err.eventId).toBe(oversized.event_id);
    expect(err.sizeBytes).toBeGreaterThan(1_100_000);
    expect(err.message).toContain(oversized.event_id);
    expect(err.message).toContain(String(err.sizeBytes));
    expect((outcomes[1] as { error: unknown }).error).toBeInstanceOf(ContractViolationError);
    // Assess: counters and the stream
    expect(totals).toMatchObject({ produced: 6, accepted: 3, rejected: 3, sent: 3 });
    const back = await readBack(kinesis.client, streamName);
    expect(back.map((r) => r.event.event_id).sort()).toEqual(valid.map((e) => e.event_id).sort());
    // Assess: the reject file, one line per rejected event with its reason and field path
    const lines = rejectLines(file);
    expect(lines.map((l) => [l.kind, l.dataset, l.event_id])).toEqual([
      ['rejected', 'grid', badPrice.event_id],
      ['rejected', 'grid', noZone.event_id],
      ['rejected', 'grid', oversized.event_id],
    ]);
    expect(lines[0]!.violations.map((v) => v.path)).toContain('lmp_usd_mwh');
    expect(lines[0]!.reason).toContain('lmp_usd_mwh');
    expect(lines[0]!.event.lmp_usd_mwh).toBe('abc');
    expect(lines[1]!.violations.map((v) => v.path)).toContain('load_zone');
    expect(lines[2]!.reason).toContain(oversized.event_id);
    expect(lines[2]!.reason).toContain(String(err.sizeBytes));
  });

  it('refuses an event whose custom partition key Kinesis would not take, and sends the rest', async () => {
    const streamName = uniqueStream('bad-key');
    await kinesis.createStream(streamName, 1);
    const sink = new KinesisSink({
      dataset: 'weather',
      streamName,
      client: kinesis.client,
      partitionKey: (e) => (e.location_id === 'nowhere' ? '' : e.location_id),
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: join(dir, `${streamName}.jsonl`),
    });
    const outcomes = [
      await sink.put(eventOf('weather')),
      await sink.put(eventOf('weather', { location_id: 'nowhere' })),
      await sink.put(eventOf('weather')),
    ];
    const totals = await sink.close();
    expect(outcomes.map((o) => o.accepted)).toEqual([true, false, true]);
    expect((outcomes[1] as { error: Error }).error).toBeInstanceOf(InvalidPartitionKeyError);
    expect(totals).toMatchObject({ sent: 2, rejected: 1, failed: 0 });
  });

  it('refuses options it cannot work with before any network call, naming the value', () => {
    expect(() => new KinesisSink({ dataset: 'grid', maxBufferedBytes: 1000, rejectFile: null })).toThrowError(
      SinkConfigurationError,
    );
    expect(
      () => new KinesisSink({ dataset: 'grid', maxAggregatedBytes: 2_000_000, rejectFile: null }),
    ).toThrowError(/maxAggregatedBytes.*2000000/);
  });
});

describe('KinesisSink record TTL', () => {
  it('expires records the stream never accepts, counts them and writes them out', async () => {
    // Prepare: every PutRecords call is throttled; records live 300 ms
    const streamName = uniqueStream('ttl');
    await kinesis.createStream(streamName, 1);
    proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'throttle' }));
    const client = createKinesisClient({ endpoint: proxy.endpoint });
    const file = join(dir, `${streamName}.jsonl`);
    const sink = new KinesisSink({
      dataset: 'transactions',
      streamName,
      client,
      recordTtlMs: 300,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: file,
    });
    const events = Array.from({ length: 250 }, (_, i) => eventOf('transactions', { trade_id: `T-${i}` }));
    // Act
    for (const e of events) await sink.put(e);
    const totals = await sink.close();
    client.destroy();
    // Assess
    expect(totals).toMatchObject({ accepted: 250, sent: 0, expired: 250, bufferedRecords: 0 });
    expect(totals.throttled).toBeGreaterThan(0);
    expect(proxy.stats.throttledCalls).toBeGreaterThan(1);
    const lines = rejectLines(file);
    expect(lines.every((l) => l.kind === 'expired' && l.reason.includes('TTL'))).toBe(true);
    expect(lines.map((l) => l.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(lines[0]!.event.trade_id).toMatch(/^T-/);
    expect(await readBack(kinesis.client, streamName)).toEqual([]);
  });

  it('expires what is still unacknowledged at the close deadline', async () => {
    // Prepare: the stream stalls (calls held) so nothing can be acknowledged
    const streamName = uniqueStream('deadline');
    await kinesis.createStream(streamName, 1);
    proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'hold' }));
    const client = createKinesisClient({ endpoint: proxy.endpoint });
    const file = join(dir, `${streamName}.jsonl`);
    const sink = new KinesisSink({
      dataset: 'weather',
      streamName,
      client,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: file,
    });
    for (let i = 0; i < 100; i++) await sink.put(eventOf('weather'));
    // Act
    const totals = await sink.close({ deadlineMs: 200 });
    client.destroy();
    // Assess
    expect(totals).toMatchObject({ accepted: 100, sent: 0, expired: 100, bufferedRecords: 0 });
    expect(rejectLines(file).filter((l) => l.kind === 'expired')).toHaveLength(100);
    await expect(sink.put(eventOf('weather'))).rejects.toBeInstanceOf(SinkClosedError);
  });
});

describe('KinesisSink non-retriable errors', () => {
  it.each([true, false])(
    'stops on a missing stream and writes buffered records as failed (aggregate=%s)',
    async (aggregate) => {
      // Prepare
      const streamName = uniqueStream('missing');
      const file = join(dir, `${streamName}.jsonl`);
      const sink = new KinesisSink({
        dataset: 'grid',
        streamName,
        client: kinesis.client,
        aggregate,
        defaults: SINK_TEST_DEFAULTS,
        retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
        rejectFile: file,
      });
      // Act
      let thrown: unknown;
      try {
        for (let i = 0; i < 50; i++) await sink.put(gridEvent());
        await sink.flush();
      } catch (err) {
        thrown = err;
      }
      const totals = await sink.close();
      // Assess
      expect(thrown).toBeInstanceOf(SinkFailedError);
      expect((thrown as SinkFailedError).message).toContain('ResourceNotFoundException');
      expect((thrown as SinkFailedError).retriable).toBe(false);
      await expect(sink.put(gridEvent())).rejects.toBeInstanceOf(SinkFailedError);
      expect(totals.sent).toBe(0);
      expect(totals.accepted).toBe(totals.failed);
      if (!aggregate) {
        expect(totals.failed).toBe(50);
        expect(rejectLines(file).filter((l) => l.kind === 'failed')).toHaveLength(50);
      }
    },
  );
});
