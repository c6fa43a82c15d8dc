import { afterEach, describe, expect, it } from 'vitest';
import { createRetrier } from '../../../common/index.js';
import { createKinesisClient } from '../../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../../producers/kinesis/index.js';
import { mulberry32 } from '../../../producers/sources/index.js';
import { eventOf } from '../../helpers/events.js';
import { uniqueStream, useEmbeddedKinesis } from '../../helpers/kinesis.js';
import { type FaultPlan, type FaultProxy, startFaultProxy } from './faultProxy.js';
import { readBack } from './readBack.js';
import { sendThroughProxy } from './sendThroughProxy.js';

const N = 2_000;
let kinesis: EmbeddedKinesis;
let proxy: FaultProxy | undefined;

useEmbeddedKinesis((k) => {
  kinesis = k;
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/**
 * Every kind of PutRecords failure, deterministic, in a cycle of five calls: whole-call 400 throttles
 * and 500s, delayed answers, and calls where ~30% of entries fail with ProvisionedThroughputExceededException or InternalFailure.
 */
function mixedFaults(seed: number): FaultPlan {
  // mulberry32: the same fault plan on every run.
  const random = mulberry32(seed);
  return (call) => {
    if (call % 5 === 1) return { kind: 'throttle' };
    if (call % 5 === 3) return { kind: 'error500' };
    if (call % 5 === 4) return { kind: 'delay', ms: 20 };
    return {
      kind: 'failEntries',
      codeFor: () => {
        const x = random();
        if (x < 0.15) return 'ProvisionedThroughputExceededException';
        if (x < 0.3) return 'InternalFailure';
        return undefined;
      },
    };
  };
}

describe.each([{ aggregate: true }, { aggregate: false }])(
  'KinesisSink through a fault-injecting proxy (aggregate=$aggregate)',
  ({ aggregate }) => {
    it(`re-sends only failed entries until all ${N} events are in the stream exactly once`, async () => {
      // Prepare
      const streamName = uniqueStream(`faults-${aggregate}`);
      await kinesis.createStream(streamName, 2);
      proxy = await startFaultProxy(kinesis.endpoint, mixedFaults(aggregate ? 1 : 2));
      // Act
      const { totals, ids, back } = await sendThroughProxy(
        proxy.endpoint,
        kinesis.client,
        streamName,
        aggregate,
        N,
      );
      // Assess
      expect(proxy.stats.throttledCalls).toBeGreaterThan(0);
      expect(proxy.stats.failedCalls).toBeGreaterThan(0);
      expect(proxy.stats.failedEntries).toBeGreaterThan(0);
      expect(proxy.stats.delayedCalls).toBeGreaterThan(0);
      expect(totals).toMatchObject({ sent: N, expired: 0, failed: 0 });
      expect(totals.retried).toBeGreaterThan(0);
      expect(totals.throttled).toBeGreaterThan(0);
      expect(back).toHaveLength(N);
      expect(new Set(back.map((r) => r.event.event_id))).toEqual(ids);
    });
  },
);

describe('KinesisSink when the stream throttles every call', () => {
  it('halves its PutRecords concurrency to 1 and keeps every record until Kinesis takes it', async () => {
    // Prepare: the first 12 calls are throttled, then the stream recovers
    const streamName = uniqueStream('throttle');
    await kinesis.createStream(streamName, 1);
    proxy = await startFaultProxy(kinesis.endpoint, (call) =>
      call < 12 ? { kind: 'throttle' } : { kind: 'pass' },
    );
    const client = createKinesisClient({ endpoint: proxy.endpoint });
    const sink = new KinesisSink({
      dataset: 'grid',
      streamName,
      client,
      aggregate: false,
      defaults: SINK_TEST_DEFAULTS,
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      rejectFile: null,
    });
    // Act
    for (let i = 0; i < 1_200; i++) await sink.put(eventOf('grid', { settlement_point: `SP_${i % 40}` }));
    await sink.flush();
    const totals = await sink.close();
    client.destroy();
    // Assess
    expect(proxy.stats.throttledCalls).toBe(12);
    expect(totals.lowestConcurrencyLimit).toBe(1);
    expect(totals).toMatchObject({ sent: 1_200, expired: 0, failed: 0 });
    expect(totals.throttled).toBeGreaterThan(0);
    expect((await readBack(kinesis.client, streamName)).length).toBe(1_200);
  });
});
