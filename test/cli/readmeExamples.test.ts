// Every `gridstream …` / `npx gridstream …` example in README.md's shell code blocks runs as written
// against a running `gridstream kinesis`, and exits 0 (or the code it documents with `# exit N`).
//
// How the examples are run (see extractExamples and shorten in readmeExamples.ts):
// - in one temp dir, in README order, with `sql/` linked into it (examples may name repo files);
// - `gridstream kinesis --port 0` runs in that dir for the whole suite; every example gets its export
//   line (AWS_ENDPOINT_URL_KINESIS, AWS_REGION), as a reader who started it in another terminal has, and
//   `127.0.0.1:4567` in an example means that emulator;
// - before them, `gridstream up --duration 3` writes ./lake, standing in for the Quick start's
//   `npm start` (query examples read the lake it leaves);
// - long-running examples are shortened: --duration and --count capped, `up`/`produce` without either
//   get `--duration 3`, `deliver` gets `--stop-when-caught-up`, `kinesis` is stopped with SIGINT once
//   it printed its export line;
// - `npm …`, `npx cdk …` and other commands are not gridstream examples; a trailing
//   `# not run: <reason>` comment keeps an example out of this test (say why, e.g. it needs AWS).
import { spawn } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';
import { extractExamples, type ReadmeExample, shorten } from './readmeExamples.js';

const README = join(REPO_ROOT, 'README.md');
const CLI = `"${process.execPath}" "${join(REPO_ROOT, 'bin', 'gridstream.js')}"`;
const EXAMPLE_TIMEOUT_MS = 240_000;
const examples = extractExamples(readFileSync(README, 'utf8'));

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * Runs a shell command in `cwd`; with `readyWhen`, sends SIGINT once its output matches (a server).
 * Kills it after `timeoutMs`.
 */
function sh(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; readyWhen?: RegExp; timeoutMs: number },
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // bash runs a single simple command in its own process (no intermediate shell), so SIGINT reaches it.
    const child = spawn('bash', ['-c', command], { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    let ready = false;
    let timedOut = false;
    const check = (): void => {
      if (options.readyWhen && !ready && options.readyWhen.test(stdout + stderr)) {
        ready = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

function describeFailure(example: ReadmeExample, ran: string, out: Outcome, why: string): string {
  return [
    `README.md line ${example.line}: \`${example.command}\` ${why}`,
    `ran as: ${ran}`,
    `--- stderr (last lines) ---\n${tail(out.stderr)}`,
    `--- stdout (last lines) ---\n${tail(out.stdout)}`,
  ].join('\n');
}

describe('README examples run as written', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let hostPort: string;
  let emulator: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    dir = tempDir('readme');
    symlinkSync(join(REPO_ROOT, 'sql'), join(dir, 'sql'));
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
      delete base[k];
    }
    // The emulator of the examples, as `npx gridstream kinesis` in another terminal.
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'gridstream.js'), 'kinesis', '--port', '0'],
      {
        cwd: dir,
        env: base,
      },
    );
    emulator = child;
    let printed = '';
    const exported = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`gridstream kinesis printed no export line in 60 s:\n${printed}`)),
        60_000,
      );
      const onData = (d: Buffer): void => {
        printed += d.toString();
        const m = /export (AWS_ENDPOINT_URL_KINESIS=\S+ AWS_REGION=\S+)/.exec(printed);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`gridstream kinesis exited ${code}:\n${printed}`)));
    });
    const vars = Object.fromEntries(exported.split(' ').map((kv) => kv.split('=') as [string, string]));
    hostPort = new URL(vars.AWS_ENDPOINT_URL_KINESIS!).host;
    env = { ...base, ...vars };
    // The lake the Quick start's `npm start` leaves, for the query examples.
    const up = await sh(`${CLI} up --duration 3`, { cwd: dir, env, timeoutMs: EXAMPLE_TIMEOUT_MS });
    if (up.code !== 0)
      throw new Error(`gridstream up (the lake for the examples) exited ${up.code}:\n${up.stderr}`);
  }, 180_000);

  afterAll(async () => {
    if (emulator && emulator.exitCode === null) {
      const exited = new Promise((resolve) => emulator!.on('exit', resolve));
      emulator.kill('SIGINT');
      await exited;
    }
  });

  it('finds the examples: every command of the CLI section, the multi-process walk-through', () => {
    const subcommands = new Set(examples.map((e) => e.subcommand));
    for (const c of ['kinesis', 'produce', 'deliver', 'query', 'up']) expect(subcommands).toContain(c);
  });

  it.each(examples.map((e) => [`line ${e.line}: ${e.command}`, e] as const))(
    '%s',
    async (_name, example) => {
      if (example.notRun) {
        // A documented exclusion: nothing to run.
        expect(example.notRun.length).toBeGreaterThan(0);
        return;
      }
      const run = shorten(example, CLI, hostPort);
      const exampleEnv: NodeJS.ProcessEnv = { ...env };
      for (const [k, v] of Object.entries(example.env))
        exampleEnv[k] = v.replaceAll('127.0.0.1:4567', hostPort);
      const out = await sh(run.command, {
        cwd: dir,
        env: exampleEnv,
        timeoutMs: EXAMPLE_TIMEOUT_MS,
        ...(run.readyWhen ? { readyWhen: run.readyWhen } : {}),
      });
      if (out.timedOut) {
        throw new Error(
          describeFailure(example, run.command, out, `did not finish within ${EXAMPLE_TIMEOUT_MS / 1000} s`),
        );
      }
      if (out.code !== example.exitCode) {
        throw new Error(
          describeFailure(
            example,
            run.command,
            out,
            `exited ${out.code ?? out.signal}, expected ${example.exitCode}${example.exitCode === 0 ? '' : ' (its # exit comment)'}`,
          ),
        );
      }
      // Progress lines name the command that printed them (seed runs up's pipeline under its own name).
      const prefixes = `${out.stdout}\n${out.stderr}`.match(/^gridstream [a-z]+(?=:| —)/gm) ?? [];
      const top = example.subcommand.split(' ')[0];
      expect(prefixes.filter((p) => p !== `gridstream ${top}`)).toEqual([]);
    },
    EXAMPLE_TIMEOUT_MS + 10_000,
  );
});

describe('extractExamples', () => {
  it('takes gridstream commands from shell blocks only, with exports, continuations and exit comments', () => {
    const md = [
      '```',
      'gridstream up [--lake DIR]',
      '```',
      '```sh',
      'npm start',
      'export AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 AWS_REGION=us-east-1',
      '$ npx gridstream produce --rate 0 \\',
      '    --count 10   # ten events',
      'AWS_REGION=eu-west-1 gridstream query "select 1 # not a comment" # exit 2',
      'npx gridstream deliver --lake s3://b/l  # not run: needs an S3 bucket',
      'npx cdk deploy --all',
      '```',
      '```ts',
      'gridstream up',
      '```',
      '```bash',
      'npx gridstream schemas check',
      '```',
    ].join('\n');
    const found = extractExamples(md);
    expect(found.map((e) => [e.line, e.subcommand, e.command, e.exitCode, e.notRun])).toEqual([
      [7, 'produce', 'npx gridstream produce --rate 0 --count 10', 0, undefined],
      [9, 'query', 'AWS_REGION=eu-west-1 gridstream query "select 1 # not a comment"', 2, undefined],
      [10, 'deliver', 'npx gridstream deliver --lake s3://b/l', 0, 'needs an S3 bucket'],
      [17, 'schemas check', 'npx gridstream schemas check', 0, undefined],
    ]);
    expect(found[0]!.env).toEqual({
      AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:4567',
      AWS_REGION: 'us-east-1',
    });
    expect(found[3]!.env).toEqual({});
  });

  it('shortens long-running examples and points them at the test emulator', () => {
    const [produce, up, deliver, kinesis, count] = extractExamples(
      [
        '```sh',
        'AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 npx gridstream produce --dataset grid --duration 60',
        'npx gridstream up --grid-rate 1000',
        'npx gridstream deliver --lake ./lake-dev',
        'npx gridstream kinesis --port 4567 --shards 4',
        'npx gridstream produce --count 10000 --rate 0',
        '```',
      ].join('\n'),
    );
    const cli = 'node cli.js';
    expect(shorten(produce!, cli, '127.0.0.1:9').command).toBe(
      'AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:9 node cli.js produce --dataset grid --duration 3',
    );
    expect(shorten(up!, cli, 'h:1').command).toBe('node cli.js up --grid-rate 1000 --duration 3');
    expect(shorten(deliver!, cli, 'h:1').command).toBe(
      'node cli.js deliver --lake ./lake-dev --stop-when-caught-up',
    );
    expect(shorten(kinesis!, cli, 'h:1')).toEqual({
      command: 'node cli.js kinesis --shards 4 --port 0',
      readyWhen: /export AWS_ENDPOINT_URL_KINESIS=/,
    });
    expect(shorten(count!, cli, 'h:1').command).toBe('node cli.js produce --count 2000 --rate 0');
  });
});
