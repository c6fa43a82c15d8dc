#!/usr/bin/env node
// The CLI's build. `tsc -p tsconfig.build.json` compiles the folders that file's "include" lists into
// its outDir (dist/, gitignored), and a stamp there records a hash of every source the build took.
// Nothing transpiles at run time: bin/gridstream.js, scripts/setup.mjs and the vitest global setup call
// ensureBuild(), which rebuilds when a source differs from the stamp, so a checkout never runs a stale
// build (an edit, a `git pull`, a branch switch: the next `gridstream` rebuilds first).
//
//   node scripts/build.mjs     build now (= `npm run build`, and npm's `prepare` step after an install)
//
// Plain Node without dependencies at import time: bin/gridstream.js loads it on every start, and
// scripts/setup.mjs before node_modules exists. TypeScript is needed only when a build has to run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The build's tsconfig: its "include" (plain folder names) is the one list of what the CLI build compiles. */
export const BUILD_CONFIG = 'tsconfig.build.json';
/** Files besides the sources whose change changes the output. */
const CONFIG_FILES = ['tsconfig.json', BUILD_CONFIG];
/** What the fingerprint reads inside the included folders (tsc's inputs, JSON for resolveJsonModule). */
const SOURCE_FILE = /\.(?:[mc]?tsx?|json)$/;
const STAMP_FILE = '.build-stamp.json';
const LOCK_FILE = '.build-lock';
const LOCK_WAIT_MS = 10 * 60_000;

/** A build that cannot run or failed; the message says what to do. */
export class BuildError extends Error {
  name = 'BuildError';
}

/**
 * Reads the build's folder list and output folder from tsconfig.build.json.
 *
 * @param {string} [root] - repository root
 * @returns {{ include: string[], outDir: string }} include as written, outDir absolute
 */
export function readBuildConfig(root = ROOT) {
  const config = JSON.parse(readFileSync(join(root, BUILD_CONFIG), 'utf8'));
  const { include } = config;
  const folder = /^[\w.-]+(?:\/[\w.-]+)*$/;
  if (
    !Array.isArray(include) ||
    include.some((d) => typeof d !== 'string' || !folder.test(d) || d.split('/').some((s) => /^\.+$/.test(s)))
  ) {
    throw new BuildError(
      `${BUILD_CONFIG}: "include" must list folders by name (no globs, no ..), got ${JSON.stringify(include)}`,
    );
  }
  const outDir = config.compilerOptions?.outDir;
  if (typeof outDir !== 'string') throw new BuildError(`${BUILD_CONFIG}: compilerOptions.outDir is not set`);
  return { include, outDir: join(root, outDir) };
}

function listSources(root, dir, out) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') listSources(root, rel, out);
    } else if (SOURCE_FILE.test(e.name)) {
      out.push(rel);
    }
  }
}

/**
 * A content hash of every input of the build: the files under the included folders and the tsconfigs.
 * Contents, not modification times: a touched file is not a change, and a copy that kept an old time is.
 *
 * @param {string} [root] - repository root
 * @param {string[]} [include] - folders, as in tsconfig.build.json
 * @returns {{ hash: string, files: Record<string, string> }} the whole and each file's hash, by path
 */
export function sourceFingerprint(root = ROOT, include = readBuildConfig(root).include) {
  const paths = [...CONFIG_FILES];
  for (const dir of include) listSources(root, dir, paths);
  paths.sort();
  const files = {};
  const whole = createHash('sha256');
  for (const rel of paths) {
    let body;
    try {
      body = readFileSync(join(root, rel));
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'EISDIR') continue;
      throw err;
    }
    const h = createHash('sha1').update(body).digest('hex');
    files[rel] = h;
    whole.update(`${rel}\0${h}\n`);
  }
  return { hash: whole.digest('hex'), files };
}

/**
 * Whether the build in outDir was made from the sources as they are now.
 *
 * @param {string} [root] - repository root
 * @returns {{ state: 'fresh' | 'stale' | 'missing', changed: string[], typeErrors: boolean, outDir: string }}
 *   changed: the sources added, removed or edited since the build (sorted); typeErrors: the build emitted
 *   JavaScript but TypeScript reported errors
 */
export function buildStatus(root = ROOT) {
  const { include, outDir } = readBuildConfig(root);
  const current = sourceFingerprint(root, include);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outDir, STAMP_FILE), 'utf8'));
  } catch {
    return { state: 'missing', changed: [], typeErrors: false, outDir };
  }
  if (stamp.hash === current.hash) {
    return { state: 'fresh', changed: [], typeErrors: stamp.typeErrors === true, outDir };
  }
  const before = stamp.files ?? {};
  const changed = [...new Set([...Object.keys(before), ...Object.keys(current.files)])]
    .filter((f) => before[f] !== current.files[f])
    .sort();
  return { state: 'stale', changed, typeErrors: false, outDir };
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockHolderGone(lock) {
  let text;
  let ageMs;
  try {
    text = readFileSync(lock, 'utf8');
    ageMs = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return ageMs > 10_000; // created, pid not written yet
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}

/** Runs fn while holding outDir's build lock, so that CLI processes started together build once. */
function withBuildLock(outDir, fn) {
  mkdirSync(outDir, { recursive: true });
  const lock = join(outDir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (lockHolderGone(lock)) {
        rmSync(lock, { force: true }); // its builder was killed
        continue;
      }
      if (Date.now() > deadline) {
        throw new BuildError(`another build has held ${lock} for 10 minutes; delete it if none is running`);
      }
      sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Sources a compiled file may come from. */
function sourcesOf(rel) {
  const m = /^(.*)\.([mc]?)js(?:\.map)?$/.exec(rel);
  if (!m) return undefined;
  return [`${m[1]}.${m[2]}ts`, `${m[1]}.${m[2]}tsx`];
}

/**
 * Deletes outputs whose source is gone (deleted or moved): tsc never removes them. Returns the sources
 * that exist but lie outside the included folders: tsc compiled them because an included file imports
 * them, and the fingerprint would not see them change.
 */
function pruneOrphans(root, outDir, files, dir = '', outside = []) {
  for (const e of readdirSync(join(outDir, dir), { withFileTypes: true })) {
    const rel = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) {
      pruneOrphans(root, outDir, files, rel, outside);
      if (readdirSync(join(outDir, rel)).length === 0) rmSync(join(outDir, rel), { recursive: true });
    } else {
      const sources = sourcesOf(rel);
      if (!sources || sources.some((s) => s in files)) continue;
      const existing = sources.find((s) => existsSync(join(root, s)));
      if (existing) outside.push(existing);
      else rmSync(join(outDir, rel));
    }
  }
  return outside;
}

/**
 * Compiles now; the caller holds the lock. The fingerprint is taken before tsc runs, so a source saved
 * during the build leaves the stamp behind it and the next check rebuilds.
 */
function compile(root, stdio) {
  const { include, outDir } = readBuildConfig(root);
  const fingerprint = sourceFingerprint(root, include);
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new BuildError(
      'TypeScript is not installed (an install without dev dependencies?): run `npm ci`, then `npm run build`',
    );
  }
  let hadStamp = true;
  try {
    statSync(join(outDir, STAMP_FILE));
  } catch {
    hadStamp = false;
  }
  if (!hadStamp) {
    // No stamp: whatever is in outDir is of unknown origin, and tsc's incremental state could skip files
    // that are missing there. Start clean (but keep the lock this process holds).
    for (const name of readdirSync(outDir)) {
      if (name !== LOCK_FILE) rmSync(join(outDir, name), { recursive: true, force: true });
    }
  }
  rmSync(join(outDir, STAMP_FILE), { force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, BUILD_CONFIG)], { cwd: root, stdio });
  if (r.error) throw new BuildError(`could not run tsc: ${r.error.message}`);
  // tsc exits 0 (clean), 2 (type errors reported, JavaScript emitted) or 1 (nothing emitted).
  if (r.status !== 0 && r.status !== 2) {
    throw new BuildError(
      `tsc -p ${BUILD_CONFIG} failed (exit ${r.status ?? r.signal}); the errors are above`,
    );
  }
  const typeErrors = r.status === 2;
  const outside = [...new Set(pruneOrphans(root, outDir, fingerprint.files))].sort();
  if (outside.length > 0) {
    const folders = [...new Set(outside.map((f) => f.split('/')[0]))];
    throw new BuildError(
      `${BUILD_CONFIG}: ${outside[0]}${outside.length > 1 ? ` and ${outside.length - 1} more` : ''} ` +
        `compiled (an included file imports it) from outside the folders "include" lists: add ${folders.map((f) => `"${f}"`).join(', ')} there`,
    );
  }
  const stamp = join(outDir, STAMP_FILE);
  const stampBody = { ...fingerprint, typeErrors, builtAt: new Date().toISOString() };
  writeFileSync(`${stamp}.tmp`, `${JSON.stringify(stampBody)}\n`);
  renameSync(`${stamp}.tmp`, stamp);
  return { state: 'fresh', changed: [], typeErrors, outDir };
}

const TYPE_ERRORS_NOTE =
  'the build reported TypeScript errors; the CLI runs the JavaScript emitted anyway — `npm run typecheck` lists them';

function describeStale(status) {
  if (status.state === 'missing') return 'the CLI has not been built yet';
  const [first, ...rest] = status.changed;
  const more = rest.length > 0 ? ` and ${rest.length} more` : '';
  return `${first ?? 'a source'}${more} changed since the last build`;
}

/**
 * Makes sure the compiled CLI matches the sources: builds (under a lock, once for processes started
 * together) when there is no build or a source changed since it.
 *
 * @param {{ root?: string, log?: (line: string) => void, stdio?: import('node:child_process').StdioOptions }} [options]
 *   root - repository root; log - progress lines (default: stderr, prefixed `gridstream:`); stdio - tsc's
 *   (default: its output to stderr, so that the command's stdout stays clean)
 * @returns {{ state: 'fresh', typeErrors: boolean, outDir: string, built: boolean }}
 * @throws {BuildError} when the build cannot run or fails
 */
export function ensureBuild(options = {}) {
  const root = options.root ?? ROOT;
  const log = options.log ?? ((line) => process.stderr.write(`gridstream: ${line}\n`));
  const stdio = options.stdio ?? ['ignore', 2, 2];
  const status = buildStatus(root);
  if (status.state === 'fresh') {
    if (status.typeErrors) log(TYPE_ERRORS_NOTE);
    return { ...status, built: false };
  }
  return withBuildLock(status.outDir, () => {
    const now = buildStatus(root); // another process may have built it while this one waited
    if (now.state === 'fresh') return { ...now, built: false };
    log(`${describeStale(now)}: building it (npm run build)…`);
    const t0 = Date.now();
    const built = compile(root, stdio);
    log(`built ${relative(root, built.outDir)}/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (built.typeErrors) log(TYPE_ERRORS_NOTE);
    return { ...built, built: true };
  });
}

/**
 * Builds now, whatever the stamp says (`npm run build`).
 *
 * @param {{ root?: string, stdio?: import('node:child_process').StdioOptions }} [options]
 * @returns {{ state: 'fresh', typeErrors: boolean, outDir: string }}
 */
export function build(options = {}) {
  const root = options.root ?? ROOT;
  return withBuildLock(readBuildConfig(root).outDir, () => compile(root, options.stdio ?? 'inherit'));
}

function invokedAsScript() {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}

if (invokedAsScript()) {
  try {
    const t0 = Date.now();
    const result = build();
    if (result.typeErrors) {
      process.stderr.write('build: TypeScript reported errors (above); the JavaScript was emitted anyway\n');
      process.exit(1);
    }
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    process.stderr.write(`build: ${BUILD_CONFIG} → ${relative(ROOT, result.outDir)}/ in ${seconds} s\n`);
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    process.stderr.write(`build: ${err.message}\n`);
    process.exit(1);
  }
}
