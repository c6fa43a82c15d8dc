// RSS of `gridstream up` over a long run (not part of `npm run bench`: it takes minutes).
//
//   node --import tsx loadtest/bench/upRss.ts [--events N] [--seconds S] [--every S] [-- <up options>]
//
// Starts `node bin/gridstream.js up --lake <temp dir> --curate-every 0 <up options>`, samples the
// process' RSS (/proc/<pid>/status VmRSS; its child processes — a compaction — apart) and the events produced (from up's status lines) every
// --every seconds, stops it with SIGINT once --events were produced or --seconds passed, and prints one
// JSON line per sample and a summary table. Local curation is off (--curate-every 0) so that samples
// are never taken during a curation run.
//
// docs/PERFORMANCE.md: 10 minutes at the default rates (`-- ` with no up options, --seconds 600), and
// the events of 2 hours at the default rates (350/s × 7,200 s = 2.52 M) at a higher rate
// (`--events 2520000 -- --grid-rate 3000`).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'bin', 'gridstream.js');
const split = process.argv.indexOf('--');
const own = split < 0 ? process.argv.slice(2) : process.argv.slice(2, split);
const upArgs = split < 0 ? [] : process.argv.slice(split + 1);
const { values } = parseArgs({
  args: own,
  options: {
    events: { type: 'string' },
    seconds: { type: 'string' },
    every: { type: 'string', default: '10' },
  },
});
const maxEvents = values.events ? Number(values.events) : Number.POSITIVE_INFINITY;
const maxSeconds = values.seconds ? Number(values.seconds) : Number.POSITIVE_INFINITY;
const everyMs = Number(values.every) * 1000;
if (!Number.isFinite(maxEvents) && !Number.isFinite(maxSeconds)) {
  process.stderr.write('upRss: give --events N or --seconds S (or both)\n');
  process.exit(2);
}

const lake = mkdtempSync(join(tmpdir(), 'gridstream-uprss-'));
const child = spawn(process.execPath, [cli, 'up', '--lake', lake, '--curate-every', '0', ...upArgs], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
const produced: Record<string, number> = {};
/** up's own lines (`gridstream up: …`), e.g. its final summary. */
const said: string[] = [];
let tail = '';
const onOutput = (chunk: Buffer): void => {
  tail += chunk.toString('utf8');
  const lines = tail.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) {
    // A status row: `<dataset>  <produced>  <delivered> ...`
    const m = /^(grid|weather|transactions)\s+([\d,]+)\s+([\d,]+)/.exec(line);
    if (m) produced[m[1]!] = Number(m[2]!.replaceAll(',', ''));
    else if (line.startsWith('gridstream up:')) said.push(line);
  }
};
child.stdout.on('data', onOutput);
child.stderr.on('data', onOutput);

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** RSS of up's child processes (a compaction runs in one), summed; 0 when there are none. */
function childrenRssMiB(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return 0;
  }
  return children.reduce((sum, c) => sum + (rssMiB(c) ?? 0), 0);
}

interface Sample {
  readonly seconds: number;
  readonly events: number;
  /** RSS of the `up` process itself. */
  readonly rssMiB: number;
  /** RSS of its child processes at that moment (a compaction in flight), not included in rssMiB. */
  readonly childrenMiB: number;
}
const samples: Sample[] = [];
const started = Date.now();
let stopping = false;
const timer = setInterval(() => {
  const rss = rssMiB(child.pid!);
  if (rss === undefined || stopping) return;
  const s: Sample = {
    seconds: Math.round((Date.now() - started) / 1000),
    events: Object.values(produced).reduce((a, b) => a + b, 0),
    rssMiB: Math.round(rss * 10) / 10,
    childrenMiB: Math.round(childrenRssMiB(child.pid!) * 10) / 10,
  };
  samples.push(s);
  process.stdout.write(`${JSON.stringify(s)}\n`);
  if (s.events >= maxEvents || s.seconds >= maxSeconds) {
    stopping = true;
    child.kill('SIGINT');
  }
}, everyMs);

const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
clearInterval(timer);
rmSync(lake, { recursive: true, force: true });
const last = samples.at(-1);
const at600 = samples.find((s) => s.seconds >= 600);
const peak = samples.reduce((m, s) => Math.max(m, s.rssMiB), 0);
const peakChildren = samples.reduce((m, s) => Math.max(m, s.childrenMiB), 0);
process.stdout.write(
  `\n${said.slice(-2).join('\n')}\nup ${upArgs.join(' ') || '(default rates)'}: exit ${code}\n` +
    `| sample | seconds | events | RSS MiB |\n|---|---:|---:|---:|\n` +
    (at600 ? `| at 10 min | ${at600.seconds} | ${at600.events} | ${at600.rssMiB} |\n` : '') +
    (last ? `| last | ${last.seconds} | ${last.events} | ${last.rssMiB} |\n` : '') +
    `| peak | | | ${peak} |\n` +
    `| peak of child processes (compaction), when sampled | | | ${peakChildren} |\n`,
);
