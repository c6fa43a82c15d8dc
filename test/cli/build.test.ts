import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BUILD_CONFIG,
  BuildError,
  build,
  buildStatus,
  ensureBuild,
  readBuildConfig,
} from '../../scripts/build.mjs';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';

/** The environment of a user's shell: no NODE_OPTIONS (vitest's or anyone's) that could load a loader. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return { ...env, ...extra };
}

/**
 * A small TypeScript project with the repository's build setup: tsconfig.json, a tsconfig.build.json
 * that compiles src/ into dist/, and node_modules (TypeScript) linked from the repository.
 */
function tinyProject(options: { withNodeModules?: boolean } = {}): string {
  const root = tempDir('build');
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      // Only the ES library, unchecked: the build takes a second, not several.
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        lib: ['ES2022'],
        types: [],
        skipLibCheck: true,
        strict: true,
        noEmit: true,
      },
    }),
  );
  writeFileSync(
    join(root, BUILD_CONFIG),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: {
        noEmit: false,
        rootDir: '.',
        outDir: 'dist',
        incremental: true,
        tsBuildInfoFile: 'dist/.tsbuildinfo',
      },
      include: ['src'],
    }),
  );
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'word.ts'), "export const word: string = 'one';\n");
  if (options.withNodeModules !== false) {
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(root, 'node_modules'));
  }
  return root;
}

const quiet = { log: () => {}, stdio: 'ignore' as const };

describe('the compiled CLI', () => {
  it('runs the JavaScript in dist/ and loads neither tsx nor any TypeScript file', () => {
    // Prepare: the vitest global setup built dist/; a module log records every import of the process.
    const log = join(tempDir('modules'), 'modules.txt');
    writeFileSync(log, '');
    // Act
    const r = spawnSync(
      process.execPath,
      ['--import', './test/helpers/moduleLog.mjs', 'bin/gridstream.js', '--help'],
      { cwd: REPO_ROOT, encoding: 'utf8', env: cleanEnv({ MODULE_LOG_FILE: log }) },
    );
    // Assess
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: gridstream <command>');
    const modules = readFileSync(log, 'utf8').trim().split('\n');
    const outDir = readBuildConfig(REPO_ROOT).outDir;
    expect(modules).toContain(pathToFileURL(join(outDir, 'cli', 'main.js')).href);
    expect(modules.filter((m) => /\.[mc]?tsx?$/.test(m))).toEqual([]);
    expect(modules.filter((m) => m.includes('/node_modules/tsx/'))).toEqual([]);
  });

  it('is built from the sources as they are (the build this suite runs is current)', () => {
    expect(buildStatus(REPO_ROOT).state).toBe('fresh');
  });

  it('rebuilds a stale build before running: an edited command shows its new text at once', async () => {
    // Prepare: a copy of the repository's build inputs and its current dist/, then an edit of a source.
    const copy = tempDir('stale-cli');
    const { include, outDir } = readBuildConfig(REPO_ROOT);
    for (const entry of ['package.json', 'tsconfig.json', BUILD_CONFIG, 'bin', 'scripts', ...include]) {
      cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    }
    cpSync(outDir, join(copy, 'dist'), { recursive: true });
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(copy, 'node_modules'));
    const before = spawnSync(process.execPath, ['bin/gridstream.js', 'schemas', 'columns', '--help'], {
      cwd: copy,
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(before.status, before.stderr).toBe(0);
    expect(before.stderr).toBe(''); // the copied build is current: nothing rebuilt
    const file = join(copy, 'cli', 'commands', 'schemasColumns.ts');
    const source = readFileSync(file, 'utf8');
    const summary = /summary: '([^']+)'/.exec(source)?.[1];
    expect(summary).toBeDefined();
    writeFileSync(file, source.replace(`summary: '${summary}'`, "summary: 'Edited after the build'"));
    // Act
    const after = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/gridstream.js', 'schemas', 'columns', '--help'], {
        cwd: copy,
        env: cleanEnv(),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    // Assess
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('Edited after the build');
    expect(after.stdout).not.toContain(summary);
    expect(after.stderr).toContain('cli/commands/schemasColumns.ts changed since the last build');
    expect(buildStatus(copy).state).toBe('fresh');
  });
});

describe('scripts/build.mjs: the build and its staleness check', () => {
  it('builds a project that has no build yet, then finds it fresh', () => {
    // Prepare
    const root = tinyProject();
    expect(buildStatus(root).state).toBe('missing');
    // Act
    const lines: string[] = [];
    const r = ensureBuild({ root, log: (l) => lines.push(l), stdio: 'ignore' });
    // Assess
    expect(r).toMatchObject({ state: 'fresh', built: true, typeErrors: false });
    expect(readFileSync(join(root, 'dist', 'src', 'word.js'), 'utf8')).toContain("'one'");
    expect(lines[0]).toContain('has not been built yet');
    expect(buildStatus(root).state).toBe('fresh');
    expect(ensureBuild({ root, ...quiet }).built).toBe(false);
  });

  it('judges by content: a touched source is not a change, an edit is, even with the old time kept', () => {
    // Prepare
    const root = tinyProject();
    ensureBuild({ root, ...quiet });
    const word = join(root, 'src', 'word.ts');
    utimesSync(word, new Date(), new Date(Date.now() + 60_000));
    expect(buildStatus(root).state).toBe('fresh');
    // Act: same length, old modification time restored
    writeFileSync(word, "export const word: string = 'two';\n");
    utimesSync(word, new Date(0), new Date(0));
    // Assess
    expect(buildStatus(root)).toMatchObject({ state: 'stale', changed: ['src/word.ts'] });
    expect(ensureBuild({ root, ...quiet }).built).toBe(true);
    expect(readFileSync(join(root, 'dist', 'src', 'word.js'), 'utf8')).toContain("'two'");
  });

  it('sees added and removed sources and a changed tsconfig, and removes outputs of deleted sources', () => {
    // Prepare
    const root = tinyProject();
    ensureBuild({ root, ...quiet });
    const extra = join(root, 'src', 'nested', 'extra.ts');
    mkdirSync(join(root, 'src', 'nested'));
    writeFileSync(extra, 'export const extra = 1;\n');
    expect(buildStatus(root)).toMatchObject({ state: 'stale', changed: ['src/nested/extra.ts'] });
    ensureBuild({ root, ...quiet });
    expect(existsSync(join(root, 'dist', 'src', 'nested', 'extra.js'))).toBe(true);
    // Act
    rmSync(extra);
    const removed = buildStatus(root);
    ensureBuild({ root, ...quiet });
    writeFileSync(
      join(root, 'tsconfig.json'),
      readFileSync(join(root, 'tsconfig.json'), 'utf8').replace('ES2022', 'ES2021'),
    );
    const reconfigured = buildStatus(root);
    // Assess
    expect(removed).toMatchObject({ state: 'stale', changed: ['src/nested/extra.ts'] });
    expect(existsSync(join(root, 'dist', 'src', 'nested'))).toBe(false);
    expect(reconfigured).toMatchObject({ state: 'stale', changed: ['tsconfig.json'] });
  });

  it('builds once when several processes start on a stale build together', async () => {
    // Prepare
    const root = tinyProject();
    const script = `import(${JSON.stringify(join(REPO_ROOT, 'scripts', 'build.mjs'))}).then((m) => m.ensureBuild({ root: ${JSON.stringify(root)}, stdio: 'ignore' }))`;
    // Act
    const runs = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['-e', script], { env: cleanEnv() });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => {
              stderr += d.toString();
            });
            child.on('close', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    // Assess
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const builds = runs.filter((r) => r.stderr.includes('has not been built yet'));
    expect(builds).toHaveLength(1);
    expect(buildStatus(root).state).toBe('fresh');
    expect(existsSync(join(root, 'dist', '.build-lock'))).toBe(false);
  });

  it('runs the emitted JavaScript of a source with a type error, and says so', () => {
    // Prepare
    const root = tinyProject();
    writeFileSync(join(root, 'src', 'word.ts'), "export const word: number = 'not a number';\n");
    // Act
    const lines: string[] = [];
    const r = ensureBuild({ root, log: (l) => lines.push(l), stdio: 'ignore' });
    // Assess
    expect(r).toMatchObject({ state: 'fresh', typeErrors: true });
    expect(existsSync(join(root, 'dist', 'src', 'word.js'))).toBe(true);
    expect(lines.join('\n')).toContain('npm run typecheck');
  });

  it('names the commands to run when TypeScript is not installed', () => {
    // Prepare: no node_modules
    const root = tinyProject({ withNodeModules: false });
    // Act
    const attempt = (): unknown => build({ root, stdio: 'ignore' });
    // Assess
    expect(attempt).toThrow(BuildError);
    expect(attempt).toThrow('run `npm ci`, then `npm run build`');
    expect(buildStatus(root).state).toBe('missing');
  });

  it('refuses to stamp a build that compiled a folder "include" does not list (its changes would go unseen)', () => {
    // Prepare: src/ imports lib/, which the build config does not list
    const root = tinyProject();
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, 'lib', 'helper.ts'), "export const helper = 'h';\n");
    writeFileSync(join(root, 'src', 'word.ts'), "export { helper as word } from '../lib/helper.js';\n");
    // Act
    let error: unknown;
    try {
      ensureBuild({ root, ...quiet });
    } catch (err) {
      error = err;
    }
    // Assess
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toContain(
      'lib/helper.ts compiled (an included file imports it) from outside',
    );
    expect((error as Error).message).toContain('add "lib" there');
    expect(buildStatus(root).state).toBe('missing');
    const config = JSON.parse(readFileSync(join(root, BUILD_CONFIG), 'utf8')) as { include: string[] };
    writeFileSync(join(root, BUILD_CONFIG), JSON.stringify({ ...config, include: ['src', 'lib'] }));
    expect(ensureBuild({ root, ...quiet })).toMatchObject({ state: 'fresh', built: true });
  });

  it('refuses an include entry that is not a plain folder name', () => {
    // Prepare
    const root = tinyProject();
    const config = JSON.parse(readFileSync(join(root, BUILD_CONFIG), 'utf8')) as { include: string[] };
    writeFileSync(join(root, BUILD_CONFIG), JSON.stringify({ ...config, include: ['src/**/*.ts'] }));
    // Act + Assess
    expect(() => buildStatus(root)).toThrow('"include" must list folders by name');
  });
});
