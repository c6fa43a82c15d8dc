import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repoRoot.js';
import { run } from './run.js';

/** The project venv's Python (`GRIDSTREAM_PYTHON` inside `npm test`, set by scripts/test.mjs). */
export function pythonPath(): string {
  return process.env.GRIDSTREAM_PYTHON ?? join(REPO_ROOT, '.venv', 'bin', 'python');
}

/** True when the project venv exists. */
export function hasPython(): boolean {
  return existsSync(pythonPath());
}

/**
 * Runs the project's Python with the repository's glue/ on the path (Spark uses the same interpreter)
 * and returns its stdout.
 *
 * @param args - python arguments
 * @param timeoutMs - kill after
 * @throws Error with stderr's tail when it exits non-zero
 */
export async function runPython(args: readonly string[], timeoutMs = 240_000): Promise<string> {
  const python = pythonPath();
  const r = await run(python, [...args], {
    env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'glue'), PYSPARK_PYTHON: python },
    timeoutMs,
  });
  if (r.code !== 0) throw new Error(`python ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}
