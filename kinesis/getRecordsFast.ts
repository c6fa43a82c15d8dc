import { Readable } from 'node:stream';
import { GetRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { BufferPool } from '../common/BufferPool.js';
import type { KinesisRecordLike } from './types.js';

/** What delivery needs from a GetRecords response. */
export interface GetRecordsResult {
  /** The records, `Data` decoded. */
  readonly records: KinesisRecordLike[];
  /** Sum of the records' data bytes. */
  readonly bytes: number;
  /** Absent once a closed shard is read to its end. */
  readonly nextShardIterator: string | undefined;
  /** How far behind the tip of the shard this response is, ms. */
  readonly millisBehindLatest: number;
  /**
   * Gives the buffer behind the records' `data` back to the pool: call it once nothing refers to
   * their bytes any more (delivery copies what it keeps), or never.
   */
  readonly release: () => void;
}

interface WireRecord {
  Data: string;
  PartitionKey: string;
  SequenceNumber: string;
  ApproximateArrivalTimestamp?: number | string;
}

interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The whole response body. With a Content-Length, chunks are copied into one buffer of that size (from
 * the pool, when given) as they arrive (a list of chunks plus their concatenation would hold a response
 * twice at the peak); a body longer than announced is still read whole.
 *
 * @returns the body, and the pooled buffer holding it (to give back) if any
 */
async function collect(
  body: AsyncIterable<Uint8Array>,
  contentLength: number,
  pool: BufferPool | undefined,
): Promise<{ body: Buffer; pooled: Buffer | undefined }> {
  const chunks: Buffer[] = [];
  const sized =
    Number.isSafeInteger(contentLength) && contentLength > 0
      ? (pool?.take(contentLength) ?? Buffer.allocUnsafeSlow(contentLength))
      : undefined;
  let filled = 0;
  for await (const c of body) {
    if (sized && chunks.length === 0 && filled + c.length <= sized.length) {
      sized.set(c, filled);
      filled += c.length;
    } else {
      if (sized && chunks.length === 0) chunks.push(sized.subarray(0, filled));
      chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    }
  }
  const pooled = pool && sized;
  if (chunks.length === 0) return { body: sized ? sized.subarray(0, filled) : Buffer.alloc(0), pooled };
  // Longer than the buffer (than announced): the concatenation is a copy, so the pooled buffer is free already.
  if (pooled) pool.give(pooled);
  return { body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), pooled: undefined };
}

function arrivalMs(v: number | string | undefined): number {
  if (typeof v === 'number') return Math.round(v * 1000);
  if (typeof v === 'string') return /^\d+(\.\d+)?$/.test(v) ? Math.round(Number(v) * 1000) : Date.parse(v);
  return 0;
}

const DATA_KEY = Buffer.from('"Data":"');
const QUOTE = 0x22;

/** The response's records with their payloads decoded, and the rest of the document. */
interface ParsedBody {
  readonly doc: { Records?: WireRecord[] } & Record<string, unknown>;
  /** Decoded `Data` of each record, in order. */
  readonly data: Buffer[];
  /** The pooled buffer behind {@link data}, if any. */
  readonly pooled: Buffer | undefined;
}

/**
 * Parses a GetRecords response body without turning the base64 payloads into JavaScript strings
 * inside the document: each `"Data":"…"` value (base64 has no quote or backslash, and the byte
 * sequence `"Data":"` can only be a key in JSON text) is located with a byte search and decoded
 * straight from the response bytes into one buffer shared by the response's records; the remaining skeleton (keys, sequence numbers, iterator) is parsed with `JSON.parse`.
 * Any surprise (a record whose `Data` was not found) falls back to parsing the whole body. Nothing
 * returned refers to `body`'s bytes.
 *
 * @param body - the response body
 * @param pool - where the buffer for the payloads comes from (else a new one)
 */
export function parseBody(body: Buffer, pool?: BufferPool): ParsedBody {
  const spans: number[] = [];
  const pieces: Buffer[] = [];
  let last = 0;
  let decodedBytes = 0;
  for (let pos = body.indexOf(DATA_KEY); pos !== -1; pos = body.indexOf(DATA_KEY, pos)) {
    const start = pos + DATA_KEY.length;
    const end = body.indexOf(QUOTE, start);
    if (end === -1) break;
    spans.push(start, end);
    pieces.push(body.subarray(last, start));
    last = end;
    pos = end + 1;
    decodedBytes += Math.ceil((end - start) / 4) * 3;
  }
  pieces.push(body.subarray(last));
  const doc = JSON.parse(
    (pieces.length === 1 ? body : Buffer.concat(pieces)).toString('utf8'),
  ) as ParsedBody['doc'];
  const records = doc.Records ?? [];
  if (records.length !== spans.length / 2 || records.some((r) => r.Data !== '')) {
    // Not the layout we expected: parse everything the plain way.
    const full = JSON.parse(body.toString('utf8')) as ParsedBody['doc'];
    return {
      doc: full,
      data: (full.Records ?? []).map((r) => Buffer.from(r.Data, 'base64')),
      pooled: undefined,
    };
  }
  // One allocation for every payload of the response (each user record is a view into it).
  const out = pool?.take(decodedBytes) ?? Buffer.allocUnsafeSlow(decodedBytes);
  const data: Buffer[] = [];
  let off = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const n = out.write(body.toString('latin1', spans[i]!, spans[i + 1]!), off, 'base64');
    data.push(out.subarray(off, off + n));
    off += n;
  }
  return { doc, data, pooled: pool && out };
}

/**
 * GetRecords through the SDK (endpoint, signing, retries and error parsing unchanged) with the records
 * taken out of the successful response before the SDK deserializes it: the SDK checks each base64
 * `Data` against a regular expression and builds its output shapes, which together cost more CPU than
 * de-aggregating, parsing and validating the events. A middleware just above the HTTP handler takes the
 * payloads out of the body (see {@link parseBody}), and hands the SDK the response without records.
 *
 * @param client - Kinesis client
 * @param shardIterator - the iterator
 * @param limit - max records
 * @param pool - buffers for the response body and the payloads (see {@link GetRecordsResult.release})
 * @param signal - aborts the call (stop, or a request that takes too long)
 * @throws whatever the SDK throws for the call (ExpiredIteratorException, throttling, …)
 */
export async function getRecordsFast(
  client: KinesisClient,
  shardIterator: string,
  limit: number,
  pool?: BufferPool,
  signal?: AbortSignal,
): Promise<GetRecordsResult> {
  const command = new GetRecordsCommand({ ShardIterator: shardIterator, Limit: limit });
  let wire: WireRecord[] | undefined;
  let payloads: Buffer[] = [];
  let pooled: Buffer | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as HttpResponseLike;
      if (response.statusCode !== 200 || response.body === undefined) return result;
      const raw = await collect(
        response.body as AsyncIterable<Uint8Array>,
        Number(response.headers['content-length']),
        pool,
      );
      const parsed = parseBody(raw.body, pool);
      if (raw.pooled) pool!.give(raw.pooled);
      pooled = parsed.pooled;
      const doc = parsed.doc;
      wire = doc.Records ?? [];
      payloads = parsed.data;
      doc.Records = [];
      const rest = Buffer.from(JSON.stringify(doc));
      response.body = Readable.from([rest]);
      response.headers['content-length'] = String(rest.length);
      return result;
    },
    // Inside the SDK's deserializer (priority low within the step): sees the raw HTTP response first.
    { step: 'deserialize', priority: 'low', name: 'gridstreamGetRecordsFastPath' },
  );
  const out = await client.send(command, signal ? { abortSignal: signal } : {});
  let bytes = 0;
  const records = (wire ?? []).map((r, i) => {
    const data = payloads[i]!;
    bytes += data.length;
    return {
      data,
      partitionKey: r.PartitionKey,
      sequenceNumber: r.SequenceNumber,
      arrivalMs: arrivalMs(r.ApproximateArrivalTimestamp),
    };
  });
  return {
    records,
    bytes,
    nextShardIterator: out.NextShardIterator,
    millisBehindLatest: out.MillisBehindLatest ?? 0,
    release: () => {
      if (pooled) pool!.give(pooled);
      pooled = undefined;
    },
  };
}
