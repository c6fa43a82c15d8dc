// Minimal CPU/RSS sampler of the run's processes from /proc (Linux). Helper "report" writes
// loadtest/metrics/processSampler.ts; once it is on main this file gives way to it.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** One reading of a process. */
export interface ProcessReading {
  /** CPU since the previous reading, % of one core. */
  readonly cpuPercent: number;
  readonly rssMib: number;
}

/**
 * Samples processes by pid: CPU from utime + stime in /proc/<pid>/stat (as a share of one core since the
 * previous call), RSS from VmRSS in /proc/<pid>/status. A process that is gone (or a system without
 * /proc) reads as undefined.
 */
export class ProcessStats {
  readonly #last = new Map<number, { ticks: number; at: number }>();

  /**
   * Reads one process.
   *
   * @param pid - process id
   * @param nowMs - the time of the reading
   */
  public read(pid: number, nowMs: number = Date.now()): ProcessReading | undefined {
    let stat: string;
    let status: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return undefined;
    }
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const prev = this.#last.get(pid);
    this.#last.set(pid, { ticks, at: nowMs });
    const cpuPercent =
      prev && nowMs > prev.at
        ? ((ticks - prev.ticks) / TICKS_PER_SECOND / ((nowMs - prev.at) / 1000)) * 100
        : 0;
    return {
      cpuPercent: Math.max(0, Math.round(cpuPercent * 10) / 10),
      rssMib: Math.round(rssKb / 102.4) / 10,
    };
  }
}
