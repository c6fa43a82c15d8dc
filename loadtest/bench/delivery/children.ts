// The processes of the delivery benchmarks (delivery.bench.ts, ab.ts): spawning a script of this folder (or of
// another checkout), reading its one-line JSON results, and pre-filling the emulator.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KinesisSink } from '../../../producers/kinesis/index.js';
import { createGenerator } from '../../../producers/sources/index.js';
import type { GridEvent } from '../../../schemas/index.js';

/** What runner.ts prints. */
export interface RunnerResult {
  readonly delivered: number;
  readonly rejected: number;
  readonly files: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly freshness: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  readonly maxRssMiB: number;
}

/**
 * `node --import tsx <script> <args>` with stdin and stdout piped. BENCH_NODE_ARGS (e.g.
 * "--cpu-prof --cpu-prof-dir=prof") is passed to each child: profiles per process.
 *
 * @param script - absolute path of the script
 * @param args - its arguments
 * @param cwd - its working directory
 */
export function spawnTsx(script: string, args: readonly string[], cwd: string): ChildProcess {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
}

/**
 * The next line of the child's stdout that starts with `prefix`, parsed as JSON.
 *
 * @param child - a child spawned by {@link spawnTsx}
 * @param prefix - how the line starts
 * @throws when the child's output ends first
 */
export function jsonLine<T>(child: ChildProcess, prefix = '{'): Promise<T> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith(prefix)) {
        rl.close();
        resolve(JSON.parse(line) as T);
      }
    });
    // 'close', not 'exit': the child's last lines may still be in its stdout when it exits.
    child.once('close', (code) =>
      reject(new Error(`${child.spawnargs.join(' ')} exited with ${code} before printing a result`)),
    );
  });
}

/** Resolves once the child has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Pre-fills a stream with generated grid events (seed 3) through gridstream's own sink: KPL aggregation,
 * as producers send.
 *
 * @param endpoint - the emulator
 * @param streamName - the stream
 * @param count - events
 * @param onEvent - sees each event before it is sent
 */
export async function prefillGrid(
  endpoint: string,
  streamName: string,
  count: number,
  onEvent?: (event: GridEvent) => void,
): Promise<void> {
  const generator = createGenerator('grid', { seed: 3 });
  const sink = new KinesisSink({ dataset: 'grid', streamName, endpoint, metrics: 'off', rejectFile: null });
  for (let i = 0; i < count; i++) {
    const event = generator.next();
    onEvent?.(event);
    await sink.put(event);
  }
  await sink.close({ deadlineMs: 120_000 });
}
