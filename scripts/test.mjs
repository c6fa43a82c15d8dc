#!/usr/bin/env node
// The whole test suite, as `npm test` runs it (after scripts/setup.mjs --test installed everything):
// static checks (TypeScript, and ruff + mypy for the Glue side's Python), the vitest suites (TypeScript,
// with the real emulator, DuckDB, S3 server, CDK synth, cfn-lint, checkov) and the pytest suites (Glue
// scripts on pyspark). Prints a closing "N passed, N failed" line over all runners. The compiled CLI
// (dist/) the schemas phase and the tests spawn is current: setup built it, and bin/gridstream.js and the
// vitest global setup rebuild it when a source changed since (scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.tmp', 'test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const only = process.argv.slice(2); // e.g. `node scripts/test.mjs vitest` runs one phase
const venvBin = join(root, '.venv', 'bin');
const env = {
  ...process.env,
  PATH: `${venvBin}:${join(root, '.venv-iac', 'bin')}:${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
  GRIDSTREAM_PYTHON: join(venvBin, 'python'),
};

let passed = 0;
let failed = 0;
let skipped = 0;
const phaseResults = [];
/** Names of the failed tests, repeated in the summary so the last lines of a long run say what failed. */
const failures = [];
/** Tests that failed, then passed on vitest's retry (vitest.config.ts): listed so a flaky test is seen. */
const retried = [];

function phase(name, cmd, args, count) {
  if (only.length > 0 && !only.includes(name)) return;
  const t0 = Date.now();
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  let ok = r.status === 0;
  let note = `exit ${r.status}`;
  if (count) {
    const c = count(r.status);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    note += `, ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
    if (c.passed + c.failed === 0) {
      ok = false;
      note += ' (no test ran)';
    }
    ok = ok && c.failed === 0;
  } else if (ok) {
    passed += 1;
  } else {
    failed += 1;
  }
  phaseResults.push({ name, ok, note, seconds });
}

function vitestCounts() {
  const file = join(reports, 'vitest.json');
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
  const j = JSON.parse(readFileSync(file, 'utf8'));
  let suiteFailures = 0;
  for (const s of j.testResults ?? []) {
    const file = s.name.startsWith(root) ? s.name.slice(root.length + 1) : s.name;
    // A file that failed with no test failing (it did not load, or a beforeAll/afterAll hook failed)
    // counts as one failure of its own.
    if (s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed')) {
      suiteFailures += 1;
      failures.push(`vitest ${file}: ${firstLine(s.message)}`);
    }
    for (const a of s.assertionResults ?? []) {
      if (a.status === 'failed')
        failures.push(`vitest ${file} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      else if (a.status === 'passed' && (a.failureMessages ?? []).length > 0)
        retried.push(`vitest ${file} > ${a.fullName}: ${firstLine(a.failureMessages[0])}`);
    }
  }
  return {
    passed: j.numPassedTests ?? 0,
    failed: (j.numFailedTests ?? 0) + suiteFailures,
    skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0),
  };
}

function firstLine(text) {
  const line =
    String(text ?? '')
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function junitFailures(xml) {
  const re =
    /<testcase[^>]*?classname="([^"]*)"[^>]*?name="([^"]*)"[^>]*?>\s*<(failure|error)[^>]*?message="([^"]*)"/g;
  for (const m of xml.matchAll(re)) failures.push(`pytest ${m[1]}::${m[2]}: ${firstLine(m[4])}`);
}

function junitCounts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
  const xml = readFileSync(file, 'utf8');
  const m =
    /<testsuite[^>]*?errors="(\d+)"[^>]*?failures="(\d+)"[^>]*?skipped="(\d+)"[^>]*?tests="(\d+)"/.exec(xml);
  if (!m) return { passed: 0, failed: 1, skipped: 0 };
  const [errors, failed, skips, tests] = m.slice(1).map(Number);
  if (errors + failed > 0) junitFailures(xml);
  return { passed: tests - errors - failed - skips, failed: errors + failed, skipped: skips };
}

phase('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
phase('lint', 'npx', ['biome', 'check', '.']);
phase('dependencies', 'node', ['scripts/checkDependencies.mjs']);
// The Glue side (glue/, test/glue): lint + format check, then types; configured in pyproject.toml.
phase('ruff', 'sh', ['-c', 'ruff check && ruff format --check']);
phase('mypy', join(venvBin, 'mypy'), []);
phase('schemas', 'node', ['bin/gridstream.js', 'schemas', 'check']);
phase(
  'vitest',
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(reports, 'vitest.json')}`,
  ],
  vitestCounts,
);
if (existsSync(join(root, 'test', 'glue'))) {
  const junit = join(reports, 'pytest.xml');
  phase('pytest', join(venvBin, 'python'), ['-m', 'pytest', '-q', 'test/glue', `--junitxml=${junit}`], () =>
    junitCounts(junit),
  );
}

process.stdout.write('\n=== summary\n');
for (const p of phaseResults)
  process.stdout.write(
    `${p.ok ? 'ok  ' : 'FAIL'}  ${p.name.padEnd(10)} ${p.seconds.padStart(7)} s  ${p.note}\n`,
  );
if (retried.length > 0) {
  process.stdout.write('\npassed on a retry (flaky: the first failure is shown; fix these):\n');
  for (const f of retried) process.stdout.write(`  ${f}\n`);
}
if (failures.length > 0) {
  process.stdout.write('\nfailed tests:\n');
  for (const f of failures) process.stdout.write(`  ${f}\n`);
}
const allOk = phaseResults.every((p) => p.ok);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(allOk && failed === 0 ? 0 : 1);
