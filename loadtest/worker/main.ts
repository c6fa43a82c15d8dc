// The load worker's child-process entry: the coordinator forks it (runScenario), sends
// { type: 'run', input }, waits for 'ready' from every worker, then sends { type: 'start', startMs }.
// It sends a snapshot every second and 'done' with the result, which it also writes to
// workers/<name>.json. SIGINT is ignored (a Ctrl-C in the terminal reaches the whole process group;
// the coordinator decides and sends { type: 'stop' }); a coordinator that goes away stops it too.
import { writeFileSync } from 'node:fs';
import { runLoadWorker } from './runLoadWorker.js';
import type { CoordinatorMessage, WorkerInput, WorkerMessage } from './types.js';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(message, () => resolve());
  });
}

process.on('SIGINT', () => {});
const controller = new AbortController();
let go: (startMs: number) => void = () => undefined;
const started = new Promise<number>((resolve) => {
  go = resolve;
});
let input: WorkerInput | undefined;
process.on('disconnect', () => {
  controller.abort();
  go(Date.now());
});
process.on('message', (raw) => {
  const m = raw as CoordinatorMessage;
  if (m.type === 'run' && !input) {
    input = m.input;
    run(m.input).catch(async (err: unknown) => {
      await send({ type: 'error', message: (err as Error)?.stack ?? String(err) });
      process.exit(1);
    });
  } else if (m.type === 'start') go(m.startMs);
  else if (m.type === 'stop') {
    controller.abort();
    go(Date.now());
  }
});

async function run(inputOf: WorkerInput): Promise<void> {
  const result = await runLoadWorker(inputOf, {
    start: async () => {
      await send({ type: 'ready' });
      return started;
    },
    signal: controller.signal,
    onSnapshot: (snapshot) => {
      send({ type: 'snapshot', snapshot });
    },
  });
  writeFileSync(inputOf.resultFile, `${JSON.stringify(result)}\n`);
  await send({ type: 'done', result });
  process.disconnect?.();
  process.exit(0);
}
