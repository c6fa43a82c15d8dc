import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessPoint, ProcessSummary } from '../report/types.js';

/** Clock ticks per second assumed when `getconf CLK_TCK` cannot answer (Linux's USER_HZ everywhere). */
export const DEFAULT_CLOCK_TICKS = 100;

/** A process to sample, by the name it has in the run (`emulator`, `load-0`, ...). */
export interface SampledProcess {
  readonly name: string;
  readonly pid: number;
  readonly role: ProcessSummary['role'];
  /**
   * Count the process's descendants (children, grandchildren, ... alive at each sample) into its CPU and
   * RSS: e.g. a shell wrapper or a child task.
   * @default false
   */
  readonly descendants?: boolean;
}

/** What one sample found. */
export interface ProcessSample {
  /** One point per process alive and measurable now. */
  readonly points: readonly ProcessPoint[];
  /** Processes found gone at this sample (each reported once, then no longer sampled). */
  readonly gone: readonly string[];
}

/** Options of a {@link ProcessSampler}. */
export interface ProcessSamplerOptions {
  /**
   * Root of the proc file system; a folder without `self/stat` makes the sampler degrade to
   * `process.cpuUsage()`/`process.memoryUsage()` for its own pid (other pids are then only checked for
   * existence).
   * @default '/proc'
   */
  readonly procRoot?: string;
  /** Clock ticks per second of `utime`/`stime`. @default `getconf CLK_TCK`, else 100 */
  readonly clockTicks?: number;
  /** Wall clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Fields of /proc/<pid>/stat the sampler reads. */
export interface ProcStat {
  readonly ppid: number;
  /** utime + stime, clock ticks. */
  readonly cpuTicks: number;
  /** Start time after boot, clock ticks. */
  readonly startTicks: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold spaces and
 * parentheses, so fields are counted from the last `)`.
 *
 * @param text - the file's content
 * @returns the fields, or undefined when the text is not a stat line
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After `)`: state(3) ppid(4) ... utime(14) stime(15) ... starttime(22), 1-based per proc(5).
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(f[1]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const start = Number(f[19]);
  if (![ppid, utime, stime, start].every(Number.isFinite)) return undefined;
  return { ppid, cpuTicks: utime + stime, startTicks: start };
}

/**
 * Parses the VmRSS line of /proc/<pid>/status.
 *
 * @param text - the file's content
 * @returns resident set size in MiB; undefined when absent (a zombie has none)
 */
export function parseVmRssMiB(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** Clock ticks per second: `getconf CLK_TCK`, else {@link DEFAULT_CLOCK_TICKS}. */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
    return Number.isInteger(n) && n > 0 ? n : DEFAULT_CLOCK_TICKS;
  } catch {
    return DEFAULT_CLOCK_TICKS;
  }
}

interface Tracked extends SampledProcess {
  /** CPU ticks per pid (the process and its descendants) at the previous sample. */
  ticks: Map<number, number>;
  /** Wall time of the previous sample; undefined before the first. */
  at?: number;
  /** Self-measure fallback: process.cpuUsage() at the previous sample (microseconds). */
  usage?: NodeJS.CpuUsage;
  cpuMax?: number;
  rssMax?: number;
  gone: boolean;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Samples CPU % and RSS of named processes of a run (and optionally their descendants) from /proc.
 * CPU % is the change of utime + stime over the wall time since the previous sample (100 = one core);
 * a process's first sample counts from its start. A process that exited is reported gone once, never
 * an error. Keeps each process's maxima for the run's {@link ProcessSummary}. Without /proc (macOS,
 * Windows) it measures its own process with `process.cpuUsage()` and `process.memoryUsage()`.
 *
 * @example
 * ```ts
 * const sampler = new ProcessSampler();
 * sampler.add({ name: 'emulator', pid: child.pid!, role: 'emulator' });
 * sampler.add({ name: 'coordinator', pid: process.pid, role: 'coordinator' });
 * const { points, gone } = sampler.sample(); // ProcessPoint lines for timeseries.jsonl
 * const processes = sampler.summaries();   // summary.json `processes`
 * ```
 */
export class ProcessSampler {
  private readonly procRoot: string;
  private readonly clockTicks: number;
  private readonly now: () => number;
  private readonly hasProc: boolean;
  private readonly tracked = new Map<string, Tracked>();

  /** @param options - see {@link ProcessSamplerOptions} */
  public constructor(options: ProcessSamplerOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.hasProc = existsSync(join(this.procRoot, 'self', 'stat'));
    this.clockTicks = options.clockTicks ?? (this.hasProc ? clockTicksPerSecond() : DEFAULT_CLOCK_TICKS);
    this.now = options.now ?? Date.now;
  }

  /** Whether /proc is there (false: only the sampler's own process is measured). */
  public get procAvailable(): boolean {
    return this.hasProc;
  }

  /**
   * Starts sampling a process. A name given again replaces the earlier entry (a restarted process).
   *
   * @param process - name, pid, role and whether to count descendants
   */
  public add(process: SampledProcess): void {
    if (!Number.isInteger(process.pid) || process.pid <= 0)
      throw new RangeError(
        `ProcessSampler: pid of ${process.name} must be a positive integer, got ${process.pid}`,
      );
    this.tracked.set(process.name, { ...process, ticks: new Map(), gone: false });
  }

  /**
   * Takes one sample of every process still alive.
   *
   * @returns a point per measurable process and the names of processes found gone
   */
  public sample(): ProcessSample {
    const t = this.now();
    const points: ProcessPoint[] = [];
    const gone: string[] = [];
    const live = [...this.tracked.values()].filter((p) => !p.gone);
    const children = this.hasProc && live.some((p) => p.descendants) ? this.childrenMap() : undefined;
    for (const p of live) {
      const measured = this.hasProc ? this.measureProc(p, t, children) : this.measureWithoutProc(p, t);
      if (measured === 'gone') {
        p.gone = true;
        gone.push(p.name);
        continue;
      }
      if (measured === undefined) continue;
      p.cpuMax = Math.max(p.cpuMax ?? 0, measured.cpu);
      p.rssMax = Math.max(p.rssMax ?? 0, measured.rss);
      points.push({
        kind: 'process',
        t,
        name: p.name,
        cpu_percent: round1(measured.cpu),
        rss_mib: round1(measured.rss),
      });
    }
    return { points, gone };
  }

  /**
   * Each process's maxima so far (summary.json `processes`); a process never measured has none.
   *
   * @returns one entry per process added, in the order added
   */
  public summaries(): ProcessSummary[] {
    return [...this.tracked.values()].map((p) => ({
      name: p.name,
      role: p.role,
      pid: p.pid,
      ...(p.cpuMax === undefined ? {} : { cpu_percent_max: round1(p.cpuMax) }),
      ...(p.rssMax === undefined ? {} : { rss_mib_max: round1(p.rssMax) }),
    }));
  }

  /**
   * Samples every `intervalMs` until the returned function is called (the timer does not hold the
   * event loop open).
   *
   * @param intervalMs - pause between samples
   * @param onSample - receives each sample
   * @returns stop function
   */
  public every(intervalMs: number, onSample: (sample: ProcessSample) => void): () => void {
    const timer = setInterval(() => onSample(this.sample()), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private readStat(pid: number): ProcStat | undefined {
    try {
      return parseProcStat(readFileSync(join(this.procRoot, String(pid), 'stat'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  private readRss(pid: number): number | undefined {
    try {
      return parseVmRssMiB(readFileSync(join(this.procRoot, String(pid), 'status'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Seconds since boot, in clock ticks (for a first sample counted from the process's start). */
  private uptimeTicks(): number | undefined {
    try {
      const seconds = Number(readFileSync(join(this.procRoot, 'uptime'), 'utf8').split(/\s+/)[0]);
      return Number.isFinite(seconds) ? seconds * this.clockTicks : undefined;
    } catch {
      return undefined;
    }
  }

  /** ppid → child pids, from every /proc/<pid>/stat (the per-task `children` file is not always built in). */
  private childrenMap(): Map<number, number[]> {
    const map = new Map<number, number[]>();
    let entries: string[] = [];
    try {
      entries = readdirSync(this.procRoot);
    } catch {
      return map;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = this.readStat(Number(entry));
      if (!stat) continue;
      const list = map.get(stat.ppid);
      if (list) list.push(Number(entry));
      else map.set(stat.ppid, [Number(entry)]);
    }
    return map;
  }

  private measureProc(
    p: Tracked,
    t: number,
    children: Map<number, number[]> | undefined,
  ): { cpu: number; rss: number } | 'gone' | undefined {
    const root = this.readStat(p.pid);
    const rootRss = this.readRss(p.pid);
    // Gone: no stat any more, or a zombie (exited, not yet reaped: no VmRSS).
    if (!root || rootRss === undefined) return 'gone';
    const pids: Array<[number, ProcStat, number]> = [[p.pid, root, rootRss]];
    if (p.descendants && children) {
      const queue = [...(children.get(p.pid) ?? [])];
      const seen = new Set<number>([p.pid]);
      while (queue.length > 0) {
        const pid = queue.shift()!;
        if (seen.has(pid)) continue;
        seen.add(pid);
        const stat = this.readStat(pid);
        const rss = this.readRss(pid);
        if (stat && rss !== undefined) pids.push([pid, stat, rss]);
        queue.push(...(children.get(pid) ?? []));
      }
    }
    const uptime = this.uptimeTicks();
    let deltaTicks = 0;
    let firstTicks = 0;
    let firstSpan = 0;
    const ticks = new Map<number, number>();
    for (const [pid, stat] of pids) {
      ticks.set(pid, stat.cpuTicks);
      const before = p.ticks.get(pid);
      if (before !== undefined) deltaTicks += Math.max(0, stat.cpuTicks - before);
      else if (p.at !== undefined)
        deltaTicks += stat.cpuTicks; // a descendant born since the previous sample
      else if (pid === p.pid && uptime !== undefined) {
        firstTicks = stat.cpuTicks;
        firstSpan = Math.max(uptime - stat.startTicks, 1);
      }
    }
    const previous = p.at;
    p.ticks = ticks;
    p.at = t;
    const rss = pids.reduce((sum, [, , r]) => sum + r, 0);
    let cpu: number;
    if (previous === undefined) cpu = firstSpan > 0 ? (firstTicks / firstSpan) * 100 : 0;
    else cpu = t > previous ? (deltaTicks / this.clockTicks / ((t - previous) / 1000)) * 100 : 0;
    return { cpu, rss };
  }

  private measureWithoutProc(p: Tracked, t: number): { cpu: number; rss: number } | 'gone' | undefined {
    if (p.pid !== process.pid) {
      try {
        process.kill(p.pid, 0);
        return undefined; // alive, but nothing to read it with
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM' ? undefined : 'gone';
      }
    }
    const usage = process.cpuUsage();
    const rss = process.memoryUsage().rss / (1024 * 1024);
    const previous = p.at;
    const before = p.usage;
    p.usage = usage;
    p.at = t;
    if (previous === undefined || before === undefined) {
      const lifetimeMs = process.uptime() * 1000;
      return { cpu: lifetimeMs > 0 ? ((usage.user + usage.system) / 1000 / lifetimeMs) * 100 : 0, rss };
    }
    const usedMs = (usage.user - before.user + usage.system - before.system) / 1000;
    return { cpu: t > previous ? (usedMs / (t - previous)) * 100 : 0, rss };
  }
}
