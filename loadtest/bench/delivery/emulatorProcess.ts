// A Kinesis emulator in its own process, for benchmarks that must not share a CPU/event loop
// with it: `node --import tsx emulatorProcess.ts [name:shards ...]` prints {"endpoint": "..."} once the
// streams are ACTIVE, and exits when its stdin closes (so it never outlives its parent), printing
// {"cpuMs": …}, its CPU time (also printed on SIGUSR2).
import { EmbeddedKinesis } from '../../../local/EmbeddedKinesis.js';

const kinesis = await EmbeddedKinesis.start();
for (const spec of process.argv.slice(2)) {
  const [name, shards] = spec.split(':');
  await kinesis.createStream(name!, Number(shards ?? 1));
}
process.stdout.write(`${JSON.stringify({ endpoint: kinesis.endpoint })}\n`);
const reportCpu = (): void => {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
};
const stop = (): void => {
  reportCpu();
  kinesis.stop().finally(() => process.exit(0));
};
process.on('SIGUSR2', reportCpu);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
