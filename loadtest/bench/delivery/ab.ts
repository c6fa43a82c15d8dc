// A/B drains: which of two (or more) checkouts' delivery drains the same pre-filled stream faster?
//   node --import tsx loadtest/bench/delivery/ab.ts <rounds> <checkout> [<checkout>...]
// e.g. with `git worktree add ../before HEAD~1` (its node_modules linked or installed):
//   node --import tsx loadtest/bench/delivery/ab.ts 6 ../before .
// One emulator is pre-filled once (BENCH_AB_EVENTS, default 300,000 KPL-aggregated grid events, 4 shards);
// each round runs every checkout's runner.ts once, in turn, into a new lake, so all of them meet the same
// data and machine state. Run to run, a drain varies by about ±10 % here: compare medians of several rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silenceSdkNodeVersionWarning } from '../../../common/sdkNodeWarning.js';
import { exited, jsonLine, prefillGrid, type RunnerResult, spawnTsx } from './children.js';

silenceSdkNodeVersionWarning();

const [roundsArg, ...checkouts] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!Number.isInteger(rounds) || rounds < 1 || checkouts.length === 0) {
  process.stderr.write('usage: ab.ts <rounds> <checkout> [<checkout>...]\n');
  process.exit(2);
}
const EVENTS = Number(process.env.BENCH_AB_EVENTS ?? 300_000);
const here = dirname(fileURLToPath(import.meta.url));

// Every round drains the same records again: the emulator must not trim what earlier rounds read.
const emulator = spawnTsx(join(here, 'emulatorProcess.ts'), ['--keep-records', 'ab:4'], process.cwd());
try {
  const { endpoint } = await jsonLine<{ endpoint: string }>(emulator, '{"endpoint"');
  await prefillGrid(endpoint, 'ab', EVENTS);

  const rates = new Map<string, number[]>(checkouts.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    for (const checkout of checkouts) {
      const lake = mkdtempSync(join(tmpdir(), 'gridstream-ab-lake-'));
      try {
        const runner = spawnTsx(
          join(resolve(checkout), 'loadtest', 'bench', 'delivery', 'runner.ts'),
          [
            JSON.stringify({
              endpoint,
              lake,
              streams: [{ dataset: 'grid', streamName: 'ab' }],
              mode: 'drain',
            }),
          ],
          resolve(checkout),
        );
        const out = await jsonLine<RunnerResult>(runner, '{');
        // The next drain starts once this process is gone (its exit frees DuckDB's memory and threads).
        await exited(runner);
        if (out.delivered !== EVENTS) throw new Error(`${checkout} delivered ${out.delivered} of ${EVENTS}`);
        const rate = (EVENTS * 1000) / out.elapsedMs;
        rates.get(checkout)!.push(rate);
        process.stdout.write(
          `round ${r + 1} ${checkout}: ${Math.round(rate).toLocaleString('en-US')} events/s, ` +
            `CPU ${((out.cpuMs * 1000) / EVENTS).toFixed(1)} µs/event, peak RSS ${out.maxRssMiB.toFixed(0)} MiB\n`,
        );
      } finally {
        rmSync(lake, { recursive: true, force: true });
      }
    }
  }
  for (const [checkout, values] of rates) {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    process.stdout.write(
      `${checkout}: median ${Math.round(median).toLocaleString('en-US')} events/s ` +
        `(min ${Math.round(sorted[0]!).toLocaleString('en-US')}, max ${Math.round(sorted.at(-1)!).toLocaleString('en-US')})\n`,
    );
  }
} finally {
  emulator.stdin!.end();
}
