// Outages and fatal lake errors: delivery waits out a Kinesis outage of any length (the fault proxy in
// front of the real emulator stops listening), flushes what it read on time meanwhile, stops on Ctrl-C
// during one, fails fast with a hint when Kinesis was never reachable, and `up` stops within seconds,
// naming the cause, on a lake it cannot write.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRetrier } from '../../common/index.js';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import { createKinesisClient } from '../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../producers/kinesis/index.js';
import {
  type DeliveryMetric,
  DeliveryWorker,
  type StreamStats,
} from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';
import { startFaultProxy } from '../producers/kinesis/faultProxy.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('outage', (k, d) => {
  kinesis = k;
  dir = d;
});

/** A retrier whose own budget (300 ms) the outages below exceed many times over. */
const SHORT_BUDGET = { ...KINESIS_RETRY_TEST_DEFAULTS, maxRetryTimeMs: 300 };

function events(prefix: string, n: number): object[] {
  return Array.from({ length: n }, (_, i) => gridEvent({ event_id: `${prefix}-${i}` }));
}

async function uniqueRows(lake: string): Promise<{ n: number; unique: number }> {
  const [r] = await duckRows(
    `select count(*)::int as n, count(distinct event_id)::int as "unique" from ${rawParquet(lake, 'grid')}`,
  );
  return r as { n: number; unique: number };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly out: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

function gridstream(args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ['bin/gridstream.js', ...args], { cwd: REPO_ROOT, env });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  onTestFinished(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  return { proc, out, exited };
}

/** Resolves with the exit code, or undefined if the process still runs after `timeoutMs`. */
async function exitWithin(child: Child, timeoutMs: number): Promise<number | null | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    child.exited,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return r;
}

describe('a Kinesis outage', () => {
  it('is waited out however long it lasts (past the retry budget that used to give up), shown, and ends with everything delivered', async () => {
    // Prepare
    const stream = uniqueStream('outage-long');
    await kinesis.createStream(stream, 2);
    const proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'pass' }));
    onTestFinished(() => proxy.stop());
    const lake = join(dir, 'lake-long');
    const storage = new LocalLakeStorage(lake);
    const client = createKinesisClient({ endpoint: proxy.endpoint });
    const metrics: DeliveryMetric[] = [];
    const worker = await DeliveryWorker.create({
      storage,
      kinesis: client,
      streams: [{ dataset: 'grid', streamName: stream }],
      retrier: createRetrier(SHORT_BUDGET),
      bufferIntervalMs: 200,
      idlePollIntervalMs: 50,
      shardSyncIntervalMs: 200,
      gaugeIntervalMs: 100,
      onMetric: (m) => metrics.push(m),
    });
    let failure: unknown;
    worker.done.catch((err: unknown) => {
      failure = err;
    });
    const grid = (): StreamStats => worker.stats().streams[0]!;
    await worker.start();
    await putEvents(kinesis.client, stream, events('before', 200), { perAggregate: 10 });
    await waitFor('the first events delivered', () => grid().delivered === 200);
    // Act: Kinesis goes away; events keep arriving at the emulator meanwhile.
    await proxy.goDown();
    await putEvents(kinesis.client, stream, events('during', 300), { perAggregate: 10 });
    const during = await waitFor(
      'an outage ten times the retry budget',
      () => (grid().unreachableMs >= 10 * SHORT_BUDGET.maxRetryTimeMs ? grid() : undefined),
      60_000,
    );
    const ageThen = during.iteratorAgeMs;
    await waitFor('the iterator age to keep growing', () => grid().iteratorAgeMs >= ageThen + 500);
    const stillFailing = grid();
    await proxy.restore();
    await waitFor('every event delivered after the outage', () => grid().delivered === 500, 60_000);
    await worker.stop();
    await storage.close();
    client.destroy();
    // Assess
    expect(failure).toBeUndefined();
    expect(during.sourceError).toMatch(/^ECONN(REFUSED|RESET)$/);
    expect(stillFailing.unreachableMs).toBeGreaterThan(0);
    expect(grid().unreachableMs).toBe(0);
    expect(worker.stats().source).toMatchObject({ reached: true, unreachableMs: 0 });
    expect(metrics.some((m) => m.name === 'KinesisUnreachableMilliseconds' && m.value >= 10 * 300)).toBe(
      true,
    );
    expect(metrics.some((m) => m.name === 'IteratorAgeMilliseconds' && m.value >= 500)).toBe(true);
    expect(await uniqueRows(lake)).toEqual({ n: 500, unique: 500 });
  });

  it('does not hold back what was read before it: the buffer interval is honoured while GetRecords fails', async () => {
    // Prepare
    const stream = uniqueStream('outage-flush');
    await kinesis.createStream(stream, 1);
    const proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'pass' }));
    onTestFinished(() => proxy.stop());
    const lake = join(dir, 'lake-flush');
    const storage = new LocalLakeStorage(lake);
    const client = createKinesisClient({ endpoint: proxy.endpoint });
    const worker = await DeliveryWorker.create({
      storage,
      kinesis: client,
      streams: [{ dataset: 'grid', streamName: stream }],
      retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
      bufferIntervalMs: 3_000,
      idlePollIntervalMs: 50,
    });
    const grid = (): StreamStats => worker.stats().streams[0]!;
    await worker.start();
    await putEvents(kinesis.client, stream, events('read', 100));
    await waitFor('the events read and buffered', () => grid().buffered === 100);
    // Act
    await proxy.goDown();
    const deliveredWhenDown = grid().delivered;
    const flushed = await waitFor(
      'the buffered rows flushed while Kinesis is down',
      () => (grid().delivered === 100 ? grid() : undefined),
      15_000,
    );
    await proxy.restore();
    await worker.stop();
    await storage.close();
    client.destroy();
    // Assess
    expect(deliveredWhenDown).toBe(0);
    expect(flushed.unreachableMs).toBeGreaterThan(0);
    expect(await uniqueRows(lake)).toEqual({ n: 100, unique: 100 });
  });

  it('Ctrl-C during an outage stops `gridstream deliver` within the drain deadline, with what it read flushed', async () => {
    // Prepare
    const stream = uniqueStream('outage-sigint');
    await kinesis.createStream(stream, 2);
    const proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'pass' }));
    onTestFinished(() => proxy.stop());
    const lake = join(dir, 'lake-sigint');
    const child = gridstream(
      [
        'deliver',
        '--streams',
        `grid=${stream}`,
        '--lake',
        lake,
        '--buffer-interval',
        '600',
        '--status-every',
        '0.2',
      ],
      { ...process.env, AWS_ENDPOINT_URL_KINESIS: proxy.endpoint },
    );
    await putEvents(kinesis.client, stream, events('sigint', 150), { perAggregate: 5 });
    await waitFor('the events read', () => / 150 buffered/.test(child.out.stderr), 60_000);
    // Act: an outage long enough for a shard listing (every 10 s) to be retrying too, then Ctrl-C.
    await proxy.goDown();
    await waitFor(
      'the outage shown for 11 s',
      () =>
        [...child.out.stderr.matchAll(/Kinesis unreachable for (\d+) s: (\w+)/g)].some(
          (m) => Number(m[1]) >= 11,
        ),
      60_000,
    );
    child.proc.kill('SIGINT');
    const code = await exitWithin(child, 30_000);
    // Assess
    expect(code, child.out.stderr).toBe(0);
    expect(child.out.stdout).toMatch(/delivered 150 events/);
    expect(await uniqueRows(lake)).toEqual({ n: 150, unique: 150 });
  });
});

describe('Kinesis never reachable', () => {
  it('`gridstream deliver` fails fast, says what to set, and prints no summary', async () => {
    // Prepare
    const port = await closedPort();
    // Act
    const child = gridstream(['deliver', '--lake', join(dir, 'lake-unreachable')], {
      ...process.env,
      AWS_ENDPOINT_URL_KINESIS: `http://127.0.0.1:${port}`,
    });
    // Old behaviour: "0/0 shards" for ~300 s; the default fail-fast time is 30 s.
    const code = await exitWithin(child, 90_000);
    // Assess
    expect(code).toBe(1);
    expect(child.out.stderr).toContain(`http://127.0.0.1:${port} did not answer`);
    expect(child.out.stderr).toContain('ECONNREFUSED');
    expect(child.out.stderr).toContain('AWS_ENDPOINT_URL_KINESIS');
    expect(child.out.stderr).toContain('gridstream kinesis');
    expect(child.out.stdout).not.toContain('delivered');
  });

  it('`gridstream deliver` stops on the first Ctrl-C while it waits for Kinesis', async () => {
    // Prepare
    const port = await closedPort();
    const child = gridstream(
      ['deliver', '--lake', join(dir, 'lake-unreachable-sigint'), '--status-every', '0.2'],
      { ...process.env, AWS_ENDPOINT_URL_KINESIS: `http://127.0.0.1:${port}` },
    );
    await waitFor('the outage shown', () =>
      /Kinesis unreachable for \d+ s: ECONNREFUSED/.test(child.out.stderr),
    );
    // Act
    child.proc.kill('SIGINT');
    // Assess: well before the 30 s after which it would give up by itself.
    expect(await exitWithin(child, 15_000)).toBe(0);
  });

  it('`gridstream deliver` without an endpoint or region says what to set before any summary (exit 2)', async () => {
    // Prepare: no AWS settings at all, and a home without ~/.aws.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tempDir('no-aws-home') };
    // Act
    const r = await run(process.execPath, ['bin/gridstream.js', 'deliver', '--lake', join(dir, 'lake-x')], {
      env,
      timeoutMs: 60_000,
    });
    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AWS_ENDPOINT_URL_KINESIS');
    expect(r.stderr).toContain('AWS_REGION');
    expect(r.stderr).toContain('gridstream kinesis');
    expect(r.stdout).toBe('');
  });
});

const canUnshare =
  process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true'], { stdio: 'ignore' }).status === 0;

/** Root can run a process as `nobody` that reads this checkout (so a 0555 lake means EACCES). */
const canRunAsNobody =
  process.getuid?.() === 0 &&
  spawnSync(
    'runuser',
    [
      '-u',
      'nobody',
      '--',
      process.execPath,
      '-e',
      'require("fs").accessSync(process.argv[1])',
      join(REPO_ROOT, 'bin', 'gridstream.js'),
    ],
    { stdio: 'ignore' },
  ).status === 0;

describe('a lake that cannot be written', () => {
  it('stops `gridstream up` within seconds, producers closed, naming the cause (a file where a folder must be)', async () => {
    // Prepare: the lake's raw/ is a file, so the first Parquet object cannot be published.
    const lake = join(dir, 'lake-raw-file');
    mkdirSync(lake, { recursive: true });
    writeFileSync(join(lake, 'raw'), 'not a folder');
    // Act
    const child = gridstream(
      ['up', '--lake', lake, '--duration', '600', '--curate-every', '0', '--buffer-interval', '1'],
      process.env,
    );
    // Old behaviour: the producers' sinks kept retrying for ~300 s after the error.
    const code = await exitWithin(child, 60_000);
    // Assess
    expect(code, child.out.stderr).toBe(1);
    const lines = child.out.stderr.split('\n').filter((l) => /error|Error|ENOTDIR/.test(l));
    expect(child.out.stderr, lines.join('\n')).toMatch(
      /the lake .*lake-raw-file has a file where a folder must be \(ENOTDIR\) \(at .*lake-raw-file\/raw\)/,
    );
  });

  it.skipIf(!canUnshare)(
    'stops `gridstream up` before producing on a read-only filesystem, saying so (EROFS)',
    async () => {
      // Prepare: a private mount namespace where the test folder is mounted read-only.
      const ro = tempDir('read-only');
      // Act
      const script =
        `mount --bind "${ro}" "${ro}" && mount -o remount,bind,ro "${ro}" && ` +
        `exec "${process.execPath}" bin/gridstream.js up --lake "${ro}/lake" --duration 600 --curate-every 0`;
      const r = await run('unshare', ['-m', 'sh', '-c', script], { timeoutMs: 60_000 });
      // Assess
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`the lake ${ro}/lake is on a read-only filesystem (EROFS)`);
      expect(r.stderr).toContain('choose a writable --lake');
      expect(r.stderr).not.toContain('ENOENT');
    },
  );

  it.skipIf(!canRunAsNobody)(
    'stops `gridstream up` run as another user on a 0555 lake, saying permission denied (EACCES)',
    async () => {
      // Prepare
      const parent = tempDir('lake-0555');
      chmodSync(parent, 0o755);
      const lake = join(parent, 'lake');
      mkdirSync(lake);
      chmodSync(lake, 0o555);
      // Act
      const r = await run(
        'runuser',
        [
          '-u',
          'nobody',
          '--',
          process.execPath,
          'bin/gridstream.js',
          'up',
          '--lake',
          lake,
          '--duration',
          '600',
          '--curate-every',
          '0',
        ],
        { timeoutMs: 60_000, env: { ...process.env, HOME: parent } },
      );
      // Assess
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `the lake ${lake} is not writable by this user (permission denied) (EACCES)`,
      );
    },
  );
});

describe('a status reader that goes away', () => {
  it('`gridstream up` whose stdout/stderr pipe broke (| tee killed by the same Ctrl-C) still flushes on Ctrl-C and exits 0', async () => {
    // Prepare: a buffer interval longer than the run, so only the shutdown flush writes the lake.
    const lake = join(dir, 'lake-epipe');
    const child = gridstream(
      ['up', '--lake', lake, '--duration', '600', '--curate-every', '0', '--buffer-interval', '600'],
      process.env,
    );
    await waitFor('the first status table', () => /gridstream up — \d+ s —/.test(child.out.stderr), 60_000);
    // Act: the reader of both pipes goes away, then Ctrl-C.
    child.proc.stdout.destroy();
    child.proc.stderr.destroy();
    child.proc.kill('SIGINT');
    const code = await exitWithin(child, 90_000);
    // Assess
    expect(code).toBe(0);
    expect((await uniqueRows(lake)).n).toBeGreaterThan(0);
  });
});

describe('gridstream produce --count against a failing Kinesis', () => {
  it('gives up after --give-up-after with the last error, and shows why `retried` climbs', async () => {
    // Prepare: every PutRecords call fails with a 500.
    const stream = uniqueStream('produce-outage');
    await kinesis.createStream(stream, 1);
    const proxy = await startFaultProxy(kinesis.endpoint, () => ({ kind: 'error500' }));
    onTestFinished(() => proxy.stop());
    // Act
    const r = await run(
      process.execPath,
      [
        'bin/gridstream.js',
        'produce',
        '--dataset',
        'grid',
        '--stream',
        stream,
        '--count',
        '20',
        '--rate',
        '0',
        // Long enough for a progress line (every 5 s when not on a terminal).
        '--give-up-after',
        '12',
        '--reject-file',
        join(dir, 'produce-outage-rejects.jsonl'),
      ],
      { env: { ...process.env, AWS_ENDPOINT_URL_KINESIS: proxy.endpoint }, timeoutMs: 90_000 },
    );
    // Assess
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/expired 20/);
    expect(r.stdout).toContain('last Kinesis error: InternalFailure');
    expect(r.stderr).toMatch(/retried [1-9]\d*, .* — last error InternalFailure \(\d+ s ago\)/);
  });
});
