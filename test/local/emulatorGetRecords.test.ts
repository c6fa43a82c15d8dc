import { createDecipheriv, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
  type ShardIteratorType,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecordsFast } from '../../kinesis/getRecordsFast.js';
import { createKinesisClient, encodeAggregatedRecord } from '../../kinesis/index.js';
import { createKinesaliteServer } from '../../local/emulatorGetRecords.js';
import { EmbeddedKinesis } from '../../local/index.js';
import { frozenAt } from '../helpers/fakeTime.js';
import { uniqueStream } from '../helpers/kinesis.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';

// The fast GetRecords path is compared with kinesalite's own listener over one shared store: the same
// request goes to both servers with Date.now() frozen, so even NextShardIterator (which embeds its
// creation time) must come back byte for byte the same.

const AMZ_JSON = 'application/x-amz-json-1.1';
const GET_RECORDS = 'Kinesis_20131202.GetRecords';
const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0f0f',
  'x-amz-date': '20260101T000000Z',
};
const EMULATOR = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 };
const HOUR_MS = 60 * 60 * 1000;

interface KinesaliteDbHelpers {
  readonly ITERATOR_PWD_KEY: Buffer;
  readonly ITERATOR_PWD_IV: Buffer;
  createShardIterator(streamName: string, shardId: string, seq: string): string;
}
const kdb = createRequire(import.meta.url)('kinesalite/db') as KinesaliteDbHelpers;

/** The fields of a shard iterator: `[createdMs, stream, shardId, sequenceNumber]`. */
function decodeIterator(iterator: string): [number, string, string, string] {
  const decipher = createDecipheriv('aes-256-cbc', kdb.ITERATOR_PWD_KEY, kdb.ITERATOR_PWD_IV);
  const text = Buffer.concat([
    decipher.update(Buffer.from(iterator, 'base64').subarray(8)),
    decipher.final(),
  ]);
  const [time, stream, shard, seq] = text.toString('utf8').split('/');
  return [Number(time), stream!, shard!, seq!];
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Header names in the order sent. */
  readonly headerNames: string[];
  readonly body: Buffer;
}

interface PostOptions {
  readonly headers?: Record<string, string>;
  readonly path?: string;
}

/** One HTTP POST (no keep-alive), the GetRecords target and a signature-shaped Authorization by default. */
function post(endpoint: string, body: string | Buffer, options: PostOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${endpoint}${options.path ?? '/'}`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': AMZ_JSON, 'x-amz-target': GET_RECORDS, ...SIGNED, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            headerNames: res.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A POST whose response is not read until `read()`: its body stays in the socket buffers and, past them,
 * in the server's pending write.
 */
function postHeld(endpoint: string, body: string): Promise<{ read(): Promise<RawResponse> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${endpoint}/`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': AMZ_JSON, 'x-amz-target': GET_RECORDS, ...SIGNED },
      },
      (res) => {
        res.pause();
        resolve({
          read: () =>
            new Promise((done, fail) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('error', fail);
              res.on('end', () =>
                done({
                  status: res.statusCode!,
                  headers: res.headers,
                  headerNames: [],
                  body: Buffer.concat(chunks),
                }),
              );
              res.resume();
            }),
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Same records, same next position (the iterators' creation times differ). */
function expectSameRead(got: RawResponse, want: RawResponse): void {
  expect(got.status).toBe(200);
  expect(got.body.length).toBe(want.body.length);
  const a = JSON.parse(got.body.toString('utf8')) as GetRecordsBody;
  const b = JSON.parse(want.body.toString('utf8')) as GetRecordsBody;
  expect(a.Records).toEqual(b.Records);
  expect(a.MillisBehindLatest).toBe(b.MillisBehindLatest);
  expect(decodeIterator(a.NextShardIterator!).slice(1)).toEqual(
    decodeIterator(b.NextShardIterator!).slice(1),
  );
}

/**
 * A GetRecords body with MillisBehindLatest set to 0: the fast path answers Kinesis' value where
 * kinesalite answers 0 for an open shard, everything else is byte for byte the same.
 */
function withoutMillisBehind(body: Buffer): string {
  return body.toString('utf8').replace(/^\{"MillisBehindLatest":\d+/, '{"MillisBehindLatest":0');
}

/**
 * Kinesis' MillisBehindLatest after reading up to `lastRead` in a shard whose records are `all`: the
 * newest record's arrival minus the last read record's, 0 at the tip.
 */
function expectedMillisBehind(all: readonly GetRecordsBody['Records'][number][], lastRead: number): number {
  if (lastRead < 0 || lastRead >= all.length - 1) return 0;
  const ms = (r: GetRecordsBody['Records'][number]) =>
    Math.round(Number(r.ApproximateArrivalTimestamp) * 1000);
  return ms(all[all.length - 1]!) - ms(all[lastRead]!);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function createStream(client: KinesisClient, name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitForActive(client, name);
}

async function waitForActive(client: KinesisClient, name: string): Promise<void> {
  await waitFor(`${name} ACTIVE`, async () => {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

async function iteratorFor(
  client: KinesisClient,
  stream: string,
  shardId: string,
  type: ShardIteratorType,
  extra: { StartingSequenceNumber?: string; Timestamp?: Date } = {},
): Promise<string> {
  const out = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra }),
  );
  return out.ShardIterator!;
}

async function putRecords(
  client: KinesisClient,
  stream: string,
  entries: PutRecordsRequestEntry[],
): Promise<string[]> {
  const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
  return out.Records!.map((r) => r.SequenceNumber!);
}

/** A mix of payloads: KPL aggregates, JSON, random binary, big; partition keys that JSON escapes. */
function mixedEntries(count: number): PutRecordsRequestEntry[] {
  const keys = ['plain', 'é-ü', 'quote"d', 'back\\slash', 'line\u2028sep', 'emoji-🙂', 'ctrl\u0001'];
  return Array.from({ length: count }, (_, i) => {
    const key = `${keys[i % keys.length]}-${i}`;
    let data: Uint8Array;
    if (i % 4 === 0) {
      data = encodeAggregatedRecord(
        Array.from({ length: 40 }, (_, j) => ({
          partitionKey: `${key}/${j}`,
          data: Buffer.from(JSON.stringify({ i, j, text: 'x'.repeat(j * 7) })),
        })),
      );
    } else if (i % 4 === 1) data = Buffer.from(JSON.stringify({ event: i, key }));
    else if (i % 4 === 2) data = randomBytes(1 + ((i * 997) % 5000));
    else data = randomBytes(150_000 + i);
    return { PartitionKey: key, Data: data };
  });
}

/** The parsed GetRecords response body. */
interface GetRecordsBody {
  MillisBehindLatest: number;
  NextShardIterator?: string;
  Records: {
    PartitionKey: string;
    Data: string;
    SequenceNumber: string;
    ApproximateArrivalTimestamp: number;
  }[];
}

describe('the emulator fast GetRecords path against kinesalite over one store', () => {
  let fastServer: Server;
  let referenceServer: Server;
  let fast: string;
  let reference: string;
  let client: KinesisClient;
  let stats: { readonly fastGetRecords: number };

  beforeAll(async () => {
    const k = createKinesaliteServer(EMULATOR);
    fastServer = k.server;
    stats = k.stats;
    referenceServer = createServer(k.kinesaliteListener);
    fast = await listen(fastServer);
    reference = await listen(referenceServer);
    client = createKinesisClient({ endpoint: fast });
  });

  afterAll(async () => {
    client.destroy();
    await close(referenceServer);
    await close(fastServer);
  });

  /**
   * Sends the same request to both servers at the same (frozen) time; expects the same status, header
   * names, content type and length, and the same body bytes. Returns the fast path's response.
   */
  async function same(
    body: string | Buffer | object,
    options: PostOptions & { at?: number; fastPath?: boolean } = {},
  ): Promise<RawResponse> {
    const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const taken = stats.fastGetRecords;
    const [a, b] = await frozenAt(options.at ?? Date.now(), async () => [
      await post(fast, text, options),
      await post(reference, text, options),
    ]);
    expect(stats.fastGetRecords - taken, 'requests taken by the fast path').toBe(
      options.fastPath === false ? 0 : 1,
    );
    expect(a.status).toBe(b.status);
    expect(a.headerNames).toEqual(b.headerNames);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    const [gotBody, wantBody] = [withoutMillisBehind(a.body), withoutMillisBehind(b.body)];
    expect(Buffer.byteLength(gotBody)).toBe(Buffer.byteLength(wantBody));
    if (gotBody !== wantBody && a.headers['content-type'] === AMZ_JSON) {
      // A readable difference first, then the bytes.
      expect(JSON.parse(gotBody)).toEqual(JSON.parse(wantBody));
    }
    expect(gotBody).toBe(wantBody);
    return a;
  }

  async function sameRecords(body: object, options: { at?: number } = {}): Promise<GetRecordsBody> {
    const res = await same(body, options);
    expect(res.status).toBe(200);
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/);
    expect(res.headers['x-amz-id-2']).toHaveLength(96);
    return JSON.parse(res.body.toString('utf8')) as GetRecordsBody;
  }

  async function sameError(body: string | object, type: string, options: PostOptions & { at?: number } = {}) {
    const res = await same(body, options);
    expect(res.status).toBe(400);
    const parsed = JSON.parse(res.body.toString('utf8')) as { __type: string; message?: string };
    expect(parsed.__type).toBe(type);
    return parsed;
  }

  it('serves records with aggregated and plain data, in pages smaller than the shard, like kinesalite', async () => {
    // Prepare
    const stream = uniqueStream('fast-mixed');
    await createStream(client, stream, 2);
    const entries = mixedEntries(60);
    await putRecords(client, stream, entries.slice(0, 30));
    await putRecords(client, stream, entries.slice(30));
    const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
    let read = 0;
    for (const shard of shards) {
      // Act: the whole shard at once (default Limit), then in pages of 7
      const start = await iteratorFor(client, stream, shard.ShardId!, 'TRIM_HORIZON');
      const whole = await sameRecords({ ShardIterator: start });
      expect(whole.MillisBehindLatest).toBe(0);
      let iterator: string | undefined = start;
      let pages = 0;
      let paged = 0;
      for (;;) {
        const page: GetRecordsBody = await sameRecords({ ShardIterator: iterator, Limit: 7 });
        expect(page.Records.length).toBeLessThanOrEqual(7);
        expect(page.MillisBehindLatest).toBe(
          expectedMillisBehind(whole.Records, paged + page.Records.length - 1),
        );
        paged += page.Records.length;
        pages += 1;
        iterator = page.NextShardIterator;
        expect(iterator).toBeDefined();
        if (page.Records.length === 0) break;
      }
      // Assert
      expect(paged).toBe(whole.Records.length);
      expect(pages).toBeGreaterThan(1);
      read += whole.Records.length;
    }
    expect(read).toBe(entries.length);
  });

  it('moves the iterator on over an empty shard', async () => {
    // Prepare
    const stream = uniqueStream('fast-empty');
    await createStream(client, stream, 1);
    const start = await iteratorFor(client, stream, 'shardId-000000000000', 'TRIM_HORIZON');
    // Act
    const first = await sameRecords({ ShardIterator: start, Limit: 10 });
    const second = await sameRecords({ ShardIterator: first.NextShardIterator });
    // Assert
    expect(first.Records).toEqual([]);
    expect(first.NextShardIterator).toBeDefined();
    expect(decodeIterator(first.NextShardIterator!)[3]).not.toBe(decodeIterator(start)[3]);
    expect(second.Records).toEqual([]);
  });

  it('ends a closed shard after SplitShard: no NextShardIterator, MillisBehindLatest as kinesalite', async () => {
    // Prepare
    const stream = uniqueStream('fast-split');
    await createStream(client, stream, 1);
    await putRecords(client, stream, mixedEntries(12));
    await client.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await waitForActive(client, stream);
    await putRecords(client, stream, mixedEntries(6));
    // Act: read the parent to its end
    let iterator: string | undefined = await iteratorFor(
      client,
      stream,
      'shardId-000000000000',
      'TRIM_HORIZON',
    );
    let records = 0;
    let last: GetRecordsBody | undefined;
    for (let call = 0; iterator !== undefined && call < 20; call++) {
      last = await sameRecords({ ShardIterator: iterator, Limit: 5 });
      records += last.Records.length;
      iterator = last.NextShardIterator;
    }
    // Assert
    expect(records).toBe(12);
    expect(last).toBeDefined();
    expect(last!.Records).toEqual([]);
    expect('NextShardIterator' in last!).toBe(false);
    expect(last!.MillisBehindLatest).toBeGreaterThanOrEqual(0);
    // The children are open shards.
    for (const child of ['shardId-000000000001', 'shardId-000000000002']) {
      const page = await sameRecords({
        ShardIterator: await iteratorFor(client, stream, child, 'TRIM_HORIZON'),
      });
      expect(page.NextShardIterator).toBeDefined();
    }
  });

  it('serves every iterator type like kinesalite', async () => {
    // Prepare
    const stream = uniqueStream('fast-types');
    await createStream(client, stream, 1);
    const shard = 'shardId-000000000000';
    const seqs = await putRecords(client, stream, mixedEntries(10));
    const at = (n: string) => ({ StartingSequenceNumber: n });
    // Act
    const trim = await sameRecords({
      ShardIterator: await iteratorFor(client, stream, shard, 'TRIM_HORIZON'),
    });
    const atSeq = await sameRecords({
      ShardIterator: await iteratorFor(client, stream, shard, 'AT_SEQUENCE_NUMBER', at(seqs[3]!)),
    });
    const afterSeq = await sameRecords({
      ShardIterator: await iteratorFor(client, stream, shard, 'AFTER_SEQUENCE_NUMBER', at(seqs[3]!)),
    });
    const atTime = await sameRecords({
      ShardIterator: await iteratorFor(client, stream, shard, 'AT_TIMESTAMP', {
        Timestamp: new Date(Date.now() - HOUR_MS),
      }),
    });
    const latest = await sameRecords({ ShardIterator: await iteratorFor(client, stream, shard, 'LATEST') });
    await putRecords(client, stream, mixedEntries(3));
    const afterLatest = await sameRecords({ ShardIterator: latest.NextShardIterator });
    // Assert
    expect(trim.Records.map((r) => r.SequenceNumber)).toEqual(seqs);
    expect(atSeq.Records[0]!.SequenceNumber).toBe(seqs[3]);
    expect(afterSeq.Records[0]!.SequenceNumber).toBe(seqs[4]);
    expect(atTime.Records).toHaveLength(10);
    expect(latest.Records).toEqual([]);
    expect(afterLatest.NextShardIterator).toBeDefined();
  });

  it('answers bad iterators, bad limits and bad bodies with kinesalite’s errors', async () => {
    // Prepare
    const stream = uniqueStream('fast-errors');
    await createStream(client, stream, 1);
    const valid = await iteratorFor(client, stream, 'shardId-000000000000', 'TRIM_HORIZON');
    const raw = Buffer.from(valid, 'base64');
    const badHeader = Buffer.from(raw);
    badHeader[7] = 2;
    const tampered = Buffer.from(raw);
    tampered[40] = tampered[40]! ^ 0xff;
    const [created, , , seq] = decodeIterator(valid);
    // Act + Assert
    const invalid = await sameError({ ShardIterator: 'garbage' }, 'InvalidArgumentException');
    expect(invalid.message).toBe('Invalid ShardIterator.');
    await sameError({ ShardIterator: randomBytes(300).toString('base64') }, 'InvalidArgumentException');
    await sameError({ ShardIterator: randomBytes(150).toString('base64') }, 'InvalidArgumentException');
    await sameError({ ShardIterator: `${valid.slice(0, -4)}` }, 'InvalidArgumentException');
    await sameError({ ShardIterator: badHeader.toString('base64') }, 'InvalidArgumentException');
    await sameError({ ShardIterator: tampered.toString('base64') }, 'InvalidArgumentException');
    await sameError({ ShardIterator: valid }, 'InvalidArgumentException', { at: created - 1_000 });
    const expired = await sameError({ ShardIterator: valid }, 'ExpiredIteratorException', {
      at: created + 300_001,
    });
    expect(expired.message).toMatch(/^Iterator expired\. The iterator was created at time /);
    await sameRecords({ ShardIterator: valid }, { at: created + 300_000 });
    const missingShard = kdb.createShardIterator(stream, 'shardId-000000000007', seq);
    const noShard = await sameError({ ShardIterator: missingShard }, 'ResourceNotFoundException');
    expect(noShard.message).toMatch(/^Shard shardId-000000000007 in stream .* does not exist$/);
    await sameError({ ShardIterator: valid, Limit: 0 }, 'ValidationException');
    await sameError({ ShardIterator: valid, Limit: 10_001 }, 'ValidationException');
    await sameError({ ShardIterator: valid, Limit: 'ten' }, 'SerializationException');
    await sameError({ ShardIterator: valid, Limit: true }, 'SerializationException');
    await sameError({ ShardIterator: 42 }, 'SerializationException');
    await sameError({ ShardIterator: 'x'.repeat(513) }, 'ValidationException');
    await sameError({}, 'ValidationException');
    await sameError('[]', 'ValidationException');
    await sameError('', 'SerializationException');
    await sameError('null', 'SerializationException');
    await sameError('{"ShardIterator":', 'SerializationException');
    const floored = await sameRecords({ ShardIterator: valid, Limit: 5.7, Unknown: 1 });
    expect(floored.Records).toEqual([]);
  });

  it('answers an iterator of a deleted stream with kinesalite’s ResourceNotFoundException', async () => {
    // Prepare
    const stream = uniqueStream('fast-deleted');
    await createStream(client, stream, 1);
    await putRecords(client, stream, mixedEntries(3));
    const iterator = await iteratorFor(client, stream, 'shardId-000000000000', 'TRIM_HORIZON');
    await client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitFor('stream deleted', async () => {
      try {
        await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
        return false;
      } catch {
        return true;
      }
    });
    // Act
    const err = await sameError({ ShardIterator: iterator }, 'ResourceNotFoundException');
    // Assert
    expect(err.message).toBe(
      `Shard shardId-000000000000 in stream ${stream} under account 000000000000 does not exist`,
    );
  });

  it('leaves requests it does not recognise to kinesalite, unread', async () => {
    // Prepare
    const stream = uniqueStream('fast-delegate');
    await createStream(client, stream, 1);
    const valid = await iteratorFor(client, stream, 'shardId-000000000000', 'TRIM_HORIZON');
    const body = { ShardIterator: valid };
    const delegated = { fastPath: false };
    // Act + Assert
    await same(body, { ...delegated, headers: { authorization: '' } });
    await same(body, {
      ...delegated,
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host' },
    });
    await same(body, { ...delegated, headers: { 'x-amz-date': '' } });
    await same(body, { ...delegated, headers: { origin: 'http://localhost:3000' } });
    await same(body, { ...delegated, path: '/?a=b' });
    await same(body, { ...delegated, headers: { 'content-type': 'application/x-amz-cbor-1.1' } });
    await same(body, { ...delegated, headers: { 'content-type': 'application/json' } });
    await same(body, { ...delegated, headers: { 'x-amz-target': 'Kinesis_20131202.GetRecord' } });
    await same(
      { StreamName: stream },
      { ...delegated, headers: { 'x-amz-target': 'Kinesis_20131202.DescribeStreamSummary' } },
    );
    // Still the fast path: a content type parameter, and a date header instead of x-amz-date.
    await same(body, { headers: { 'content-type': `${AMZ_JSON}; charset=utf-8` } });
    await same(body, { headers: { 'x-amz-date': '', date: new Date().toUTCString() } });
  });

  it('rejects a body over 7 MiB with 413 like kinesalite', async () => {
    const res = await same(Buffer.alloc(7 * 1024 * 1024 + 1, 0x20));
    expect(res.status).toBe(413);
    expect(res.body.length).toBe(0);
  });

  it('never reuses a response buffer before the socket has written it', async () => {
    // Prepare: a shard of some 20 MiB, read from different positions (every response from a pooled buffer)
    const stream = uniqueStream('fast-pool');
    await createStream(client, stream, 1);
    const seqs: string[] = [];
    for (let i = 0; i < 16; i++) seqs.push(...(await putRecords(client, stream, mixedEntries(24))));
    const shard = 'shardId-000000000000';
    const from = async (n: number) =>
      JSON.stringify({
        ShardIterator: await iteratorFor(client, stream, shard, 'AT_SEQUENCE_NUMBER', {
          StartingSequenceNumber: seqs[n]!,
        }),
      });
    const bodies = [await from(0), await from(1), await from(7), await from(100)];
    const expected = await Promise.all(bodies.map((b) => post(reference, b)));
    expect(expected[0]!.body.length).toBeGreaterThan(16 * 1024 * 1024);
    expect(expected[3]!.body.length).toBeGreaterThan(2 * 1024 * 1024);
    // Act: a client that does not read keeps the first response in flight while others go through the pool
    const held = await postHeld(fast, bodies[0]!);
    const others: [number, RawResponse][] = [];
    for (const i of [1, 2, 3, 1]) others.push([i, await post(fast, bodies[i]!)]);
    const parallel = await Promise.all([0, 1, 2, 3].map((i) => post(fast, bodies[i]!)));
    others.push(...parallel.map((r, i): [number, RawResponse] => [i, r]));
    const late = await held.read();
    // Assert
    expectSameRead(late, expected[0]!);
    for (const [i, r] of others) expectSameRead(r, expected[i]!);
  });

  it('serves every request through kinesalite’s own listener when the fast path is off', async () => {
    const k = createKinesaliteServer(EMULATOR, false);
    expect(k.server.listeners('request')).toHaveLength(1);
    const client = createKinesisClient({ endpoint: await listen(k.server) });
    try {
      await client.send(new CreateStreamCommand({ StreamName: 'off', ShardCount: 1 }));
      await client.send(
        new PutRecordsCommand({
          StreamName: 'off',
          Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }],
        }),
      );
      const [shard] = (await client.send(new ListShardsCommand({ StreamName: 'off' }))).Shards ?? [];
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: 'off',
          ShardId: shard!.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
      expect(Records).toHaveLength(1);
      expect(k.stats.fastGetRecords).toBe(0);
    } finally {
      client.destroy();
      k.server.close();
    }
  });
});

describe('retention in the fast path', () => {
  it('skips and deletes records older than the retention period like kinesalite', async () => {
    // Prepare: two stores fed the same calls at the same frozen times hold the same sequence numbers
    const fastK = createKinesaliteServer(EMULATOR);
    const refK = createKinesaliteServer(EMULATOR, false);
    const endpoints = [await listen(fastK.server), await listen(refK.server)];
    const clients = endpoints.map((endpoint) => createKinesisClient({ endpoint }));
    const stream = uniqueStream('fast-retention');
    const t0 = Date.now() - HOUR_MS;
    const [older, newer] = [mixedEntries(5), mixedEntries(5)];
    try {
      for (const c of clients) {
        await frozenAt(t0, async () => {
          await createStream(c, stream, 1);
          await putRecords(c, stream, older);
        });
        await frozenAt(t0 + 2 * HOUR_MS, () => putRecords(c, stream, newer));
      }
      const later = t0 + 25 * HOUR_MS; // the first five are past the 24 h retention, the others not
      const iterators = await frozenAt(later, () =>
        Promise.all(clients.map((c) => iteratorFor(c, stream, 'shardId-000000000000', 'TRIM_HORIZON'))),
      );
      expect(iterators[0]).toBe(iterators[1]);
      // Act
      const pages: Buffer[][] = [[], []];
      let iterator: string | undefined = iterators[0];
      for (let call = 0; call < 5 && iterator; call++) {
        const [a, b] = await frozenAt(later + call, async () => [
          await post(endpoints[0]!, JSON.stringify({ ShardIterator: iterator, Limit: 3 })),
          await post(endpoints[1]!, JSON.stringify({ ShardIterator: iterator, Limit: 3 })),
        ]);
        pages[0]!.push(a!.body);
        pages[1]!.push(b!.body);
        iterator = (JSON.parse(a!.body.toString()) as GetRecordsBody).NextShardIterator;
      }
      const again = await frozenAt(later + 10, async () => {
        const it = await iteratorFor(clients[0]!, stream, 'shardId-000000000000', 'TRIM_HORIZON');
        return post(endpoints[0]!, JSON.stringify({ ShardIterator: it }));
      });
      // Assert
      expect(fastK.stats.fastGetRecords).toBe(6);
      expect(pages[0]!.map(withoutMillisBehind)).toEqual(pages[1]!.map(withoutMillisBehind));
      // Kinesis' MillisBehindLatest: 2 h behind while the old records are skipped, then within the newest second.
      const behind = pages[0]!.map((b) => (JSON.parse(b.toString()) as GetRecordsBody).MillisBehindLatest);
      expect(behind).toEqual([2 * HOUR_MS, 0, 0, 0, 0]);
      const counts = pages[0]!.map((b) => (JSON.parse(b.toString()) as GetRecordsBody).Records.length);
      expect(counts).toEqual([0, 1, 3, 1, 0]);
      // The old ones are gone from the store.
      expect((JSON.parse(again.body.toString()) as GetRecordsBody).Records).toHaveLength(5);
    } finally {
      for (const c of clients) c.destroy();
      await close(fastK.server);
      await close(refK.server);
    }
  });
});

describe.each([
  { fastGetRecords: true, store: 'memory' },
  { fastGetRecords: true, store: 'leveldown' },
  { fastGetRecords: false, store: 'memory' },
])(
  'round trip through EmbeddedKinesis (fastGetRecords $fastGetRecords, $store)',
  ({ fastGetRecords, store }) => {
    let kinesis: EmbeddedKinesis;
    let dir: string | undefined;
    beforeAll(async () => {
      dir = store === 'leveldown' ? tempDir('fast-getrecords') : undefined;
      kinesis = await EmbeddedKinesis.start({ fastGetRecords, ...(dir ? { path: dir } : {}) });
    });
    afterAll(async () => {
      await kinesis.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('returns the exact bytes put, through the SDK and through getRecordsFast', async () => {
      // Prepare
      const stream = uniqueStream('fast-roundtrip');
      await kinesis.createStream(stream, 1);
      const payloads = [
        Buffer.alloc(0),
        Buffer.from([0]),
        Buffer.from([0x22, 0x5c, 0x7d]),
        randomBytes(1_000),
        randomBytes(1024 * 1024 - 20),
        encodeAggregatedRecord([
          { partitionKey: 'a', data: Buffer.from('{"x":1}') },
          { partitionKey: 'b', data: randomBytes(300) },
        ]),
      ];
      for (const p of payloads) {
        await putRecords(kinesis.client, stream, [{ PartitionKey: `pk-${p.length}-é`, Data: p }]);
      }
      const iterator = await iteratorFor(kinesis.client, stream, 'shardId-000000000000', 'TRIM_HORIZON');
      // Act
      const sdk = await kinesis.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const fastRead = await getRecordsFast(kinesis.client, iterator, 100);
      // Assert
      const b64 = (data: Uint8Array) => Buffer.from(data).toString('base64'); // toEqual on 1 MiB buffers is slow
      expect(sdk.Records!.map((r) => b64(r.Data!))).toEqual(payloads.map(b64));
      expect(sdk.Records!.map((r) => r.PartitionKey)).toEqual(payloads.map((p) => `pk-${p.length}-é`));
      expect(sdk.Records!.every((r) => r.ApproximateArrivalTimestamp instanceof Date)).toBe(true);
      expect(sdk.NextShardIterator).toBeDefined();
      expect(fastRead.records.map((r) => b64(r.data))).toEqual(payloads.map(b64));
      expect(fastRead.records.map((r) => r.sequenceNumber)).toEqual(
        sdk.Records!.map((r) => r.SequenceNumber),
      );
      expect(fastRead.bytes).toBe(payloads.reduce((n, p) => n + p.length, 0));
    });
  },
);
