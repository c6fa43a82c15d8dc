// The delivery worker as a child process for the crash test. Environment:
//   GS_ENDPOINT  Kinesis endpoint        GS_LAKE   lake directory       GS_STREAM  grid stream name
//   GS_CRASH_AT  optional "<stage>:<n>": at the n-th `intent`, `object`, `checkpoint` or `refusal` (DuckDB
//                refused rows of a partition, before its object is published) point the worker prints
//                "STALL <stage>" and waits forever, so the parent can kill -9 it exactly there.
//   GS_NO_TEXT_CHECKS  "1": the decoder's text checks are off, so rows DuckDB refuses reach the conversion.
//   GS_LEASE_TTL_MS  optional lease ttl (heartbeat: a fifth of it)
//   GS_UNTIL     `drained` (default): stop once caught up; `term`: run until SIGTERM.
// Prints "FLUSH <json>" per flush, "WARN <text>" per warning, "DONE <json>" after a clean drain.

import { createRetrier } from '../../../common/index.js';
import { LocalLakeStorage } from '../../../datalake/storage/index.js';
import { createKinesisClient } from '../../../kinesis/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../../producers/kinesis/index.js';
import { DeliveryWorker } from '../../../stream-processors/delivery/index.js';
import { decoderTestSwitches } from '../../../stream-processors/delivery/recordDecoder.js';

const [stage, nth] = (process.env.GS_CRASH_AT ?? ':').split(':') as [string, string];
const counts: Record<string, number> = { intent: 0, object: 0, checkpoint: 0, refusal: 0 };
if (process.env.GS_NO_TEXT_CHECKS === '1') decoderTestSwitches.textChecks = false;
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const point = async (name: string): Promise<void> => {
  counts[name] = (counts[name] ?? 0) + 1;
  if (name === stage && counts[name] === Number(nth)) {
    out(`STALL ${name}`);
    await new Promise(() => undefined);
  }
};

const storage = new LocalLakeStorage(process.env.GS_LAKE!);
const worker = await DeliveryWorker.create({
  storage,
  kinesis: createKinesisClient({ endpoint: process.env.GS_ENDPOINT! }),
  streams: [{ dataset: 'grid', streamName: process.env.GS_STREAM! }],
  retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
  bufferIntervalMs: 300,
  idlePollIntervalMs: 50,
  maxRecordsPerCall: 50,
  ...(process.env.GS_LEASE_TTL_MS ? { leaseTtlMs: Number(process.env.GS_LEASE_TTL_MS) } : {}),
  onFlush: (f) =>
    out(
      `FLUSH ${JSON.stringify({ shard: f.shardId, rows: f.rows, objects: f.dataObjects.length, replayed: f.replayed })}`,
    ),
  onWarning: (w) => out(`WARN ${w}`),
  hooks: {
    afterIntent: () => point('intent'),
    afterObject: () => point('object'),
    afterRefusal: () => point('refusal'),
    beforeCheckpoint: () => point('checkpoint'),
  },
});
await worker.start();
if (process.env.GS_UNTIL === 'term') {
  await Promise.race([new Promise((resolve) => process.once('SIGTERM', resolve)), worker.done]);
} else {
  await Promise.race([worker.waitUntilDrained(), worker.done]);
}
await worker.stop();
await storage.close();
out(`DONE ${JSON.stringify(worker.stats().totals)}`);
