// Runs runProducer with every event due in an hour, aborts it after 50 ms and prints the result. The
// process must then exit by itself: a timer left behind would hold it for the hour.
import { type EventSink, runProducer } from '../../../producers/index.js';
import { createGenerator } from '../../../producers/sources/index.js';

const controller = new AbortController();
setTimeout(() => controller.abort(), 50);
const sink = {
  dataset: 'grid',
  counters: {},
  put: async () => ({ accepted: true }),
  flush: async () => undefined,
} as unknown as EventSink<'grid'>;
const result = await runProducer({
  generator: createGenerator('grid', { seed: 4 }),
  sink,
  signal: controller.signal,
  dueAtMs: () => Date.now() + 3_600_000,
});
process.stdout.write(`${JSON.stringify({ stoppedBy: result.stoppedBy, accepted: result.accepted })}\n`);
