#!/usr/bin/env node
// Installs what gridstream needs, through the project's own files only, and does nothing when it is
// already in place. Plain Node (no dependencies): it runs before node_modules exists.
//
//   node scripts/setup.mjs          npm dependencies and the CLI's build (for `npm start`)
//   node scripts/setup.mjs --test   also the Python venvs the test suite uses (.venv, .venv-iac) and the
//                                   system Chromium the HTML report tests drive (puppeteer-core downloads none)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildError, ensureBuild } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantTest = process.argv.includes('--test');

function run(cmd, args, opts = {}) {
  const t0 = Date.now();
  process.stderr.write(`setup: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) {
    process.stderr.write(`setup: ${cmd} ${args.join(' ')} failed with exit code ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`setup: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

function hashOf(...files) {
  const h = createHash('sha256');
  for (const f of files) h.update(existsSync(f) ? readFileSync(f) : '');
  return h.digest('hex');
}

function stamped(stampFile, hash) {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash;
}

// npm: install exactly the lockfile's versions when package.json or the lockfile changed since the last
// install. The lockfile lists every platform's optional binaries (Biome, DuckDB, esbuild, Rollup), so `npm ci`
// works on any platform the dependencies support and never rewrites it.
const lock = join(root, 'package-lock.json');
const npmStamp = join(root, 'node_modules', '.gridstream-setup');
const npmHash = hashOf(lock, join(root, 'package.json'));
if (!stamped(npmStamp, npmHash)) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(npmStamp, npmHash);
}

// The CLI runs the JavaScript compiled into dist/: build it when there is none or a source changed since
// (after an install npm's `prepare` step has already built it, and this is a check of a few milliseconds).
try {
  ensureBuild({ log: (line) => process.stderr.write(`setup: ${line}\n`) });
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  process.stderr.write(`setup: ${err.message}\n`);
  process.exit(1);
}

// Python: one venv per requirements file, rebuilt when the file changes.
function venv(dir, requirements) {
  const venvDir = join(root, dir);
  const stamp = join(venvDir, '.gridstream-setup');
  const hash = hashOf(join(root, requirements));
  if (stamped(stamp, hash)) return;
  const python = process.env.PYTHON ?? 'python3';
  run(python, ['-m', 'venv', '--clear', venvDir]);
  const pip = join(venvDir, 'bin', 'pip');
  run(pip, ['install', '--quiet', '--disable-pip-version-check', '--upgrade', 'pip']);
  run(pip, ['install', '--quiet', '--disable-pip-version-check', '-r', join(root, requirements)]);
  writeFileSync(stamp, hash);
}

// Chromium: the tests open every HTML page (the load-test report) in a real headless browser, the
// distribution's own build (puppeteer-core never downloads one). Installed with apt when running as root,
// else the command to run is printed and the browser tests fail saying so.
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
function ensureChromium() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return;
  if (CHROMIUM_PATHS.some((p) => existsSync(p))) return;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (hasApt && process.getuid?.() === 0) {
    run('sh', ['-c', 'apt-get update && apt-get install -y chromium'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  process.stderr.write(
    hasApt
      ? 'setup: no chromium for the browser tests: run `sudo apt-get update && sudo apt-get install -y chromium`\n'
      : 'setup: no chromium for the browser tests: install Chromium and set CHROMIUM_PATH to its executable\n',
  );
}

if (wantTest) {
  venv('.venv', 'requirements/python.txt');
  venv('.venv-iac', 'requirements/iac.txt');
  ensureChromium();
}
