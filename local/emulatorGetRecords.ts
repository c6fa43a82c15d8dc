/**
 * A fast GetRecords path for the in-process kinesalite emulator (see {@link createKinesaliteServer}).
 *
 * kinesalite answers GetRecords by decoding every stored record with `JSON.parse`, adding its sequence
 * number and sending `JSON.stringify` of the whole response: for 10 MiB responses of KPL-aggregated
 * records most of the emulator's time goes into building, writing out and collecting those big strings.
 * This module serves the same bytes by splicing the stored JSON text of each record (read raw from
 * kinesalite's store) into one response buffer. Everything else about the call (validation, iterator
 * checks, errors, retention, the next iterator, the end of a closed shard) follows kinesalite's
 * `actions/getRecords.js` 3.3.3 line by line, using kinesalite's own helpers.
 *
 * @module
 */
import { createDecipheriv } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { compareSequenceNumbers } from '../kinesis/compareSequenceNumbers.js';
import { ResponseBufferPool, type SizedBody } from '../kinesis/ResponseBufferPool.js';
import { limitedPutOperation, type PutLimitStore, serveLimitedPut } from './emulatorShardLimits.js';
import {
  type ActionValidation,
  AMZ_JSON,
  isKinesaliteJsonCall,
  type KinesaliteError,
  readKinesaliteCall,
  requireKinesalitePart,
} from './kinesaliteHttp.js';
import { RecordWindow, type WindowedStreamDb } from './RecordWindow.js';
import type { ShardWriteLimiter } from './ShardWriteLimiter.js';

// ---------------------------------------------------------------------------------------------------
// The parts of kinesalite (CommonJS, untyped) used here.

/** A parsed sequence number (`db.parseSequence`); only handed back to kinesalite's own helpers. */
interface SequenceInfo {
  readonly seqTime?: number;
}

/** The fields of a stored stream description that GetRecords reads. */
interface StreamDescription {
  readonly RetentionPeriodHours: number;
  readonly Shards: readonly { readonly SequenceNumberRange: { readonly EndingSequenceNumber?: string } }[];
}

/** One entry of a stream's record store read with `valueEncoding: 'binary'`. */
interface RawEntry {
  /** `<shardIxToHex(shardIx)>/<sequenceNumber>` */
  readonly key: string;
  /** The stored JSON text, e.g. `{"PartitionKey":…,"Data":…,"ApproximateArrivalTimestamp":…}`. */
  readonly value: Buffer;
}

/** The levelup read stream, typed for the options used here. */
interface RawReadStream {
  on(event: 'data', listener: (entry: RawEntry) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'end', listener: () => void): this;
}

/** A stream's record store: a subleveldown sublevel with `valueEncoding: 'json'`. */
interface StreamDb extends Omit<WindowedStreamDb, 'batch'> {
  createReadStream(options: {
    gte: string;
    lt: string;
    limit: number;
    valueEncoding: 'binary';
  }): RawReadStream;
  batch(ops: { type: 'del'; key: string }[], cb: (err?: Error | null) => void): void;
}

/** The store kinesalite's `db.create` returns (shared by all of one server's actions). */
interface KinesaliteStore {
  readonly metaDb: { readonly awsAccountId: string };
  getStream(name: string, cb: (err: KinesaliteError | null, stream?: StreamDescription) => void): void;
  getStreamDb(name: string): StreamDb;
  deleteStreamDb(name: string, cb: (err?: Error | null) => void): void;
}

/** `require('kinesalite/db')` */
interface KinesaliteDb {
  create: (options: object) => KinesaliteStore;
  parseSequence(seq: string): SequenceInfo;
  incrementSequence(seq: SequenceInfo, seqTime: number | null): string;
  createShardIterator(streamName: string, shardId: string, seq: string): string;
  shardIxToHex(shardIx: number): string;
  clientError(type: string, msg?: string, statusCode?: number): KinesaliteError;
  readonly ITERATOR_PWD_KEY: Buffer;
  readonly ITERATOR_PWD_IV: Buffer;
}

/** Options of `kinesalite(options)` (see types/kinesalite.d.ts). */
export interface KinesaliteOptions {
  readonly createStreamMs?: number;
  readonly deleteStreamMs?: number;
  readonly updateStreamMs?: number;
  readonly shardLimit?: number;
  readonly path?: string;
}

// One CommonJS loader for kinesalite and its parts, so that `kinesalite/db` here is the very module
// object kinesalite's `require('./db')` returns (createKinesaliteServer checks that it is).
const requireHere = requireKinesalitePart;
const kinesalite = requireHere('kinesalite') as (options: KinesaliteOptions) => Server;
const kdb = requireHere('kinesalite/db') as KinesaliteDb;
const getRecordsValidation = requireHere('kinesalite/validations/getRecords') as ActionValidation;

// ---------------------------------------------------------------------------------------------------
// Server creation and request routing.

const GET_RECORDS_TARGET = 'Kinesis_20131202.GetRecords';

/** A kinesalite server, see {@link createKinesaliteServer}. */
export interface KinesaliteServer {
  /** The HTTP server (not listening yet). */
  readonly server: Server;
  /**
   * kinesalite's own request listener, bound to the same store: serves every request the kinesalite
   * way. Mount it on a second server to compare the fast path with kinesalite's responses.
   */
  readonly kinesaliteListener: RequestListener;
  /** Requests taken by the fast path so far (the rest went to kinesalite). */
  readonly stats: { readonly fastGetRecords: number };
  /**
   * Watches every record written: each shard's newest record (for MillisBehindLatest) and, once
   * started, the retention window (see {@link RecordWindow}).
   */
  readonly window: RecordWindow;
}

/**
 * Creates a kinesalite server whose GetRecords calls are served by the fast path of this module (unless
 * `fastGetRecords` is false), and, when a `shardLimits` limiter is given, its PutRecords and PutRecord
 * calls under Kinesis's per-shard write limits (`emulatorShardLimits.ts`). Every other request goes,
 * untouched and unread, to kinesalite's listener.
 *
 * kinesalite does not expose its store: it is captured by wrapping `kinesalite/db`'s `create` for the
 * duration of the (synchronous) `kinesalite(options)` call.
 *
 * Every stream store is watched by a {@link RecordWindow} (returned; call its `start` to enforce its
 * retention window), so that the fast path answers a true MillisBehindLatest.
 *
 * @param options - kinesalite's options
 * @param fastGetRecords - serve GetRecords with the fast path
 * @param window - the record window to attach the stores to
 * @param shardLimits - enforce per-shard write limits with this limiter (none: kinesalite writes everything)
 * @throws Error when the store could not be captured (a kinesalite whose layout differs from 3.3.3)
 */
export function createKinesaliteServer(
  options: KinesaliteOptions,
  fastGetRecords = true,
  window: RecordWindow = new RecordWindow(),
  shardLimits?: ShardWriteLimiter,
): KinesaliteServer {
  const create = kdb.create;
  let store: KinesaliteStore | undefined;
  let server: Server;
  kdb.create = (opts) => {
    store = create(opts);
    return store;
  };
  try {
    server = kinesalite(options);
  } finally {
    kdb.create = create;
  }
  const listeners = server.listeners('request') as RequestListener[];
  if (store === undefined || listeners.length !== 1) {
    throw new Error('kinesalite: could not capture the store (not the module layout of kinesalite 3.3.3)');
  }
  const kinesaliteListener = listeners[0]!;
  const stats = { fastGetRecords: 0 };
  const captured = store;
  // kinesalite's actions call these through the store object, so the wrappers see every stream store.
  const getStreamDb = captured.getStreamDb;
  const deleteStreamDb = captured.deleteStreamDb;
  captured.getStreamDb = (name) => {
    const db = getStreamDb(name);
    window.attach(name, db as unknown as WindowedStreamDb);
    return db;
  };
  captured.deleteStreamDb = (name, cb) => {
    window.forget(name);
    deleteStreamDb(name, cb);
  };
  // kinesalite rethrows a request's 'error' (a client that went away mid-request: ECONNRESET "aborted", as
  // when a process closes its producers while a PutRecords is in flight), which would take the whole
  // process down with it: the request is dropped instead.
  const kinesaliteGuarded = (req: IncomingMessage, res: ServerResponse): void => {
    kinesaliteListener(req, res);
    req.removeAllListeners('error');
    req.on('error', () => res.destroy());
  };
  const buffers = fastGetRecords ? new ResponseBufferPool() : undefined;
  server.removeListener('request', kinesaliteListener);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (buffers && isKinesaliteJsonCall(req, GET_RECORDS_TARGET)) {
      stats.fastGetRecords += 1;
      serveGetRecords(captured, window, buffers, req, res);
      return;
    }
    const put = shardLimits && limitedPutOperation(req);
    // The same store, typed by the stream fields the limits read.
    if (put) serveLimitedPut(captured as unknown as PutLimitStore, shardLimits, put, req, res);
    else kinesaliteGuarded(req, res);
  });
  return { server, kinesaliteListener, stats, window };
}

/** Reads the body (kinesalite's size limit), then answers like kinesalite's handler. */
function serveGetRecords(
  store: KinesaliteStore,
  window: RecordWindow,
  buffers: ResponseBufferPool,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  readKinesaliteCall<GetRecordsInput>(req, res, getRecordsValidation, 'GetRecords', (params, sendError) => {
    getRecords(store, window, params, (err, body) => {
      if (err) return sendError(err);
      res.statusCode = 200;
      res.setHeader('Content-Type', AMZ_JSON);
      try {
        buffers.end(res, body!);
      } catch (e) {
        sendError(e as Error); // a body that did not write the size it announced: a bug here
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The action (kinesalite's actions/getRecords.js, with the response built from the stored bytes).

/** The request after kinesalite's type checks and validations. */
interface GetRecordsInput {
  readonly ShardIterator: string;
  readonly Limit?: number;
}

/** A record to send: its stored JSON text and sequence number. */
interface OutRecord {
  readonly value: Buffer;
  readonly seq: string;
}

const ITERATOR_EXPIRY_MS = 300_000;

function invalidShardIterator(): KinesaliteError {
  return kdb.clientError('InvalidArgumentException', 'Invalid ShardIterator.');
}

/** `Thu Jan 22 01:22:02 UTC 2015` (kinesalite's `toAmzUtcString`). */
function toAmzUtcString(date: number): string {
  const p = new Date(date).toUTCString().match(/^(.+), (.+) (.+) (.+) (.+) GMT$/)!;
  return [p[1], p[3], p[2], p[5], 'UTC', p[4]].join(' ');
}

/** What a valid shard iterator holds. */
interface DecodedIterator {
  readonly iteratorTime: number;
  readonly streamName: string;
  readonly shardId: string;
  readonly shardIx: number;
  /** The sequence number to read from (inclusive). */
  readonly seqNo: string;
  readonly seqObj: SequenceInfo;
}

/**
 * Deciphers a shard iterator with kinesalite's key and checks it as kinesalite does.
 *
 * @param shardIterator - the request's iterator
 * @param now - the request's time, ms
 * @returns the iterator's content, or the client error to send
 */
function decodeIterator(shardIterator: string, now: number): DecodedIterator | KinesaliteError {
  const buffer = Buffer.from(shardIterator, 'base64');
  if (buffer.length < 152 || buffer.length > 280 || buffer.toString('base64') !== shardIterator) {
    return invalidShardIterator();
  }
  if (buffer.subarray(0, 8).toString('hex') !== '0000000000000001') return invalidShardIterator();
  let pieces: string[];
  try {
    const decipher = createDecipheriv('aes-256-cbc', kdb.ITERATOR_PWD_KEY, kdb.ITERATOR_PWD_IV);
    pieces = Buffer.concat([decipher.update(buffer.subarray(8)), decipher.final()])
      .toString('utf8')
      .split('/');
  } catch {
    return invalidShardIterator();
  }
  if (pieces.length !== 5) return invalidShardIterator();
  const iteratorTime = +pieces[0]!;
  const streamName = pieces[1]!;
  const shardId = pieces[2]!;
  const seqNo = pieces[3]!;
  const shardIx = Number.parseInt(shardId.split('-')[1]!, 10);
  if (!/^shardId-[\d]{12}$/.test(shardId) || !(shardIx >= 0 && shardIx < 2147483648)) {
    return invalidShardIterator();
  }
  if (!(iteratorTime > 0 && iteratorTime <= now)) return invalidShardIterator();
  if (!/[a-zA-Z0-9_.-]+/.test(streamName) || !streamName.length || streamName.length > 128) {
    return invalidShardIterator();
  }
  if (now - iteratorTime > ITERATOR_EXPIRY_MS) {
    return kdb.clientError(
      'ExpiredIteratorException',
      `Iterator expired. The iterator was created at time ${toAmzUtcString(iteratorTime)} while right now it is ${toAmzUtcString(now)} which is further in the future than the tolerated delay of ${ITERATOR_EXPIRY_MS} milliseconds.`,
    );
  }
  try {
    return { iteratorTime, streamName, shardId, shardIx, seqNo, seqObj: kdb.parseSequence(seqNo) };
  } catch {
    return invalidShardIterator();
  }
}

/**
 * kinesalite's GetRecords action: the same checks, errors and results, with the response body built as
 * bytes (see {@link responseBody}).
 *
 * MillisBehindLatest is not kinesalite's (always 0 for an open shard) but Kinesis': the time between
 * the arrival of the shard's newest record and that of the last record read, 0 when the read reached
 * the newest record (see {@link millisBehindLatest}).
 *
 * @param store - the server's store
 * @param window - knows each shard's newest record
 * @param data - the validated request
 * @param callback - receives a client error (status code and body) or the response body
 */
function getRecords(
  store: KinesaliteStore,
  window: RecordWindow,
  data: GetRecordsInput,
  callback: (err: KinesaliteError | null, body?: SizedBody) => void,
): void {
  const now = Date.now();
  const iterator = decodeIterator(data.ShardIterator, now);
  if (iterator instanceof Error) {
    callback(iterator);
    return;
  }
  const { streamName, shardId, shardIx, seqNo, seqObj } = iterator;
  const notFound = `Shard ${shardId} in stream ${streamName} under account ${store.metaDb.awsAccountId} does not exist`;

  store.getStream(streamName, (err, stream) => {
    if (err) {
      if (err.name === 'NotFoundError' && err.body) err.body.message = notFound;
      return callback(err);
    }
    const shards = stream!.Shards;
    if (shardIx >= shards.length) return callback(kdb.clientError('ResourceNotFoundException', notFound));

    let done = false;
    const finish = (e: KinesaliteError | null, body?: SizedBody) => {
      if (done) return;
      done = true;
      callback(e, body);
    };
    const streamDb = store.getStreamDb(streamName);
    const cutoffTime = now - stream!.RetentionPeriodHours * 60 * 60 * 1000;
    const keysToDelete: string[] = [];
    const records: OutRecord[] = [];
    let lastSeq: string | undefined;
    let lastKey: string | undefined;
    let lastValue: Buffer | undefined;

    streamDb
      .createReadStream({
        gte: `${kdb.shardIxToHex(shardIx)}/${seqNo}`,
        lt: kdb.shardIxToHex(shardIx + 1),
        limit: data.Limit || 10000,
        valueEncoding: 'binary',
      })
      .on('error', (e) => finish(e))
      .on('data', ({ key, value }) => {
        if (done) return;
        // Too-old records count towards the limit and move the iterator, as in kinesalite.
        const seq = key.split('/')[1]!;
        let seqTime: number | undefined;
        try {
          seqTime = sequenceTime(seq);
        } catch (e) {
          // A stored key kinesalite cannot parse (it would throw out of its stream handler).
          finish(e as Error);
          return;
        }
        lastSeq = seq;
        lastKey = key;
        lastValue = value;
        if ((seqTime ?? Number.NaN) < cutoffTime) keysToDelete.push(key);
        else records.push({ value, seq });
      })
      .on('end', () => {
        if (done) return;
        const lastSeqObj = lastSeq === undefined ? undefined : kdb.parseSequence(lastSeq);
        let defaultTime = now;
        if ((seqObj.seqTime ?? Number.NaN) > defaultTime) defaultTime = seqObj.seqTime!;
        const nextSeq = kdb.incrementSequence(lastSeqObj ?? seqObj, lastSeqObj ? null : defaultTime);
        let nextShardIterator: string | undefined = kdb.createShardIterator(streamName, shardId, nextSeq);
        if (lastKey !== undefined) window.markRead(streamName, lastKey);
        let millisBehind =
          lastKey === undefined
            ? 0
            : millisBehindLatest(window, streamName, lastKey, lastValue!, sequenceTime(lastSeq!));
        const ending = shards[shardIx]!.SequenceNumberRange.EndingSequenceNumber;
        if (!records.length && ending) {
          const endSeqObj = kdb.parseSequence(ending);
          if ((seqObj.seqTime ?? Number.NaN) >= (endSeqObj.seqTime ?? Number.NaN)) {
            nextShardIterator = undefined;
            millisBehind = Math.max(0, now - endSeqObj.seqTime!);
          }
        }
        let body: SizedBody;
        try {
          body = responseBody(millisBehind, nextShardIterator, records);
        } catch (e) {
          // Only a stored value that is not JSON (kinesalite's decoding would fail the same way).
          finish(e as Error);
          return;
        }
        finish(null, body);
        if (keysToDelete.length) {
          streamDb.batch(
            keysToDelete.map((k) => ({ type: 'del', key: k })),
            (e) => {
              if (e && !/Database is not open/.test(String(e))) console.error(e.stack || e);
            },
          );
        }
      });
  });
}

const ARRIVAL_KEY = Buffer.from('"ApproximateArrivalTimestamp":');

/**
 * Kinesis' MillisBehindLatest after a read that ended at `lastKey`: how long before the shard's newest
 * record the last record read arrived; 0 when it is the newest (the reader is at the tip) or when the
 * shard's newest record is unknown (written before this process, in a persistent store).
 *
 * @param window - knows each shard's newest record
 * @param streamName - the stream
 * @param lastKey - the store key of the last record read
 * @param lastValue - its stored JSON text
 * @param seqTime - its sequence number's time (whole seconds), when the text has no arrival time
 */
function millisBehindLatest(
  window: RecordWindow,
  streamName: string,
  lastKey: string,
  lastValue: Buffer,
  seqTime: number | undefined,
): number {
  const newest = window.newest(streamName, lastKey.slice(0, lastKey.indexOf('/')));
  if (newest === undefined || compareSequenceNumbers(lastKey, newest.key) >= 0) return 0;
  const arrivalMs = arrivalTime(lastValue) ?? seqTime;
  return arrivalMs === undefined ? 0 : Math.max(0, newest.arrivalMs - arrivalMs);
}

/**
 * The `ApproximateArrivalTimestamp` (seconds, as kinesalite stores it) of a stored record text, in ms;
 * undefined when the text has none.
 */
function arrivalTime(value: Buffer): number | undefined {
  const at = value.lastIndexOf(ARRIVAL_KEY);
  if (at < 0) return undefined;
  let end = at + ARRIVAL_KEY.length;
  while (end < value.length && value[end] !== 0x2c && value[end] !== CLOSE_BRACE) end++;
  const seconds = Number(value.toString('latin1', at + ARRIVAL_KEY.length, end));
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
}

/** 2^185 and above, below 1.5 × 2^185, as hex: 47 digits starting with 2 (kinesalite's version 2). */
const VERSION_2_HEX_LENGTH = 47;

/**
 * `db.parseSequence(seq).seqTime`, without bignumber.js (~25 µs a call) for kinesalite's own
 * (version 2) sequence numbers; any other form goes to `parseSequence` itself, errors included.
 *
 * @param seq - a sequence number as stored in kinesalite's keys
 */
function sequenceTime(seq: string): number | undefined {
  if (/^\d{1,100}$/.test(seq)) {
    const hex = BigInt(seq).toString(16);
    if (
      hex.length === VERSION_2_HEX_LENGTH &&
      hex[0] === '2' &&
      hex[VERSION_2_HEX_LENGTH - 1] === '2' &&
      Number.parseInt(hex[11]!, 16) <= 7 && // else "Sequence index too high"
      Number.parseInt(hex.slice(1, 10), 16) < 16025175000 // else "Date too large"
    ) {
      return Number.parseInt(hex.slice(29, 38), 16) * 1000;
    }
  }
  return kdb.parseSequence(seq).seqTime;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const SEQUENCE_KEY = Buffer.from(',"SequenceNumber":"');
const DIGITS = /^[0-9]+$/;

/** Whether `value` is the text of a JSON object with at least one key, as JSON.stringify writes it. */
function isObjectText(value: Buffer): boolean {
  return value.length > 2 && value[0] === OPEN_BRACE && value[value.length - 1] === CLOSE_BRACE;
}

/**
 * `JSON.stringify({MillisBehindLatest, NextShardIterator, Records})` as kinesalite sends it, built from
 * the stored record texts: kinesalite's record is the stored object plus `SequenceNumber` as its last
 * key, so each record is its stored text without the closing brace, then `,"SequenceNumber":"<seq>"}`.
 *
 * @param millisBehind - MillisBehindLatest
 * @param nextShardIterator - omitted from the body when undefined (end of a closed shard)
 * @param records - stored texts and sequence numbers, in order
 * @returns the body's size, and a writer of its bytes (no per-record allocation)
 */
function responseBody(
  millisBehind: number,
  nextShardIterator: string | undefined,
  records: readonly OutRecord[],
): SizedBody {
  const iterator =
    nextShardIterator === undefined ? '' : `,"NextShardIterator":${JSON.stringify(nextShardIterator)}`;
  const head = `{"MillisBehindLatest":${JSON.stringify(millisBehind)}${iterator},"Records":[`;
  // Records that are not a stored object text with a decimal sequence number (kinesalite writes no
  // others) get their JSON text from JSON itself: the bytes that replace them, whole.
  const unusual = new Map<number, Buffer>();
  let size = Buffer.byteLength(head) + Math.max(records.length - 1, 0) + 2; // commas, `]}`
  for (let i = 0; i < records.length; i++) {
    const { value, seq } = records[i]!;
    if (isObjectText(value) && DIGITS.test(seq)) {
      size += value.length - 1 + SEQUENCE_KEY.length + seq.length + 2;
    } else {
      const text = Buffer.from(JSON.stringify(withSequenceNumber(value, seq)));
      unusual.set(i, text);
      size += text.length;
    }
  }
  return {
    size,
    writeTo(target: Buffer): void {
      let off = target.write(head, 0);
      for (let i = 0; i < records.length; i++) {
        if (i > 0) target[off++] = 0x2c; // ,
        const whole = unusual.size ? unusual.get(i) : undefined;
        if (whole) {
          off += whole.copy(target, off);
          continue;
        }
        const { value, seq } = records[i]!;
        off += value.copy(target, off, 0, value.length - 1);
        off += SEQUENCE_KEY.copy(target, off);
        off += target.write(seq, off, 'latin1');
        target[off++] = 0x22; // "
        target[off++] = CLOSE_BRACE;
      }
      target[off++] = 0x5d; // ]
      target[off++] = CLOSE_BRACE;
      if (off !== size) throw new Error(`GetRecords body: wrote ${off} bytes, sized ${size}`);
    },
  };
}

/** kinesalite's record for a stored value: the stored object with `SequenceNumber` added. */
function withSequenceNumber(value: Buffer, seq: string): unknown {
  const item: unknown = JSON.parse(value.toString());
  if (typeof item === 'object' && item !== null) (item as Record<string, unknown>).SequenceNumber = seq;
  return item;
}
