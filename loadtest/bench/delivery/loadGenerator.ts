// Sustained load for the freshness benchmark: gridstream's own producer (generator + KPL-aggregating
// Kinesis sink) at a fixed rate, in its own process.
//   node --import tsx loadGenerator.ts '<json {endpoint, streamName, rate, durationMs}>'
// Prints one JSON line with the producer's result.
import { runProducer } from '../../../producers/index.js';
import { KinesisSink } from '../../../producers/kinesis/index.js';
import { createGenerator } from '../../../producers/sources/index.js';

const o = JSON.parse(process.argv[2]!) as {
  endpoint: string;
  streamName: string;
  rate: number;
  durationMs: number;
};
const sink = new KinesisSink({
  dataset: 'grid',
  streamName: o.streamName,
  endpoint: o.endpoint,
  metrics: 'off',
  rejectFile: null,
});
const cpu0 = process.cpuUsage();
const result = await runProducer({
  generator: createGenerator('grid', { seed: 11 }),
  sink,
  rate: o.rate,
  durationMs: o.durationMs,
});
await sink.close({ deadlineMs: 30_000 });
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
