// The delivery worker alone in a process, so the benchmark measures its throughput, freshness and
// peak RSS without the emulator or the load generator on the same event loop.
//   node --import tsx runner.ts '<json options>'
// Options: { endpoint, lake, streams: [{dataset, streamName}], mode: 'drain' | 'stdin' }.
// 'drain' stops once every shard is drained; 'stdin' runs until stdin closes. Prints one JSON line.

import { LocalLakeStorage } from '../../../datalake/storage/index.js';
import { DeliveryWorker, type StreamBinding } from '../../../stream-processors/delivery/index.js';

interface RunnerOptions {
  readonly endpoint: string;
  readonly lake: string;
  readonly streams: StreamBinding[];
  readonly mode: 'drain' | 'stdin';
}

const o = JSON.parse(process.argv[2]!) as RunnerOptions;
const storage = new LocalLakeStorage(o.lake);
// The worker creates its own client from the environment, as `gridstream deliver` does.
process.env.AWS_ENDPOINT_URL_KINESIS = o.endpoint;
const worker = await DeliveryWorker.create({ storage, streams: o.streams });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await worker.start();
if (o.mode === 'drain') {
  await Promise.race([worker.waitUntilDrained(), worker.done]);
} else {
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
  });
  await worker.waitUntilDrained();
}
await worker.stop();
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await storage.close();
const stats = worker.stats();
process.stdout.write(
  `${JSON.stringify({
    delivered: stats.totals.delivered,
    rejected: stats.totals.rejected,
    files: stats.totals.files,
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    freshness: stats.freshness,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
