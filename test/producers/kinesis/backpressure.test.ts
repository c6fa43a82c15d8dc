import { afterEach, describe, expect, it } from 'vitest';
import { createRetrier } from '../../../common/index.js';
import { createKinesisClient } from '../../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../../producers/kinesis/index.js';
import { eventOf } from '../../helpers/events.js';
import { uniqueStream, useEmbeddedKinesis } from '../../helpers/kinesis.js';
import { waitFor } from '../../helpers/waitFor.js';
import { type FaultProxy, startFaultProxy } from './faultProxy.js';
import { readBack } from './readBack.js';

const MiB = 1024 * 1024;
let kinesis: EmbeddedKinesis;
let proxy: FaultProxy | undefined;

useEmbeddedKinesis((k) => {
  kinesis = k;
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

describe.each([
  // The record limit binds: small events, 300 of them at most.
  { limit: 'records', maxBufferedRecords: 300, maxBufferedBytes: 8 * MiB, padding: 0, total: 1_500 },
  // The byte limit binds: ~20 KiB events, 1 MiB at most (~50 events).
  { limit: 'bytes', maxBufferedRecords: 100_000, maxBufferedBytes: MiB, padding: 20_000, total: 300 },
])(
  'KinesisSink backpressure when Kinesis stalls ($limit limit)',
  ({ maxBufferedRecords, maxBufferedBytes, padding, total }) => {
    it.each([true, false])(
      'blocks put() at the limit and never buffers more (aggregate=%s)',
      async (aggregate) => {
        // Prepare: every PutRecords call is held by the proxy until release()
        const streamName = uniqueStream('backpressure');
        await kinesis.createStream(streamName, 2);
        proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'hold' }));
        const client = createKinesisClient({ endpoint: proxy.endpoint });
        const sink = new KinesisSink({
          dataset: 'weather',
          streamName,
          client,
          aggregate,
          maxBufferedRecords,
          maxBufferedBytes,
          defaults: SINK_TEST_DEFAULTS,
          retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
          rejectFile: null,
        });
        let produced = 0;
        const source = (async () => {
          for (let i = 0; i < total; i++) {
            await sink.put(
              eventOf('weather', { location_id: `loc-${i % 17}`, source: 'x'.repeat(padding + 1) }),
            );
            produced += 1;
          }
        })();

        // Act 1: the stalled stream fills the buffer and the source stops at put()
        await waitFor(
          'put() to block',
          () => sink.counters.blockedPuts === 1 && proxy!.stats.holding > 0,
          20_000,
          5,
        );
        const atStall = sink.snapshot();
        const producedAtStall = produced;

        // Assess 1
        expect(producedAtStall).toBeLessThan(total);
        expect(atStall.bufferedRecords).toBeLessThanOrEqual(maxBufferedRecords);
        expect(atStall.bufferedBytes).toBeLessThanOrEqual(maxBufferedBytes);
        expect(atStall.sent).toBe(0);
        // The buffer is close to a limit: the stall is caused by the limit, not something else.
        expect(
          atStall.bufferedRecords > maxBufferedRecords * 0.9 ||
            atStall.bufferedBytes > maxBufferedBytes - 25_000,
        ).toBe(true);

        // Act 2: the stream recovers
        proxy.release();
        await source;
        const totals = await sink.close();
        client.destroy();

        // Assess 2
        expect(totals.sent).toBe(total);
        expect(totals.peakBufferedRecords).toBeLessThanOrEqual(maxBufferedRecords);
        expect(totals.peakBufferedBytes).toBeLessThanOrEqual(maxBufferedBytes);
        expect((await readBack(kinesis.client, streamName)).length).toBe(total);
      },
    );
  },
);
