import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  ListStreamsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../kinesis/index.js';
import { createKinesaliteServer } from '../../local/emulatorGetRecords.js';
import { EmbeddedKinesis, READ_REPLAY_GRACE_MS, RecordWindow } from '../../local/index.js';
import { frozenAt } from '../helpers/fakeTime.js';
import { uniqueStream } from '../helpers/kinesis.js';
import { waitFor } from '../helpers/waitFor.js';

// The emulator's retention window and its MillisBehindLatest, over kinesalite's real store. Time is
// moved by freezing Date.now() around each call (kinesalite stamps arrivals with it); the window is
// enforced by calling trim(now) explicitly, except in the EmbeddedKinesis test which waits for its timer.

const SHARD0 = 'shardId-000000000000';
const EMULATOR = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 };
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

interface Harness {
  readonly client: KinesisClient;
  readonly window: RecordWindow;
  close(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** A kinesalite server with the fast GetRecords path and the given window (not started: trims are explicit). */
async function harness(window: RecordWindow): Promise<Harness> {
  const { server } = createKinesaliteServer(EMULATOR, true, window);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = createKinesisClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  const h: Harness = {
    client,
    window,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => {
        (server as Server).close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  open.push(h);
  return h;
}

async function createStream(client: KinesisClient, name: string, shards = 1): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitFor(`${name} ACTIVE`, async () => {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

/** Puts `count` records of `bytes` each, all to shard 0 (one partition key), at time `at`. */
async function putAt(client: KinesisClient, stream: string, at: number, count: number, bytes = 1000) {
  return frozenAt(at, async () => {
    const out = await client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: Array.from({ length: count }, (_, i) => ({
          PartitionKey: 'k',
          Data: Buffer.alloc(bytes, 97 + (i % 26)),
        })),
      }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
    return out.Records!.map((r) => r.SequenceNumber!);
  });
}

async function iterator(
  client: KinesisClient,
  stream: string,
  type: GetShardIteratorCommandInput['ShardIteratorType'],
  seq?: string,
): Promise<string> {
  const out = await client.send(
    new GetShardIteratorCommand({
      StreamName: stream,
      ShardId: SHARD0,
      ShardIteratorType: type,
      ...(seq ? { StartingSequenceNumber: seq } : {}),
    }),
  );
  return out.ShardIterator!;
}

/** Every record of shard 0 from TRIM_HORIZON (sequence numbers). */
async function readAll(client: KinesisClient, stream: string): Promise<string[]> {
  let it: string | undefined = await iterator(client, stream, 'TRIM_HORIZON');
  const seqs: string[] = [];
  for (let i = 0; i < 1000 && it; i++) {
    const out: GetRecordsCommandOutput = await client.send(
      new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }),
    );
    seqs.push(...out.Records!.map((r) => r.SequenceNumber!));
    if (out.Records!.length === 0) break;
    it = out.NextShardIterator;
  }
  return seqs;
}

describe('MillisBehindLatest from the emulator', () => {
  it('is the time from the last record read to the shard’s newest record, and 0 at the tip', async () => {
    // Prepare: records arriving at T0, T0 + 1.5 s and T0 + 42 s
    const { client } = await harness(new RecordWindow());
    const stream = uniqueStream('behind');
    await frozenAt(T0, () => createStream(client, stream));
    await putAt(client, stream, T0, 3);
    await putAt(client, stream, T0 + 1_500, 2);
    await putAt(client, stream, T0 + 42_000, 1);
    // Act: read in pages of 2, later than all arrivals (the reader's clock does not matter)
    const behind: number[] = [];
    const counts: number[] = [];
    await frozenAt(T0 + 60_000, async () => {
      let it: string | undefined = await iterator(client, stream, 'TRIM_HORIZON');
      for (let i = 0; i < 5 && it; i++) {
        const out: GetRecordsCommandOutput = await client.send(
          new GetRecordsCommand({ ShardIterator: it, Limit: 2 }),
        );
        behind.push(out.MillisBehindLatest!);
        counts.push(out.Records!.length);
        it = out.NextShardIterator;
      }
    });
    // Assert: pages end at T0, T0 + 1.5 s, T0 + 42 s (the newest), then nothing new
    expect(counts).toEqual([2, 2, 2, 0, 0]);
    expect(behind).toEqual([42_000, 40_500, 0, 0, 0]);
  });

  it('counts from the newest record even when the iterator is at LATEST or a record arrives later', async () => {
    // Prepare
    const { client } = await harness(new RecordWindow());
    const stream = uniqueStream('behind-latest');
    await frozenAt(T0, () => createStream(client, stream));
    const [first] = await putAt(client, stream, T0, 1);
    const atFirst = await frozenAt(T0 + 1, () => iterator(client, stream, 'AT_SEQUENCE_NUMBER', first));
    const latest = await frozenAt(T0 + 1, () => iterator(client, stream, 'LATEST'));
    await putAt(client, stream, T0 + 7_000, 1);
    // Act
    const [fromFirst, fromLatest] = await frozenAt(T0 + 8_000, async () => [
      await client.send(new GetRecordsCommand({ ShardIterator: atFirst, Limit: 1 })),
      await client.send(new GetRecordsCommand({ ShardIterator: latest })),
    ]);
    // Assert
    expect(fromFirst.Records).toHaveLength(1);
    expect(fromFirst.MillisBehindLatest).toBe(7_000);
    expect(fromLatest.Records).toHaveLength(1);
    expect(fromLatest.MillisBehindLatest).toBe(0);
  });
});

describe('the emulator’s retention window', () => {
  it('trims records older than maxAgeMs, whole seconds of arrivals at a time, and keeps the rest', async () => {
    // Prepare: 10 records a second for 5 minutes, a window of 2 minutes
    const window = new RecordWindow({ maxAgeMs: 120_000, maxBytes: 1024 ** 3 });
    const { client } = await harness(window);
    const stream = uniqueStream('window-age');
    await frozenAt(T0, () => createStream(client, stream));
    const seqs: string[] = [];
    for (let s = 0; s < 300; s++) seqs.push(...(await putAt(client, stream, T0 + s * 1_000, 10, 100)));
    expect(window.stats().records).toBe(3_000);
    expect(await frozenAt(T0 + 299_000, () => readAll(client, stream))).toEqual(seqs); // a reader read them all
    // Act
    await window.trim(T0 + 299_000);
    // Assert: arrivals at or after T0 + 179 s are kept (the cutoff is T0 + 179 s)
    const kept = await frozenAt(T0 + 299_500, () => readAll(client, stream));
    expect(kept).toEqual(seqs.slice(1_790));
    expect(window.stats()).toMatchObject({ records: 1_210, trimmedRecords: 1_790, trimmedUnreadRecords: 0 });
    expect(window.stats().oldestArrivalMs).toBe(T0 + 179_000);
  });

  it('trims the oldest records across streams while more than maxBytes are held', async () => {
    // Prepare: two streams, 1 KB records, one second apart, alternating streams; 100 KB window
    const window = new RecordWindow({ maxAgeMs: 3_600_000, maxBytes: 100_000 });
    const { client } = await harness(window);
    const [a, b] = [uniqueStream('window-bytes-a'), uniqueStream('window-bytes-b')];
    await frozenAt(T0, async () => {
      await createStream(client, a);
      await createStream(client, b);
    });
    const put: Record<string, string[]> = { [a]: [], [b]: [] };
    for (let s = 0; s < 60; s++) {
      const stream = s % 2 === 0 ? a : b;
      put[stream]!.push(...(await putAt(client, stream, T0 + s * 1_000, 5, 1_000)));
    }
    const before = window.stats();
    expect(before.bytes).toBeGreaterThan(300_000);
    await frozenAt(T0 + 60_000, () => Promise.all([readAll(client, a), readAll(client, b)]));
    // Act: past the replay grace of the newest record
    await window.trim(T0 + 60_000 + READ_REPLAY_GRACE_MS);
    // Assert: within the bytes, the newest kept in both streams, each stream a suffix of what was put
    const after = window.stats();
    expect(after.bytes).toBeLessThanOrEqual(100_000);
    expect(after.bytes).toBeGreaterThan(100_000 - before.bytes / 60); // trimmed no more than needed
    const [keptA, keptB] = await frozenAt(T0 + 61_000, () =>
      Promise.all([readAll(client, a), readAll(client, b)]),
    );
    expect(keptA.length + keptB.length).toBe(after.records);
    expect(keptA).toEqual(put[a]!.slice(put[a]!.length - keptA.length));
    expect(keptB).toEqual(put[b]!.slice(put[b]!.length - keptB.length));
    expect(Math.abs(keptA.length - keptB.length)).toBeLessThanOrEqual(5);
  });

  it('keeps read records younger than the replay grace beyond maxBytes (a killed reader replays them)', async () => {
    // Prepare: 60 seconds of 1 KB records, all read; a 10 KB window
    const window = new RecordWindow({ maxAgeMs: 3_600_000, maxBytes: 10_000, maxUnreadBytes: 10_000_000 });
    const { client } = await harness(window);
    const stream = uniqueStream('window-grace');
    await frozenAt(T0, () => createStream(client, stream));
    const seqs: string[] = [];
    for (let s = 0; s < 60; s++) seqs.push(...(await putAt(client, stream, T0 + s * 1_000, 1, 1_000)));
    await frozenAt(T0 + 60_000, () => readAll(client, stream));
    // Act: one second after the last arrival
    await window.trim(T0 + 60_000);
    // Assert: every record that arrived within the grace is still there, in order; older ones are gone
    const kept = await frozenAt(T0 + 60_500, () => readAll(client, stream));
    // The grace is documented as 30 s; the 20 newest seconds (20 KB, twice maxBytes) must survive.
    expect(READ_REPLAY_GRACE_MS).toBeGreaterThanOrEqual(20_000);
    const young = seqs.slice(40);
    expect(kept.length).toBeGreaterThanOrEqual(young.length);
    expect(kept.length).toBeLessThan(seqs.length);
    expect(kept.slice(kept.length - young.length)).toEqual(young);
  });

  it('keeps records no reader has reached past maxAgeMs and maxBytes, up to maxUnreadBytes', async () => {
    // Prepare: 40 seconds of 1 KB records, a window of 10 s / 10 KB of read records, 60 KB in all
    const window = new RecordWindow({ maxAgeMs: 10_000, maxBytes: 10_000, maxUnreadBytes: 60_000 });
    const { client } = await harness(window);
    const stream = uniqueStream('window-unread');
    await frozenAt(T0, () => createStream(client, stream));
    const seqs: string[] = [];
    for (let s = 0; s < 40; s++) seqs.push(...(await putAt(client, stream, T0 + s * 1_000, 2, 1_000)));
    const perRecord = window.stats().bytes / 80;
    // Act: a reader has read the first 30 records only
    const firstPage = await frozenAt(T0 + 40_000, async () =>
      client.send(
        new GetRecordsCommand({ ShardIterator: await iterator(client, stream, 'TRIM_HORIZON'), Limit: 30 }),
      ),
    );
    await window.trim(T0 + 40_000);
    // Assert: the read ones are gone (older than 10 s), the unread 50 kept down to 60 KB, oldest first
    expect(firstPage.Records).toHaveLength(30);
    const kept = await frozenAt(T0 + 40_000, () => readAll(client, stream));
    const fit = Math.floor(60_000 / perRecord); // buckets of one record here (maxBytes / 16 < a record)
    expect(kept).toEqual(seqs.slice(80 - fit));
    expect(kept.length).toBeLessThan(50);
    expect(window.stats()).toMatchObject({ trimmedRecords: 80 - fit, trimmedUnreadRecords: 50 - fit });
  });

  it('moves a reader whose next record was trimmed on to the oldest record held, as Kinesis retention does', async () => {
    // Prepare: a reader positioned at the first record; another reader reads everything; a minute passes
    const window = new RecordWindow({ maxAgeMs: 60_000, maxBytes: 1024 ** 3 });
    const { client } = await harness(window);
    const stream = uniqueStream('window-reader');
    await frozenAt(T0, () => createStream(client, stream));
    const early = await putAt(client, stream, T0, 3);
    const atFirst = await frozenAt(T0 + 10, () => iterator(client, stream, 'AT_SEQUENCE_NUMBER', early[0]));
    const late = await putAt(client, stream, T0 + 90_000, 3);
    await frozenAt(T0 + 95_000, () => readAll(client, stream));
    await window.trim(T0 + 100_000);
    // Act
    const out = await frozenAt(T0 + 100_000, () =>
      client.send(new GetRecordsCommand({ ShardIterator: atFirst })),
    );
    // Assert
    expect(out.Records!.map((r) => r.SequenceNumber)).toEqual(late);
    expect(out.MillisBehindLatest).toBe(0);
  });

  it('starts a fresh account for a stream deleted and created again', async () => {
    // Prepare
    const window = new RecordWindow({ maxAgeMs: 60_000, maxBytes: 1024 ** 3 });
    const { client } = await harness(window);
    const stream = uniqueStream('window-recreate');
    await frozenAt(T0, () => createStream(client, stream));
    await putAt(client, stream, T0, 4);
    expect(window.stats().records).toBe(4);
    // Act
    await client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitFor('the stream deleted', async () => {
      const list = await client.send(new ListStreamsCommand({}));
      return !list.StreamNames?.includes(stream);
    });
    await frozenAt(T0 + 1_000, () => createStream(client, stream));
    const again = await putAt(client, stream, T0 + 2_000, 2);
    // Assert
    expect(window.stats().records).toBe(2);
    await window.trim(T0 + 30_000);
    expect(await frozenAt(T0 + 30_000, () => readAll(client, stream))).toEqual(again);
  });

  it('rejects a bound that is not a positive number, naming it', () => {
    expect(() => new RecordWindow({ maxAgeMs: 0, maxBytes: 1 })).toThrow(
      /maxAgeMs must be a positive number, got 0/,
    );
    expect(() => new RecordWindow({ maxAgeMs: 1, maxBytes: Number.NaN })).toThrow(/maxBytes .* got NaN/);
  });

  it('is enforced by EmbeddedKinesis on its own, within maxUnreadBytes without a reader', async () => {
    // Prepare
    const kinesis = await EmbeddedKinesis.start({ retention: { maxBytes: 200_000 } });
    try {
      const stream = uniqueStream('window-embedded');
      await kinesis.createStream(stream, 1);
      expect(kinesis.retention).toEqual({ maxAgeMs: 600_000, maxBytes: 200_000, maxUnreadBytes: 800_000 });
      // Act: 1.3 MB in 1 KB records, nobody reading
      for (let i = 0; i < 10; i++) {
        await kinesis.client.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: Array.from({ length: 100 }, () => ({ PartitionKey: 'k', Data: Buffer.alloc(1_000) })),
          }),
        );
      }
      // Assert: trimmed by its timer to within the window, newest records kept
      await waitFor('the window enforced', () => kinesis.windowStats().bytes <= 800_000, 30_000);
      const stats = kinesis.windowStats();
      expect(stats.trimmedRecords + stats.records).toBe(1_000);
      expect(stats.trimmedUnreadRecords).toBe(stats.trimmedRecords);
      expect(stats.records).toBeGreaterThan(400);
      // The accounting is updated when a trim starts; the store's deletes follow, one key per turn.
      await waitFor(
        'the trimmed records deleted from the store',
        async () => (await readAll(kinesis.client, stream)).length === kinesis.windowStats().records,
      );
    } finally {
      await kinesis.stop();
    }
  });
});
