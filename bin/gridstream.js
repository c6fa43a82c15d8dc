#!/usr/bin/env node
// Entry point of the `gridstream` CLI. It runs the JavaScript `npm run build` compiled into dist/ (the
// install builds it); when there is no build yet, or a source changed since the build, it rebuilds first
// (scripts/build.mjs), so a checkout never runs stale code and nothing is transpiled at run time.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildError, ensureBuild } from '../scripts/build.mjs';

let outDir;
try {
  ({ outDir } = ensureBuild());
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  process.stderr.write(`gridstream: ${err.message}\n`);
  process.exit(1);
}
await import(pathToFileURL(join(outDir, 'cli', 'run.js')).href);
