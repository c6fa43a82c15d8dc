import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  createS3Client,
  type LakeStorage,
  LocalLakeStorage,
  openLakeStorage,
} from '../../datalake/storage/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { runUp } from '../../local/index.js';
import { CheckpointStore, StreamLease } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { hasPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';
import { deliverOnce } from './support/deliverOnce.js';
import { spawnDeliverCli, spawnDeliverWorker } from './support/deliverProcess.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';
import { MotoServer } from './support/motoServer.js';

let kinesis: EmbeddedKinesis;
let dir: string;
let moto: MotoServer | undefined;
let s3: S3Client | undefined;

useKinesisAndTempDir('lease', (k, d) => {
  kinesis = k;
  dir = d;
});
beforeAll(async () => {
  if (!hasPython()) return;
  moto = await MotoServer.start();
  s3 = createS3Client(moto.endpoint);
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

const text = (s: string): Uint8Array => Buffer.from(s);

/** A fresh lake of each kind: a local directory, and a bucket on moto's S3 server. */
const LAKES: readonly { kind: string; open: () => Promise<LakeStorage> }[] = [
  { kind: 'local', open: async () => new LocalLakeStorage(tempDir('lease-lake')) },
  {
    kind: 's3 (moto)',
    open: async () => {
      const bucket = `lease-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      await s3!.send(new CreateBucketCommand({ Bucket: bucket }));
      return openLakeStorage(`s3://${bucket}/lake`, { s3Client: s3! });
    },
  },
];

describe.each(LAKES)('conditional writes and the stream lease on a $kind lake', ({ kind, open }) => {
  const skip = kind !== 'local' && !hasPython();

  it.skipIf(skip)('putIfVersion: of two racing creates one wins; a stale version is refused', async () => {
    // Prepare
    const lake = await open();
    // Act
    const [a, b] = await Promise.all([
      lake.putIfVersion('_leases/x.json', text('a'), null),
      lake.putIfVersion('_leases/x.json', text('b'), null),
    ]);
    const first = await lake.getVersioned('_leases/x.json');
    const renewed = await lake.putIfVersion('_leases/x.json', text('c'), first!.version);
    const stale = await lake.putIfVersion('_leases/x.json', text('d'), first!.version);
    const absent = await lake.putIfVersion('_leases/none.json', text('e'), first!.version);
    // Assess
    expect([a, b].filter((v) => v !== undefined)).toHaveLength(1);
    expect(['a', 'b']).toContain(Buffer.from(first!.body).toString());
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(first!.version);
    expect(stale).toBeUndefined();
    expect(absent).toBeUndefined();
    expect(Buffer.from((await lake.getBytes('_leases/x.json'))!).toString()).toBe('c');
    expect(await lake.getBytes('_leases/none.json')).toBeUndefined();
    await lake.close();
  });

  it.skipIf(skip)(
    'a second worker waits naming the holder, takes over once the holder stops renewing, and the old holder can no longer renew',
    async () => {
      // Prepare: the holder is on another host (so no pid check applies) and never heartbeats.
      const lake = await open();
      const lostA: string[] = [];
      const a = new StreamLease({
        storage: lake,
        stream: 'grid',
        ttlMs: 900,
        heartbeatMs: 3_600_000,
        owner: { host: 'other-host', pid: 4242, workerId: 'aaaa' },
        onLost: (e) => lostA.push(e.message),
      });
      const eventsB: string[] = [];
      const b = new StreamLease({
        storage: lake,
        stream: 'grid',
        ttlMs: 900,
        heartbeatMs: 150,
        onEvent: (m) => eventsB.push(m),
      });
      // Act
      expect(await a.acquire()).toBe(true);
      expect(await a.renew()).toBe(true); // If-Match on its own last version
      const taking = b.acquire();
      await waitFor('B to report the holder', () => eventsB.length > 0, 10_000);
      expect(await taking).toBe(true);
      const renewedAfterTakeover = await a.renew();
      // Assess
      expect(eventsB[0]).toMatch(
        /^waiting for the lease on stream grid held by pid 4242 on host other-host \(worker aaaa, epoch 1\), expires in \d+ s/,
      );
      expect(eventsB.at(-1)).toMatch(
        /^took over the lease on stream grid \(epoch 2\): its holder's heartbeat stopped/,
      );
      expect(b.epoch).toBe(2);
      expect(renewedAfterTakeover).toBe(false);
      expect(lostA[0]).toMatch(
        new RegExp(
          `lost the lease on stream grid \\(epoch 1\\): pid ${process.pid} on host .* \\(epoch 2\\) took it over`,
        ),
      );
      expect(() => a.assertValid()).toThrow(/lost the lease on stream grid/);
      expect(() => b.assertValid()).not.toThrow();
      await b.release();
      await lake.close();
    },
  );

  it.skipIf(skip)(
    "a stale writer's late checkpoint is refused; a checkpoint without an epoch is read as before",
    async () => {
      // Prepare: a checkpoint as written before leases existed, then one from epoch 2.
      const lake = await open();
      const store = new CheckpointStore(lake);
      const base = {
        stream: 's',
        shardId: 'shardId-000000000000',
        shardStartingSequenceNumber: '1',
        streamCreatedMs: 1,
        subSequenceNumber: null,
        finished: false,
        pending: null,
      };
      await lake.putBytes(
        '_checkpoints/s/shardId-000000000000.json',
        text(
          JSON.stringify({ version: 1, ...base, sequenceNumber: '10', updatedAt: new Date().toISOString() }),
        ),
      );
      const legacy = await store.read('s', 'shardId-000000000000');
      // Act
      await store.write({ ...base, sequenceNumber: '20' }, 1);
      await store.write({ ...base, sequenceNumber: '30' }, 2);
      const late = await store.write({ ...base, sequenceNumber: '25' }, 1).catch((e: unknown) => e as Error);
      // Assess
      expect(legacy?.sequenceNumber).toBe('10');
      expect(legacy?.leaseEpoch).toBeUndefined();
      expect(late).toBeInstanceOf(Error);
      expect(late?.name).toBe('LeaseLostError');
      expect(late?.message).toMatch(/was written under epoch 2: another worker took this stream over/);
      const now = await store.read('s', 'shardId-000000000000');
      expect(now?.sequenceNumber).toBe('30');
      expect(now?.leaseEpoch).toBe(2);
      await lake.close();
    },
  );
});

describe('stream lease on a local lake', () => {
  it('a lease whose holder pid is gone on this host is taken over at once', async () => {
    // Prepare: a lease held by a process that has exited, with a ttl far longer than the test's timeout.
    const lake = new LocalLakeStorage(tempDir('lease-dead'));
    const gone = spawn(process.execPath, ['-e', '']);
    const deadPid = gone.pid!;
    await new Promise((r) => gone.once('close', r));
    const old = new StreamLease({
      storage: lake,
      stream: 'grid',
      ttlMs: 3_600_000,
      heartbeatMs: 3_600_000,
      owner: { host: hostname(), pid: deadPid, workerId: 'dead' },
    });
    await old.acquire();
    const events: string[] = [];
    const next = new StreamLease({
      storage: lake,
      stream: 'grid',
      ttlMs: 3_600_000,
      heartbeatMs: 1_000_000,
      onEvent: (m) => events.push(m),
    });
    // Act
    const got = await next.acquire();
    // Assess
    expect(got).toBe(true);
    expect(events).toEqual([
      `took over the lease on stream grid (epoch 2): its holder, pid ${deadPid} on this host, is not running`,
    ]);
    await next.release();
    await lake.close();
  });
});

describe('stream lease renewal failures', () => {
  it('a holder whose renewals keep failing loses the lease once it lapses, and refuses to write from then on', async () => {
    // Prepare: renewals fail for real — a file stands where the lake's lock folder must be.
    const root = tempDir('lease-renew');
    const lake = new LocalLakeStorage(root);
    const lost: string[] = [];
    const lease = new StreamLease({
      storage: lake,
      stream: 'grid',
      ttlMs: 600,
      heartbeatMs: 100,
      onLost: (e) => lost.push(e.message),
    });
    await lease.acquire();
    expect(() => lease.assertValid()).not.toThrow();
    rmSync(join(root, '_tmp', 'locks'), { recursive: true, force: true });
    writeFileSync(join(root, '_tmp', 'locks'), 'not a folder');
    // Act
    await waitFor('the lease to be lost', () => lost.length > 0, 10_000);
    // Assess
    expect(lost[0]).toMatch(
      /^lost the lease on stream grid \(epoch 1\): it could not be renewed before it lapsed: /,
    );
    expect(lease.held).toBe(false);
    expect(() => lease.assertValid()).toThrow(/lost the lease on stream grid \(epoch 1\)/);
    rmSync(join(root, '_tmp', 'locks'), { force: true });
    await lake.close();
  });
});

describe('lease epochs in checkpoints', () => {
  it('a worker writes its checkpoints under one epoch, releases the lease, and passes the epoch of checkpoints whose lease file was deleted', async () => {
    // Prepare
    const stream = uniqueStream('leaseepoch');
    await kinesis.createStream(stream, 2);
    const root = tempDir('lease-epoch');
    let lake = new LocalLakeStorage(root);
    const binding = [{ dataset: 'grid' as const, streamName: stream }];
    await putEvents(kinesis.client, stream, events(0, 600, stream), { perAggregate: 20 });
    const cps = async (): Promise<{ leaseEpoch?: number; sequenceNumber: string | null }[]> =>
      Promise.all(
        (await lake.list(`_checkpoints/${stream}/`)).map(
          async (k) =>
            JSON.parse(Buffer.from((await lake.getBytes(k))!).toString()) as {
              leaseEpoch?: number;
              sequenceNumber: string | null;
            },
        ),
      );
    // Act: one run; then the lease file is deleted and the checkpoints say epoch 7; then a second run.
    const first = await deliverOnce(kinesis.client, lake, binding);
    const afterFirst = await cps();
    const leaseDoc = JSON.parse(Buffer.from((await lake.getBytes(`_leases/${stream}.json`))!).toString());
    await lake.close();
    rmSync(join(root, '_leases'), { recursive: true, force: true });
    lake = new LocalLakeStorage(root); // a new process' view: no cached folders
    for (const k of await lake.list(`_checkpoints/${stream}/`)) {
      const doc = JSON.parse(Buffer.from((await lake.getBytes(k))!).toString());
      await lake.putBytes(k, text(JSON.stringify({ ...doc, leaseEpoch: 7 })));
    }
    await putEvents(kinesis.client, stream, events(600, 1_000, stream), { perAggregate: 20 });
    const second = await deliverOnce(kinesis.client, lake, binding);
    const afterSecond = await cps();
    const counts = await rawCounts(root);
    // Assess
    expect(first.stats.totals.delivered).toBe(600);
    expect(afterFirst.map((c) => c.leaseEpoch)).toEqual([1, 1]);
    expect(leaseDoc).toMatchObject({
      epoch: 1,
      released: true,
      owner: { pid: process.pid, host: hostname() },
    });
    expect(second.stats.totals.delivered).toBe(400);
    expect(second.warnings.filter((w) => /lost the lease/.test(w))).toEqual([]);
    expect(afterSecond.map((c) => c.leaseEpoch)).toEqual([8, 8]);
    expect(counts).toEqual({ n: 1_000, ids: 1_000 });
    await lake.close();
  });
});

// ---------------------------------------------------------------------------------------------------
// Real delivery workers (child processes) on one lake.

interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function deliverChild(lake: string, stream: string, env: Record<string, string>): Child {
  const proc = spawnDeliverWorker(kinesis.endpoint, lake, stream, env);
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
  createInterface({ input: proc.stderr! }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  // A failed assertion must not leave a worker running (they run until SIGTERM).
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, lines, exited };
}

function events(from: number, to: number, tag: string): object[] {
  return Array.from({ length: to - from }, (_, k) =>
    gridEvent({ event_id: `${tag}-${from + k}`, load_mw: from + k }),
  );
}

async function rawCounts(lake: string): Promise<{ n: number; ids: number }> {
  const rows = await duckRows(
    `select count(*) as n, count(distinct event_id) as ids from ${rawParquet(lake, 'grid')}`,
  ).catch(() => [{ n: 0n, ids: 0n }]);
  return { n: Number(rows[0]!.n), ids: Number(rows[0]!.ids) };
}

async function untilRaw(lake: string, total: number): Promise<void> {
  await waitFor(`${total} rows in raw`, async () => (await rawCounts(lake)).n >= total, 120_000, 300);
}

const has = (c: Child, re: RegExp): boolean => c.lines.some((l) => re.test(l));
const tail = (c: Child): string => c.lines.slice(-15).join('\n');

describe('one writer per lake and stream (delivery workers as child processes)', () => {
  it('two workers on one lake while the stream is written: raw rows = unique = sent, the second waits naming the first', async () => {
    // Prepare
    const stream = uniqueStream('lease2');
    await kinesis.createStream(stream, 2);
    const lake = join(dir, stream);
    const TOTAL = 20_000;
    await putEvents(kinesis.client, stream, events(0, 5_000, stream), { perAggregate: 50 });
    // Act: both start together; the rest of the events arrive while they run.
    const env = { GS_UNTIL: 'term', GS_LEASE_TTL_MS: '3000' };
    const a = deliverChild(lake, stream, env);
    const b = deliverChild(lake, stream, env);
    await putEvents(kinesis.client, stream, events(5_000, TOTAL, stream), { perAggregate: 50 });
    await untilRaw(lake, TOTAL);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    const codes = await Promise.all([a.exited, b.exited]);
    const counts = await rawCounts(lake);
    // Assess
    expect(counts, `${tail(a)}\n---\n${tail(b)}`).toEqual({ n: TOTAL, ids: TOTAL });
    expect(codes).toEqual([0, 0]);
    const waiter = [a, b].find((c) => has(c, /waiting for the lease on stream/));
    const holder = waiter === a ? b : a;
    expect(waiter, 'one worker reports the other as holder').toBeDefined();
    expect(
      has(
        waiter!,
        new RegExp(
          `waiting for the lease on stream ${stream} held by pid ${holder.proc.pid} on host ${hostname()}`,
        ),
      ),
    ).toBe(true);
  });

  it('a holder that stops heartbeating (SIGSTOP) is taken over after its lease lapses, and stops writing when it resumes', async () => {
    // Prepare
    const stream = uniqueStream('leasestop');
    await kinesis.createStream(stream, 2);
    const lake = join(dir, stream);
    const TOTAL = 12_000;
    await putEvents(kinesis.client, stream, events(0, 4_000, stream), { perAggregate: 50 });
    const env = { GS_UNTIL: 'term', GS_LEASE_TTL_MS: '1500' };
    const a = deliverChild(lake, stream, env);
    await waitFor('A to flush', () => has(a, /^FLUSH /), 60_000);
    const b = deliverChild(lake, stream, env);
    await waitFor('B to wait for A', () => has(b, new RegExp(`held by pid ${a.proc.pid} `)), 60_000);
    // Act
    a.proc.kill('SIGSTOP');
    await waitFor('B to take over', () => has(b, /took over the lease .*heartbeat stopped/), 60_000);
    await putEvents(kinesis.client, stream, events(4_000, TOTAL, stream), { perAggregate: 50 });
    a.proc.kill('SIGCONT');
    await waitFor('A to notice', () => has(a, /lost the lease on stream/), 60_000);
    await untilRaw(lake, TOTAL);
    await waitFor('A to wait for B', () => has(a, new RegExp(`held by pid ${b.proc.pid} `)), 60_000);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    const codes = await Promise.all([a.exited, b.exited]);
    const counts = await rawCounts(lake);
    // Assess
    expect(counts, `${tail(a)}\n---\n${tail(b)}`).toEqual({ n: TOTAL, ids: TOTAL });
    expect(codes).toEqual([0, 0]);
    // After it noticed, A flushed nothing more.
    const lostAt = a.lines.findIndex((l) => /lost the lease on stream/.test(l));
    expect(a.lines.slice(lostAt).filter((l) => l.startsWith('FLUSH '))).toEqual([]);
  });

  it('kill -9 then restart: the restarted worker takes over at once (the holder pid is gone) and delivers exactly once', async () => {
    // Prepare: a ttl far longer than the test's timeout, so only the dead-pid rule can let it in.
    const stream = uniqueStream('leasekill');
    await kinesis.createStream(stream, 2);
    const lake = join(dir, stream);
    const TOTAL = 8_000;
    await putEvents(kinesis.client, stream, events(0, TOTAL, stream), { perAggregate: 50 });
    const env = { GS_LEASE_TTL_MS: '3600000' };
    const a = deliverChild(lake, stream, { ...env, GS_CRASH_AT: 'object:1' });
    await waitFor('A to stall', () => has(a, /^STALL /), 60_000);
    a.proc.kill('SIGKILL');
    await a.exited;
    // Act
    const b = deliverChild(lake, stream, env);
    const code = await b.exited;
    const counts = await rawCounts(lake);
    // Assess
    expect(code, tail(b)).toBe(0);
    expect(has(b, /^DONE /)).toBe(true);
    expect(has(b, /waiting for the lease/)).toBe(false);
    expect(
      has(
        b,
        new RegExp(
          `took over the lease on stream ${stream} \\(epoch 2\\): its holder, pid ${a.proc.pid} on this host, is not running`,
        ),
      ),
    ).toBe(true);
    expect(counts).toEqual({ n: TOTAL, ids: TOTAL });
  }, 90_000);
});

describe('gridstream deliver with another worker on the lake', () => {
  it('--stop-when-caught-up waits for the lease, showing the holder, and delivers once the holder stops', async () => {
    // Prepare
    const stream = uniqueStream('leasecli');
    await kinesis.createStream(stream, 2);
    const lake = join(dir, stream);
    const TOTAL = 6_000;
    await putEvents(kinesis.client, stream, events(0, 2_000, stream), { perAggregate: 50 });
    const holder = deliverChild(lake, stream, { GS_UNTIL: 'term' });
    await waitFor('the holder to flush', () => has(holder, /^FLUSH /), 60_000);
    // Act
    const proc = spawnDeliverCli(kinesis.endpoint, lake, stream, ['--stop-when-caught-up']);
    onTestFinished(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    const cli: Child = {
      proc,
      lines: [],
      exited: new Promise((resolve) => proc.on('close', (code) => resolve(code))),
    };
    createInterface({ input: proc.stdout! }).on('line', (l) => cli.lines.push(l));
    createInterface({ input: proc.stderr! }).on('line', (l) => cli.lines.push(l));
    await waitFor(
      'deliver to name the holder',
      () =>
        has(
          cli,
          new RegExp(
            `^deliver: waiting for the lease on stream ${stream} held by pid ${holder.proc.pid} on host`,
          ),
        ),
      60_000,
    );
    await putEvents(kinesis.client, stream, events(2_000, TOTAL, stream), { perAggregate: 50 });
    const stillWaiting = proc.exitCode === null;
    holder.proc.kill('SIGTERM');
    const [holderCode, code] = await Promise.all([holder.exited, cli.exited]);
    const counts = await rawCounts(lake);
    // Assess
    expect(stillWaiting).toBe(true);
    expect([holderCode, code], tail(cli)).toEqual([0, 0]);
    expect(
      has(
        cli,
        new RegExp(`^deliver: took the lease on stream ${stream} \\(epoch 2\\): its holder released it`),
      ),
    ).toBe(true);
    expect(counts).toEqual({ n: TOTAL, ids: TOTAL });
  });
});

describe('gridstream up on a lake another worker delivers to', () => {
  it('shows the holder above its status, delivers nothing until the lease is free, then everything it produced', async () => {
    // Prepare: this test holds the grid stream's lease of the lake, as another `up` or `deliver` would.
    const lake = tempDir('lease-up');
    const other = new StreamLease({
      storage: new LocalLakeStorage(lake),
      stream: 'grid',
      ttlMs: 3_000,
      heartbeatMs: 200,
    });
    await other.acquire();
    let status = '';
    // Act
    const running = runUp({
      lake,
      durationMs: 1_500,
      rates: { grid: 100, weather: 0, transactions: 0 },
      bufferIntervalMs: 300,
      seed: 3,
      scheduledTasks: [],
      out: { write: (t: string) => (status += t), isTTY: false },
    });
    await waitFor('up to name the holder', () =>
      status.includes(
        `gridstream up: waiting for the lease on stream grid held by pid ${process.pid} on host ${hostname()} ` +
          `(worker ${other.owner.workerId}, epoch 1)`,
      ),
    );
    const rawWhileHeld = await rawCounts(lake);
    await other.release();
    const result = await running;
    const counts = await rawCounts(lake);
    // Assess
    expect(rawWhileHeld.n).toBe(0);
    expect(status).toContain(
      'gridstream up: took the lease on stream grid (epoch 2): its holder released it',
    );
    expect(result.drained).toBe(true);
    expect(result.produced.grid).toBeGreaterThan(0);
    expect(counts).toEqual({ n: result.produced.grid, ids: result.produced.grid });
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
