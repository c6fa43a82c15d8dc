// A Kinesis emulator in its own process, for benchmarks that must not share a CPU/event loop
// with it: `node --import tsx emulatorProcess.ts [name:shards ...]` prints {"endpoint": "..."} once the
// streams are ACTIVE, and exits when its stdin closes (so it never outlives its parent), printing
// {"cpuMs": …}, its CPU time (also printed on SIGUSR2). `--keep-records` keeps every record for the
// streams' retention instead of the emulator's window, which trims records a reader has read past once
// they are 30 s old: a stream drained more than once (ab.ts) must still hold them for the next drain.
import { EmbeddedKinesis } from '../../../local/EmbeddedKinesis.js';

const args = process.argv.slice(2);
const keep = args.includes('--keep-records');
const kinesis = await EmbeddedKinesis.start(keep ? { retention: false } : {});
for (const spec of args.filter((a) => a !== '--keep-records')) {
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
