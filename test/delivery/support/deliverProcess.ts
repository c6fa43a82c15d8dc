import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../helpers/repoRoot.js';

/**
 * Starts test/delivery/support/deliverChild.ts (a delivery worker) as a child process, stdout and
 * stderr piped.
 *
 * @param endpoint - the Kinesis endpoint (`GS_ENDPOINT`)
 * @param lake - the lake directory (`GS_LAKE`)
 * @param stream - the grid stream (`GS_STREAM`)
 * @param env - further `GS_*` switches (see deliverChild.ts), added to `process.env`
 */
export function spawnDeliverWorker(
  endpoint: string,
  lake: string,
  stream: string,
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'test/delivery/support/deliverChild.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, GS_ENDPOINT: endpoint, GS_LAKE: lake, GS_STREAM: stream, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts `gridstream deliver --lake <lake> --streams grid=<stream> ...args` as a child process,
 * stdout and stderr piped.
 *
 * @param endpoint - the Kinesis endpoint (`AWS_ENDPOINT_URL_KINESIS`)
 * @param lake - the lake directory
 * @param stream - the grid stream
 * @param args - further options of `gridstream deliver`
 */
export function spawnDeliverCli(
  endpoint: string,
  lake: string,
  stream: string,
  args: string[],
): ChildProcess {
  return spawn(
    process.execPath,
    ['bin/gridstream.js', 'deliver', '--lake', lake, '--streams', `grid=${stream}`, ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_ENDPOINT_URL_KINESIS: endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** How a child run by {@link runUntilKilled} ended. */
export interface KillOutcome {
  /** Whether it was killed (SIGKILL) on a line. */
  readonly killed: boolean;
  /** Its exit code (null when killed by a signal). */
  readonly code: number | null;
  /** Its stdout and stderr lines, in arrival order. */
  readonly lines: string[];
}

/**
 * Collects a child's stdout and stderr lines, kills it with SIGKILL on the first line `killOn`
 * accepts, and resolves when it is gone.
 *
 * @param child - a child process with stdout and stderr piped
 * @param killOn - called with each line until it accepts one
 */
export function runUntilKilled(child: ChildProcess, killOn: (line: string) => boolean): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let killed = false;
    const onLine = (line: string): void => {
      lines.push(line);
      if (!killed && killOn(line)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.on('error', reject);
    child.on('close', (code) => resolve({ killed, code, lines }));
  });
}
