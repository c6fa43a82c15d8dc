import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createRetrier } from '../../../common/index.js';
import type { LakeStorage } from '../../../datalake/storage/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../../producers/kinesis/index.js';
import {
  type DeliveryStats,
  DeliveryWorker,
  type DeliveryWorkerOptions,
  type FlushInfo,
  type StreamBinding,
} from '../../../stream-processors/delivery/index.js';

/** Fast timing for tests: short buffers and idle polls (the 5 calls/s per shard limit stays). */
export const TEST_TIMING = {
  bufferIntervalMs: 200,
  idlePollIntervalMs: 50,
  shardSyncIntervalMs: 500,
} as const;

/**
 * Runs a delivery worker until every shard is drained, then stops it (flushing everything).
 *
 * @param client - Kinesis client
 * @param storage - the lake
 * @param streams - streams to deliver
 * @param overrides - any other worker option
 */
export async function deliverOnce(
  client: KinesisClient,
  storage: LakeStorage,
  streams: readonly StreamBinding[],
  overrides: Partial<DeliveryWorkerOptions> = {},
): Promise<{ stats: DeliveryStats; flushes: FlushInfo[]; warnings: string[] }> {
  const flushes: FlushInfo[] = [];
  const warnings: string[] = [];
  const worker = await DeliveryWorker.create({
    storage,
    kinesis: client,
    streams,
    retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
    ...TEST_TIMING,
    onFlush: (f) => flushes.push(f),
    onWarning: (w) => warnings.push(w),
    ...overrides,
  });
  await worker.start();
  try {
    await Promise.race([worker.waitUntilDrained(), worker.done]);
  } finally {
    await worker.stop();
  }
  await worker.done;
  return { stats: worker.stats(), flushes, warnings };
}
