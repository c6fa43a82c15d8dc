import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The project venv's Python (scripts/test.mjs sets GRIDSTREAM_PYTHON). */
export const PYTHON = process.env.GRIDSTREAM_PYTHON ?? join(REPO, '.venv', 'bin', 'python');

/**
 * Runs a Python program with the repository's glue/ on the path and returns its stdout.
 *
 * @param args - python arguments
 * @param timeoutMs - kill after
 * @throws Error with stderr's tail when it exits non-zero
 */
export function runPython(args: readonly string[], timeoutMs = 240_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [...args], {
      cwd: REPO,
      env: { ...process.env, PYTHONPATH: join(REPO, 'glue'), PYSPARK_PYTHON: PYTHON },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python ${args.join(' ')} exited ${code}:\n${err.slice(-3000)}`));
    });
  });
}

/**
 * Runs the Glue curation job locally (glue/local_runner.py) on a lake and returns its JSON summary.
 *
 * @param lake - lake folder
 * @param extra - more job arguments
 */
export async function runSparkCuration(
  lake: string,
  extra: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const out = await runPython([
    'glue/local_runner.py',
    'curate',
    '--lake',
    lake,
    '--small_data',
    '--json',
    '--target_file_size_bytes',
    String(1024 * 1024),
    ...extra,
  ]);
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON summary in:\n${out}`);
  return JSON.parse(line) as Record<string, unknown>;
}
