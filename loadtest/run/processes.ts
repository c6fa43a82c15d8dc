import { type ChildProcess, fork, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../common/packageRoot.js';
import { LoadtestError } from '../errors.js';
import type { ProcessSummary } from '../report/types.js';

const require = createRequire(import.meta.url);

/** The `gridstream` launcher the coordinator starts the emulator, delivery and curation with. */
export const GRIDSTREAM_BIN = join(PACKAGE_ROOT, 'bin', 'gridstream.js');

/** A child process of the run, its output in logs/<name>.log. */
export interface RunProcess {
  readonly name: string;
  readonly role: ProcessSummary['role'];
  readonly child: ChildProcess;
  readonly pid: number;
  readonly log: string;
  /** Resolves when it exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once it exited. */
  readonly hasExited: () => boolean;
}

function track(
  name: string,
  role: ProcessSummary['role'],
  child: ChildProcess,
  log: string,
  fd: number,
): RunProcess {
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (err) => {
      done = true;
      closeSync(fd);
      reject(new LoadtestError(`${name}: could not start: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      done = true;
      closeSync(fd);
      resolve({ code, signal });
    });
  });
  exited.catch(() => undefined);
  if (child.pid === undefined) throw new LoadtestError(`${name}: could not start (no pid)`);
  return { name, role, child, pid: child.pid, log, exited, hasExited: () => done };
}

/**
 * Starts `gridstream <args>` in its own process group (a Ctrl-C in the terminal reaches the coordinator
 * only, which stops each process in its turn), stdout and stderr appended to `logs/<name>.log`.
 *
 * @param name - process name (log file name)
 * @param role - its role in the report
 * @param args - gridstream arguments
 * @param options - log folder, environment, and a stdout listener (e.g. to read a ready line)
 */
export function startGridstream(
  name: string,
  role: ProcessSummary['role'],
  args: readonly string[],
  options: { logDir: string; env?: NodeJS.ProcessEnv; onStdout?: (text: string) => void },
): RunProcess {
  const log = join(options.logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [GRIDSTREAM_BIN, ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', options.onStdout ? 'pipe' : fd, fd],
    detached: true,
  });
  if (options.onStdout) {
    const onStdout = options.onStdout;
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString();
      // The log keeps everything the process printed, as for the other processes.
      appendFileSync(log, text);
      onStdout(text);
    });
  }
  return track(name, role, child, log, fd);
}

/**
 * Forks a module with an IPC channel (a load worker), in its own process group, output to
 * `logs/<name>.log`; a TypeScript entry (tests, source checkouts) runs under tsx's loader.
 *
 * @param name - process name
 * @param entry - the module
 * @param logDir - log folder
 */
export function forkLogged(name: string, entry: URL, logDir: string): RunProcess {
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const execArgv = entry.pathname.endsWith('.ts')
    ? ['--import', pathToFileURL(require.resolve('tsx')).href]
    : [];
  const child = fork(fileURLToPath(entry), [], {
    execArgv,
    serialization: 'json',
    stdio: ['ignore', fd, fd, 'ipc'],
    detached: true,
  });
  return track(name, 'load', child, log, fd);
}

/**
 * Stops a process with a signal and waits; SIGKILL when it has not exited in `graceMs`.
 *
 * @param p - the process
 * @param signal - the first signal
 * @param graceMs - how long to wait before SIGKILL
 */
export async function stopProcess(p: RunProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (p.hasExited()) return;
  try {
    p.child.kill(signal);
  } catch {}
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      try {
        p.child.kill('SIGKILL');
      } catch {}
      resolve();
    }, graceMs);
  });
  await Promise.race([
    p.exited.then(
      () => undefined,
      () => undefined,
    ),
    killed,
  ]);
  clearTimeout(timer);
  await p.exited.catch(() => undefined);
}

/**
 * Starts a `gridstream` server command (the emulator, a broker) and waits for the line saying where it
 * serves: resolves with `readyLine`'s first group; rejects naming its log when the process exits first
 * or prints no such line within `timeoutMs`. The process is added to `processes` at once, so a failed
 * start is stopped with the others.
 *
 * @param name - process name (log file name)
 * @param args - gridstream arguments
 * @param options - log folder, the ready line's pattern, how long to wait, the run's processes
 */
export async function startServing(
  name: string,
  args: readonly string[],
  options: { logDir: string; readyLine: RegExp; timeoutMs: number; processes: RunProcess[] },
): Promise<string> {
  let seen = '';
  let found: (value: string) => void = () => undefined;
  const ready = new Promise<string>((r) => {
    found = r;
  });
  const p = startGridstream(name, 'emulator', args, {
    logDir: options.logDir,
    onStdout: (text) => {
      seen += text;
      const m = options.readyLine.exec(seen);
      if (m) found(m[1]!);
    },
  });
  options.processes.push(p);
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    p.exited.then(
      ({ code }) =>
        reject(
          new LoadtestError(`gridstream ${name} exited (code ${code}) before it was ready: see ${p.log}`),
        ),
      reject,
    );
    timer = setTimeout(
      () =>
        reject(
          new LoadtestError(
            `gridstream ${name} printed no ready line in ${options.timeoutMs / 1000} s: see ${p.log}`,
          ),
        ),
      options.timeoutMs,
    );
  });
  failed.catch(() => undefined);
  try {
    return await Promise.race([ready, failed]);
  } finally {
    clearTimeout(timer);
  }
}
