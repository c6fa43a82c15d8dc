// `gridstream loadtest worker` as processes of their own (as ECS tasks run it), locally: two workers
// against the real emulator (`gridstream kinesis`, started here), results into a local folder, then
// mergeWorkerResults over their files. Loads are small (2 shared cores); nothing is timed.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import { mergeWorkerResults, readWorkerResults } from '../../loadtest/worker/mergeWorkerResults.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';
import { readBack } from '../producers/kinesis/readBack.js';

const CLI = join(REPO_ROOT, 'bin', 'gridstream.js');
const gridstream = (args: string[]) => run(process.execPath, [CLI, ...args], { timeoutMs: 300_000 });

let emulator: ChildProcess;
let endpoint = '';

beforeAll(async () => {
  emulator = spawn(
    process.execPath,
    [CLI, 'kinesis', '--port', '0', '--shards', 'lt-grid=1,lt-transactions=1'],
    {
      cwd: REPO_ROOT,
    },
  );
  let out = '';
  emulator.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  emulator.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  endpoint = await waitFor(
    'the emulator endpoint',
    () => /serving Kinesis at (http:\/\/\S+)/.exec(out)?.[1],
    120_000,
  );
}, 150_000);

afterAll(() => {
  emulator?.kill('SIGINT');
});

/** Every user record (KPL aggregates de-aggregated) in a stream, from the start. */
async function streamCount(stream: string): Promise<number> {
  const client = createKinesisClient({ endpoint, region: 'us-east-1' });
  try {
    return (await readBack(client, stream)).length;
  } finally {
    client.destroy();
  }
}

describe('gridstream loadtest worker', () => {
  it('two worker processes send disjoint slices; mergeWorkerResults over their files gives exact totals', async () => {
    const dir = tempDir('lt-worker');
    const scenario = join(dir, 'kin.yaml');
    writeFileSync(
      scenario,
      `seed: 3
target: { kind: kinesis, endpoint: "${endpoint}", stream_prefix: "lt-" }
datasets:
  grid:
    profile: [{ kind: constant, name: plateau, rate: 100, duration: 3s }]
  transactions:
    profile: [{ kind: constant, name: plateau, rate: 20, duration: 3s }]
`,
    );
    const results = join(dir, 'run');
    const runId = 'kin-20261205T040000Z';
    const startAt = new Date(Date.now() + 15_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const worker = (i: number) =>
      gridstream([
        'loadtest',
        'worker',
        '--index',
        String(i),
        '--of',
        '2',
        '--run',
        runId,
        '--scenario',
        scenario,
        '--results',
        results,
        '--start-at',
        startAt,
      ]);
    const [a, b] = await Promise.all([worker(0), worker(1)]);
    expect(a.code, `${a.stdout}\n${a.stderr}`).toBe(0);
    expect(b.code, `${b.stdout}\n${b.stderr}`).toBe(0);
    expect(a.stdout).toMatch(/loadtest worker w0 of 2: grid \d+\/\d+ acknowledged/);
    expect(readdirSync(join(results, 'workers')).sort()).toEqual(['w0.json', 'w1.json']);

    const files = readWorkerResults(results);
    const merged = mergeWorkerResults(files);
    // The profile's 300 grid and 60 trade events, split between the two workers, each sent once.
    expect(merged.datasets.grid).toMatchObject({ emitted: 300, acknowledged: 300 });
    expect(merged.datasets.transactions).toMatchObject({ emitted: 60, acknowledged: 60 });
    expect(files.map((f) => f.index).sort()).toEqual([0, 1]);
    expect(new Set(files.map((f) => f.datasets.grid!.producer_id)).size).toBe(2);
    expect(files.every((f) => f.of === 2 && !f.interrupted)).toBe(true);
    // What the streams hold is what the merge says was acknowledged.
    expect(await streamCount('lt-grid')).toBe(300);
    expect(await streamCount('lt-transactions')).toBe(60);
  }, 300_000);

  it('bad arguments exit 2 naming the flag and value', async () => {
    const r = await gridstream([
      'loadtest',
      'worker',
      '--index',
      '2',
      '--of',
      '2',
      '--run',
      'x',
      '--scenario',
      'smoke',
      '--results',
      tempDir('lt-worker-bad'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--index must be below --of \(2\), got "2"/);
  }, 120_000);
});

describe('gridstream loadtest run --on ecs: arguments', () => {
  it.each([
    [
      ['--workers', '0', '--env', 'dev'],
      /--workers must be a whole number from 1 to 1000 with --on ecs, got "0"/,
    ],
    [['--workers', 'many', '--env', 'dev'], /--workers must be a whole number .* got "many"/],
    [['--workers', '1001', '--env', 'dev'], /got "1001"/],
    [['--workers', '4'], /--on ecs needs --env ENV/],
    [['--workers', '4', '--env', 'Dev!'], /--env must be an environment name/],
  ])(
    '%j exits 2 with a clear message, before anything runs',
    async (args, message) => {
      const out = join(tempDir('lt-ecs-args'), 'run');
      const r = await gridstream(['loadtest', 'run', 'smoke', '--on', 'ecs', '--out', out, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(() => readdirSync(out)).toThrow();
    },
    120_000,
  );

  it('--on must be local or ecs', async () => {
    const r = await gridstream(['loadtest', 'run', 'smoke', '--on', 'lambda']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--on must be local or ecs, got "lambda"/);
  }, 120_000);
});
