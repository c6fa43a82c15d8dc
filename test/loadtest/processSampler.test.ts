import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { ProcessSampler, parseProcStat, parseVmRssMiB } from '../../loadtest/metrics/ProcessSampler.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';

const started: ChildProcess[] = [];

/** Starts `node -e code` and resolves once it printed `ready` (its start-up CPU is then behind it). */
async function startNode(code: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `process.stdout.write('ready\\n');${code}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  await waitFor('the child to start', () => out.includes('ready'), 30_000);
  return child;
}

function cpuTicks(pid: number): number {
  const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return stat?.cpuTicks ?? 0;
}

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('parsers', () => {
  it('counts stat fields from the last parenthesis (a command name may hold spaces and parentheses)', () => {
    // Prepare: a stat line whose comm is `a) b (c`
    const fields = ['S', '42', ...Array(9).fill('0'), '150', '50', ...Array(6).fill('0'), '12345', '0'];
    const line = `777 (a) b (c) ${fields.join(' ')}`;

    // Assess
    expect(parseProcStat(line)).toEqual({ ppid: 42, cpuTicks: 200, startTicks: 12345 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads VmRSS in MiB and nothing from a zombie status', () => {
    expect(parseVmRssMiB('Name:\tnode\nVmRSS:\t  2048 kB\n')).toBe(2);
    expect(parseVmRssMiB('Name:\tnode\nState:\tZ (zombie)\n')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('ProcessSampler on /proc', () => {
  it('reads a busy-looping child higher than an idle one, and reports an exited one gone', async () => {
    // Prepare
    const busy = await startNode('for (;;) {}');
    const idle = await startNode('setInterval(() => {}, 60_000);');
    const sampler = new ProcessSampler();
    sampler.add({ name: 'busy', pid: busy.pid!, role: 'load' });
    sampler.add({ name: 'idle', pid: idle.pid!, role: 'delivery' });
    expect(sampler.procAvailable).toBe(true);

    // Act: a baseline sample, then another once the busy child has used 30 ticks more
    const baseline = sampler.sample();
    const from = cpuTicks(busy.pid!);
    await waitFor('the busy child to burn CPU', () => cpuTicks(busy.pid!) - from >= 30, 60_000, 100);
    const second = sampler.sample();

    // Assess
    expect(baseline.points.map((p) => p.name)).toEqual(['busy', 'idle']);
    const byName = Object.fromEntries(second.points.map((p) => [p.name, p]));
    expect(byName.busy!.cpu_percent).toBeGreaterThan(byName.idle!.cpu_percent);
    expect(byName.busy!.rss_mib).toBeGreaterThan(1);
    expect(byName.idle!.rss_mib).toBeGreaterThan(1);
    expect(second.gone).toEqual([]);

    // Act: the busy child exits
    const exited = new Promise((r) => busy.once('exit', r));
    busy.kill('SIGKILL');
    await exited;
    const third = sampler.sample();
    const fourth = sampler.sample();

    // Assess: gone once, not an error; its maxima kept
    expect(third.gone).toEqual(['busy']);
    expect(third.points.map((p) => p.name)).toEqual(['idle']);
    expect(fourth.gone).toEqual([]);
    const summaries = sampler.summaries();
    expect(summaries.map((s) => [s.name, s.role, s.pid])).toEqual([
      ['busy', 'load', busy.pid],
      ['idle', 'delivery', idle.pid],
    ]);
    expect(summaries[0]!.cpu_percent_max).toBeGreaterThanOrEqual(byName.busy!.cpu_percent);
    expect(summaries[0]!.rss_mib_max).toBeGreaterThan(1);
  });

  it('counts descendants into their ancestor when asked', async () => {
    // Prepare: a parent that starts a busy grandchild through a child
    const grandchild = `require('child_process').spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });`;
    const parent = await startNode(
      `const c = require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)} + 'setInterval(()=>{},60000)'], { stdio: 'ignore' });` +
        `process.on('SIGTERM', () => { c.kill('SIGKILL'); process.exit(0); });` +
        'setInterval(() => {}, 60_000);',
    );
    const withTree = new ProcessSampler();
    const alone = new ProcessSampler();
    withTree.add({ name: 'tree', pid: parent.pid!, role: 'delivery', descendants: true });
    alone.add({ name: 'alone', pid: parent.pid!, role: 'delivery' });

    // Act: wait until the tree holds three processes, then sample both ways over the same interval
    const pids = (): number[] => {
      const all: number[] = [];
      const queue = [parent.pid!];
      const stats = readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .map((e) => {
          try {
            return [Number(e), parseProcStat(readFileSync(`/proc/${e}/stat`, 'utf8'))?.ppid] as const;
          } catch {
            return [Number(e), undefined] as const;
          }
        });
      while (queue.length > 0) {
        const p = queue.shift()!;
        all.push(p);
        queue.push(...stats.filter(([, ppid]) => ppid === p).map(([pid]) => pid));
      }
      return all;
    };
    const tree = await waitFor('three processes in the tree', () => {
      const p = pids();
      return p.length >= 3 ? p : undefined;
    });
    onTestFinished(() => {
      for (const pid of tree.slice(1).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    withTree.sample();
    alone.sample();
    const busiest = tree.at(-1)!;
    const from = cpuTicks(busiest);
    await waitFor('the grandchild to burn CPU', () => cpuTicks(busiest) - from >= 30, 60_000, 100);
    const a = withTree.sample().points[0]!;
    const b = alone.sample().points[0]!;

    // Assess
    expect(a.cpu_percent).toBeGreaterThan(b.cpu_percent);
    expect(a.rss_mib).toBeGreaterThan(b.rss_mib);
  });
});

describe('ProcessSampler without /proc', () => {
  it('measures its own process with process.cpuUsage and memoryUsage, and finds a dead pid gone', async () => {
    // Prepare: a proc root that has no self/stat
    const root = join(tempDir('no-proc'), 'proc');
    mkdirSync(root);
    const child = await startNode('setInterval(() => {}, 60_000);');
    const sampler = new ProcessSampler({ procRoot: root });
    sampler.add({ name: 'self', pid: process.pid, role: 'coordinator' });
    sampler.add({ name: 'child', pid: child.pid!, role: 'load' });

    // Act
    const first = sampler.sample();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const second = sampler.sample();

    // Assess
    expect(sampler.procAvailable).toBe(false);
    expect(first.points.map((p) => p.name)).toEqual(['self']);
    expect(first.points[0]!.rss_mib).toBeGreaterThan(1);
    expect(first.points[0]!.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(first.gone).toEqual([]);
    expect(second.gone).toEqual(['child']);
    expect(second.points.map((p) => p.name)).toEqual(['self']);
  });
});
