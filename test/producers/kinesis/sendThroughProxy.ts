import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createRetrier } from '../../../common/index.js';
import { createKinesisClient } from '../../../kinesis/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
  type SinkCounters,
} from '../../../producers/kinesis/index.js';
import { eventOf } from '../../helpers/events.js';
import { type ReadBackRecord, readBack } from './readBack.js';

/**
 * Sends `n` transactions events one put at a time through a KinesisSink pointed at a fault-injecting
 * proxy (small aggregates, so a run has many entries to fail and re-send), closes it and reads the
 * stream back directly: what the fault tests assess.
 *
 * @param proxyEndpoint - the proxy in front of the emulator
 * @param direct - a client of the emulator itself, to read back with
 * @param streamName - the stream (created by the caller)
 * @param aggregate - KPL aggregation on or off
 * @param n - events to send
 */
export async function sendThroughProxy(
  proxyEndpoint: string,
  direct: KinesisClient,
  streamName: string,
  aggregate: boolean,
  n: number,
): Promise<{ totals: SinkCounters; ids: Set<string>; back: ReadBackRecord[] }> {
  const client = createKinesisClient({ endpoint: proxyEndpoint });
  const sink = new KinesisSink({
    dataset: 'transactions',
    streamName,
    client,
    aggregate,
    maxAggregatedBytes: 4_096,
    defaults: SINK_TEST_DEFAULTS,
    retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
    rejectFile: null,
  });
  const ids = new Set<string>();
  for (let i = 0; i < n; i++) {
    const e = eventOf('transactions', { trade_id: `T-${i % 211}` });
    ids.add(e.event_id);
    await sink.put(e);
  }
  const totals = await sink.close();
  client.destroy();
  return { totals, ids, back: await readBack(direct, streamName) };
}
