import { ensureBuild } from '../scripts/build.mjs';

/**
 * Vitest global setup: tests spawn `bin/gridstream.js`, which runs the compiled CLI in dist/. Building a
 * stale dist/ once here, before any test starts, keeps the rebuild out of the tests' own time limits.
 */
export function setup(): void {
  ensureBuild({ log: (line) => process.stderr.write(`vitest global setup: ${line}\n`) });
}
