import { spawn } from 'node:child_process';
import { REPO_ROOT } from './repoRoot.js';

/** Options of {@link run}. */
export interface RunOptions {
  /** Environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. @default '' */
  readonly input?: string;
  /** Working directory. @default the repository root */
  readonly cwd?: string;
  /** Kills the process (SIGKILL) after this long. @default no limit */
  readonly timeoutMs?: number;
}

/**
 * Runs a command to completion, collecting its output.
 *
 * @param cmd - program
 * @param args - arguments
 * @param options - env, stdin, working directory and time limit
 */
export function run(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
