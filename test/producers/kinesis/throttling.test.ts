import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../../local/index.js';
import { uniqueStream, useEmbeddedKinesis } from '../../helpers/kinesis.js';
import { startThrottlingProxy, type ThrottlingProxy } from '../../helpers/throttlingProxy.js';
import { readBack } from './readBack.js';
import { sendThroughProxy } from './sendThroughProxy.js';

const N = 2_000;
let kinesis: EmbeddedKinesis;
let proxy: ThrottlingProxy | undefined;

useEmbeddedKinesis((k) => {
  kinesis = k;
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

describe('the throttling proxy', () => {
  it('rewrites the real response: throttled entries in place, FailedRecordCount, the rest written', async () => {
    // Prepare
    const streamName = uniqueStream('throttling-raw');
    await kinesis.createStream(streamName, 2);
    proxy = await startThrottlingProxy(kinesis.endpoint, { entryShare: 0.5, seed: 3 });
    const client = createKinesisClient({ endpoint: proxy.endpoint });
    const records = Array.from({ length: 200 }, (_, i) => ({
      Data: Buffer.from(JSON.stringify({ i })),
      PartitionKey: `k${i}`,
    }));

    // Act
    const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
    client.destroy();
    const stored = await readBack(kinesis.client, streamName);

    // Assess
    const throttled = (out.Records ?? []).filter((r) => r.ErrorCode !== undefined);
    expect(out.Records).toHaveLength(200);
    expect(throttled.length).toBe(proxy.stats.throttledEntries);
    expect(throttled.length).toBeGreaterThan(0);
    expect(out.FailedRecordCount).toBe(throttled.length);
    for (const t of throttled) expect(t.ErrorCode).toBe('ProvisionedThroughputExceededException');
    const written = (out.Records ?? []).flatMap((r, i) => (r.SequenceNumber ? [i] : []));
    expect(stored.map((r) => r.event.i).sort((a, b) => Number(a) - Number(b))).toEqual(written);
  });
});

describe.each([{ aggregate: true }, { aggregate: false }])(
  'KinesisSink through the throttling proxy (aggregate=$aggregate)',
  ({ aggregate }) => {
    it(`counts exactly the throttles injected, retries them, and delivers all ${N} events`, async () => {
      // Prepare: the first 2 calls and 10% of the others throttled whole, 30% of the entries of the rest
      const streamName = uniqueStream(`throttling-${aggregate}`);
      await kinesis.createStream(streamName, 2);
      proxy = await startThrottlingProxy(kinesis.endpoint, {
        entryShare: 0.3,
        callShare: 0.1,
        firstCalls: 2,
        seed: aggregate ? 5 : 6,
      });
      // Act
      const { totals, ids, back } = await sendThroughProxy(
        proxy.endpoint,
        kinesis.client,
        streamName,
        aggregate,
        N,
      );

      // Assess: the sink counts user records; the proxy counted the user records of what it throttled
      expect(proxy.stats.throttledEntries).toBeGreaterThan(0);
      expect(proxy.stats.throttledCalls).toBeGreaterThan(0);
      expect(totals.throttled).toBe(proxy.stats.throttledUserRecords);
      // Only throttles were injected: every re-send is of a throttled record
      expect(totals.retried).toBe(proxy.stats.throttledUserRecords);
      if (!aggregate) {
        expect(totals.throttled).toBe(proxy.stats.throttledEntries + proxy.stats.throttledCallEntries);
      }
      expect(totals).toMatchObject({ sent: N, expired: 0, failed: 0 });
      expect(ids.size).toBe(N);
      expect(back).toHaveLength(N);
      expect(new Set(back.map((r) => r.event.event_id))).toEqual(ids);
    });
  },
);
