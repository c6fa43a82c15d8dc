#!/usr/bin/env node
// The dependency rule of docs/ARCHITECTURE.md, enforced: every import in the TypeScript tree must follow
// an allowed arrow between units, and a few packages may be imported by named units only. `npm test`
// runs it as its `dependencies` phase; exit 1 lists every wrong-way import with file and line.
//
//   node scripts/checkDependencies.mjs [root]     root defaults to the repository
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Units in dependency order, and the units each may import (itself always). */
export const ALLOWED = {
  common: [],
  schemas: ['common'],
  kinesis: ['common', 'schemas'],
  kafka: ['common', 'schemas'],
  datalake: ['common', 'schemas'],
  producers: ['common', 'schemas', 'kinesis', 'kafka'],
  'stream-processors': ['common', 'schemas', 'kinesis', 'kafka', 'datalake'],
  lambda: ['common', 'schemas', 'kinesis', 'kafka', 'datalake', 'producers', 'stream-processors'],
  local: ['common', 'schemas', 'kinesis', 'kafka', 'datalake', 'producers', 'stream-processors'],
  infra: ['common', 'schemas', 'stream-processors', 'lambda'],
  cli: [
    'common',
    'schemas',
    'kinesis',
    'kafka',
    'datalake',
    'producers',
    'stream-processors',
    'local',
    'loadtest',
  ],
  loadtest: ['common', 'schemas', 'kinesis', 'kafka', 'datalake', 'producers', 'stream-processors', 'local'],
  test: [
    'common',
    'schemas',
    'kinesis',
    'kafka',
    'datalake',
    'producers',
    'stream-processors',
    'lambda',
    'local',
    'infra',
    'cli',
    'loadtest',
    'scripts',
  ],
  scripts: [],
};

/** Packages only some units may import (any other unit importing them is a violation). */
export const PACKAGE_OWNERS = {
  kinesalite: ['local', 'cli', 'loadtest', 'test'],
  // The Kafka client stays behind kafka/'s transport interfaces, so it can be replaced in one place.
  kafkajs: ['kafka', 'loadtest', 'test'],
  '@duckdb/node-api': ['datalake', 'loadtest', 'test'],
  'aws-cdk-lib': ['infra', 'test'],
  constructs: ['infra', 'test'],
  'cdk-nag': ['infra', 'test'],
};

const SOURCE = /\.(ts|mts|mjs)$/;
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'cdk.out',
  'dist',
  '.venv',
  '.venv-iac',
  '.tmp',
  'fixtures',
]);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\bexport\s*\*\s*from\s*)(['"])([^'"\n]+)\1/g;

function* sourceFiles(dir, root) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path, root);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

function unitOf(root, path) {
  const top = relative(root, path).split(sep)[0];
  return Object.hasOwn(ALLOWED, top) ? top : undefined;
}

function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Every wrong-way import under `root`.
 * @param root - the repository (or a tree laid out like it)
 * @returns one line per violation: `file:line: <what> (<why>)`
 */
export function findViolations(root) {
  const violations = [];
  for (const file of sourceFiles(root, root)) {
    const from = unitOf(root, file);
    if (from === undefined) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(IMPORT)) {
        const spec = m[2];
        const where = `${relative(root, file)}:${i + 1}`;
        if (spec.startsWith('.')) {
          const to = unitOf(root, normalize(join(dirname(file), spec)));
          if (to === undefined || to === from) continue;
          if (!ALLOWED[from].includes(to)) {
            violations.push(
              `${where}: imports ${spec} (${from}/ may not import ${to}/; it may import ${ALLOWED[from].join(', ') || 'no other unit'})`,
            );
          }
        } else if (!spec.startsWith('node:')) {
          const owners = PACKAGE_OWNERS[packageOf(spec)];
          if (owners && !owners.includes(from)) {
            violations.push(
              `${where}: imports ${spec} (only ${owners.join(', ')} may import ${packageOf(spec)})`,
            );
          }
        }
      }
    });
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const violations = findViolations(root);
  for (const v of violations) process.stderr.write(`${v}\n`);
  if (violations.length > 0) {
    process.stderr.write(
      `\n${violations.length} import(s) break the dependency rule (docs/ARCHITECTURE.md, "Units and allowed imports").\n` +
        'Move the code to a unit both sides may use, or invert the dependency (pass it in as a parameter).\n',
    );
    process.exit(1);
  }
  process.stdout.write('dependencies: every import follows the allowed arrows\n');
}
