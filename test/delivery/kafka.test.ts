import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import type { ErrorRecord } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { createTopics, KAFKA_START_TIMEOUT_MS, sharedKafkaBroker, uniqueTopic } from '../helpers/kafka.js';
import { poisonRecords } from '../helpers/poison.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';
import { duckRows, rawParquet } from './support/lakeKit.js';

let brokers: string;
// The first broker of a fresh clone resolves its jars with Maven first (about a minute).
beforeAll(async () => {
  brokers = await sharedKafkaBroker();
}, KAFKA_START_TIMEOUT_MS);

const BIN = join(REPO_ROOT, 'bin', 'gridstream.js');

/** Delivery processes still running: a failed test must not leave them behind. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** A `gridstream deliver --source kafka` child with its output lines (timed from its start). */
interface Delivery {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

/** A `gridstream deliver --source kafka` child with its output lines collected. */
function deliver(lake: string, topic: string, group: string, extra: string[] = []): Delivery {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'deliver',
      '--source',
      'kafka',
      '--brokers',
      brokers,
      '--topics',
      `grid=${topic}`,
      '--group',
      group,
      '--lake',
      lake,
      '--buffer-interval',
      '0.3',
      '--status-every',
      '3600',
      '-v',
      ...extra,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const t0 = Date.now();
  const keep = (l: string): void => {
    lines.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${l}`);
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  return { child, lines, exited };
}

function checkpoints(lake: string, topic: string): { sequenceNumber: string | null; leaseEpoch: number }[] {
  const dir = join(lake, '_checkpoints', topic);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')));
}

/** Flush lines a delivery process printed (`-v`). */
function flushes(p: Delivery): number {
  return p.lines.filter((l) => l.includes('deliver: flushed')).length;
}

/** The process printed its start line: the group assigned it partitions and it claimed them. */
function started(p: Delivery): boolean {
  return p.lines.some((l) => l.includes('deliver: reading'));
}

/** Waits for a condition of delivery processes; on timeout the error carries their output. */
async function until(
  p: Delivery,
  what: string,
  check: () => boolean,
  others: Delivery[] = [],
): Promise<void> {
  await waitFor(what, check, 180_000, 200).catch((err: Error) => {
    const out = [p, ...others].map((x, i) => `--- delivery process ${i + 1}:\n${x.lines.join('\n')}`);
    throw new Error(`${err.message}\n${out.join('\n')}`);
  });
}

async function rawCounts(lake: string): Promise<{ rows: number; unique: number }> {
  const [r] = await duckRows(
    `SELECT count(*)::INT AS rows, count(DISTINCT event_id)::INT AS "unique" FROM ${rawParquet(lake, 'grid')}`,
  );
  return r as { rows: number; unique: number };
}

describe('deliver --source kafka on a real broker', () => {
  it('delivers every event exactly once through a kill -9 and a second consumer joining and leaving (rebalances)', async () => {
    // Prepare: a topic of 4 partitions. Events are sent in phases, each once the members are where the
    // phase needs them: sent on a timer instead, a member that joined after the last event had been
    // delivered had nothing to flush, and waiting for its flush stalled the test (issue 14).
    const topic = uniqueTopic('deliver');
    const group = `g-${topic}`;
    await createTopics(brokers, [topic], 4);
    const lake = tempDir('kafka-deliver');
    const sizes = [2000, 10_000, 2000, 2000];
    const total = sizes.reduce((x, y) => x + y, 0);
    const produce = async (phase: number): Promise<void> => {
      const r = await run(process.execPath, [
        BIN,
        'produce',
        '--transport',
        'kafka',
        '--brokers',
        brokers,
        '--dataset',
        'grid',
        '--stream',
        topic,
        '--count',
        String(sizes[phase]),
        '--rate',
        '0',
        '--seed',
        String(11 + phase),
      ]);
      expect(r.code, r.stderr).toBe(0);
    };
    /** Offsets durable in the lake, all partitions together: `total` once everything is delivered. */
    const durable = (): number =>
      checkpoints(lake, topic).reduce(
        (n, c) => n + (c.sequenceNumber === null ? 0 : Number(c.sequenceNumber) + 1),
        0,
      );
    await produce(0);

    // Act: the first delivery is killed -9 once it has checkpointed something...
    const first = deliver(lake, topic, group);
    await until(first, 'a first checkpoint', () => durable() > 0);
    first.child.kill('SIGKILL');
    await first.exited;
    // ...restarted (its start line comes once the group assigned it partitions) with a backlog to read...
    const a = deliver(lake, topic, group);
    await until(a, 'the restarted member to be assigned partitions', () => started(a));
    await produce(1);
    await until(a, 'the restarted member to flush', () => flushes(a) > 0);
    // ...joined by a second process (rebalance: two partitions move)...
    const b = deliver(lake, topic, group);
    await until(b, 'the second member to be assigned partitions', () => started(b), [a]);
    const [aBefore, bBefore] = [flushes(a), flushes(b)];
    await produce(2);
    await until(
      b,
      'both members to deliver after the rebalance',
      () => flushes(a) > aBefore && flushes(b) > bBefore,
      [a],
    );
    // ...which leaves (rebalance: the first member gets its partitions back)
    b.child.kill('SIGTERM');
    expect(await b.exited, b.lines.join('\n')).toBe(0);
    await produce(3);
    await until(a, 'the remaining member to deliver every event', () => durable() === total, [b]);
    a.child.kill('SIGTERM');
    expect(await a.exited, a.lines.join('\n')).toBe(0);
    // A last run finds nothing left and stops.
    const last = deliver(lake, topic, group, ['--stop-when-caught-up']);
    expect(await last.exited, last.lines.join('\n')).toBe(0);

    // Assess: raw rows = unique = sent; partitions changed hands (claimed again under higher epochs)
    expect(await rawCounts(lake)).toEqual({ rows: total, unique: total });
    const cps = checkpoints(lake, topic);
    expect(cps).toHaveLength(4);
    expect(Math.max(...cps.map((c) => c.leaseEpoch))).toBeGreaterThanOrEqual(4);
    const files = readdirSync(join(lake, 'raw', 'grid'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.parquet'));
    for (const f of files)
      expect(f).toMatch(new RegExp(`${topic}-1-.*-partition-000[0-3]-\\d+-\\d+\\.parquet$`));
  }, 600_000);

  it('sends non-JSON, invalid, oversized and poison messages to errors/ with the reason, and delivers their neighbours', async () => {
    // Prepare
    const topic = uniqueTopic('poison');
    await createTopics(brokers, [topic], 1);
    const lake = tempDir('kafka-poison');
    const poison = poisonRecords('kp');
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const good = (i: number) => ({ key: 'k', value: JSON.stringify(gridEvent({ event_id: `good-${i}` })) });
    await producer.send({
      topic,
      messages: [
        good(0),
        { key: 'k', value: 'not json {' },
        good(1),
        { key: 'k', value: JSON.stringify({ ...gridEvent({ event_id: 'bad-market' }), market: 'XYZ' }) },
        ...poison.map((p) => ({ key: 'k', value: p.text })),
        good(2),
      ],
    });
    // Over delivery's 1,000 KiB event limit, under the broker's message limit: alone in its record batch.
    const tooBig = JSON.stringify({ ...gridEvent({ event_id: 'too-big' }), source: 'x'.repeat(1_030_000) });
    await producer.send({ topic, messages: [{ key: 'k', value: tooBig }] });
    await producer.send({ topic, messages: [good(3)] });
    await producer.disconnect();
    // Act
    const r = deliver(lake, topic, `g-${topic}`, ['--stop-when-caught-up']);
    const code = await r.exited;
    // Assess
    expect(code, r.lines.join('\n')).toBe(0);
    const ids = (await duckRows(`SELECT event_id FROM ${rawParquet(lake, 'grid')} ORDER BY event_id`)).map(
      (x) => x.event_id,
    );
    expect(ids).toEqual(['good-0', 'good-1', 'good-2', 'good-3']);
    const store = new LocalLakeStorage(lake);
    const errors: ErrorRecord[] = [];
    for (const key of await store.list('errors/')) {
      for (const line of Buffer.from((await store.getBytes(key))!)
        .toString('utf8')
        .split('\n')) {
        if (line) errors.push(JSON.parse(line) as ErrorRecord);
      }
    }
    expect(errors).toHaveLength(3 + poison.length);
    for (const e of errors) {
      expect(e.sequenceNumber).toMatch(/^\d+$/);
      expect(e.shardId).toBe('partition-0000');
      expect(e.errorMessage.length).toBeGreaterThan(0);
    }
    const text = JSON.stringify(errors);
    expect(text).toContain('XYZ');
    for (const p of poison) expect(text).toContain(p.code);
  });
});
