/**
 * Kinesis's per-shard write limits for the embedded emulator (kinesalite enforces none): PutRecords and
 * PutRecord calls are read here, each record's shard found from its hash key, and a record over its
 * shard's limit (see {@link ShardWriteLimiter}) is answered as Kinesis answers it:
 * - in PutRecords, an entry `{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage:
 *   'Rate exceeded for shard … in stream … under account ….' }` in its place, counted in
 *   FailedRecordCount; the others are written by kinesalite's own action (a partial failure, HTTP 200,
 *   even when every entry is throttled);
 * - a PutRecord over the limit fails whole: HTTP 400 `ProvisionedThroughputExceededException`.
 * Calls kinesalite would refuse anyway (unknown stream, bad hash key) go to its action unthrottled, so
 * its errors stay its own.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ShardMap } from '../kinesis/ShardMap.js';
import {
  type ActionValidation,
  isKinesaliteJsonCall,
  type KinesaliteError,
  readKinesaliteCall,
  requireKinesalitePart,
  type SendError,
  sendJson,
} from './kinesaliteHttp.js';
import type { ShardWriteLimiter } from './ShardWriteLimiter.js';

/** The fields of a stored stream description the limits read. */
interface PutStreamDescription {
  readonly StreamStatus: string;
  readonly Shards: readonly {
    readonly ShardId: string;
    readonly HashKeyRange: { readonly StartingHashKey: string; readonly EndingHashKey: string };
    readonly SequenceNumberRange: { readonly EndingSequenceNumber?: string };
  }[];
}

/** The parts of kinesalite's store the limits use (structurally, the store the server captured). */
export interface PutLimitStore {
  readonly metaDb: { readonly awsAccountId: string };
  getStream(name: string, cb: (err: KinesaliteError | null, stream?: PutStreamDescription) => void): void;
}

interface PutRecordsEntry {
  readonly Data: string;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string;
}
interface PutRecordsInput {
  readonly StreamName: string;
  readonly Records: readonly PutRecordsEntry[];
}
interface PutRecordInput extends PutRecordsEntry {
  readonly StreamName: string;
}
type ResultEntry =
  | { readonly ShardId: string; readonly SequenceNumber: string }
  | { readonly ErrorCode: string; readonly ErrorMessage: string };
interface PutRecordsOutput {
  readonly FailedRecordCount: number;
  readonly Records: readonly ResultEntry[];
}
type Action<I, O> = (
  store: PutLimitStore,
  data: I,
  cb: (err: KinesaliteError | null, out?: O) => void,
) => void;

const putRecordsAction = requireKinesalitePart('kinesalite/actions/putRecords') as Action<
  PutRecordsInput,
  PutRecordsOutput
>;
const putRecordAction = requireKinesalitePart('kinesalite/actions/putRecord') as Action<
  PutRecordInput,
  object
>;
const putRecordsValidation = requireKinesalitePart('kinesalite/validations/putRecords') as ActionValidation;
const putRecordValidation = requireKinesalitePart('kinesalite/validations/putRecord') as ActionValidation;

const PUT_RECORDS_TARGET = 'Kinesis_20131202.PutRecords';
const PUT_RECORD_TARGET = 'Kinesis_20131202.PutRecord';
/** The error code Kinesis gives a write over a shard's limit. */
export const THROTTLED_ERROR_CODE = 'ProvisionedThroughputExceededException';
const HASH_SPACE = 1n << 128n;

/**
 * The write call a request is, when the limits apply to it (a JSON call kinesalite would run).
 *
 * @param req - the request
 */
export function limitedPutOperation(req: IncomingMessage): 'PutRecords' | 'PutRecord' | undefined {
  const target = req.headers['x-amz-target'];
  if (target === PUT_RECORDS_TARGET) return isKinesaliteJsonCall(req, target) ? 'PutRecords' : undefined;
  if (target === PUT_RECORD_TARGET) return isKinesaliteJsonCall(req, target) ? 'PutRecord' : undefined;
  return undefined;
}

/** Shard maps by stream, rebuilt when the stream's open shards change (a reshard). */
const shardMaps = new WeakMap<PutLimitStore, Map<string, { signature: string; map: ShardMap }>>();

function shardMapOf(store: PutLimitStore, name: string, stream: PutStreamDescription): ShardMap {
  const open = stream.Shards.filter((s) => s.SequenceNumberRange.EndingSequenceNumber == null);
  const signature = open.map((s) => s.ShardId).join(',');
  let byStream = shardMaps.get(store);
  if (byStream === undefined) {
    byStream = new Map();
    shardMaps.set(store, byStream);
  }
  const cached = byStream.get(name);
  if (cached?.signature === signature) return cached.map;
  const hex = (decimal: string): string => BigInt(decimal).toString(16).padStart(32, '0');
  const map = new ShardMap(
    open.map((s) => ({
      shardId: s.ShardId,
      startingHashKey: hex(s.HashKeyRange.StartingHashKey),
      endingHashKey: hex(s.HashKeyRange.EndingHashKey),
    })),
  );
  byStream.set(name, { signature, map });
  return map;
}

/**
 * The shard a record goes to: by ExplicitHashKey when given, else the partition key's MD5.
 *
 * @returns the shard id; undefined when no open shard holds it; null when the hash key is invalid
 */
function shardOf(map: ShardMap, record: PutRecordsEntry): string | undefined | null {
  if (record.ExplicitHashKey == null) return map.shardFor(record.PartitionKey);
  let key: bigint;
  try {
    key = BigInt(record.ExplicitHashKey);
  } catch {
    return null;
  }
  if (key < 0n || key >= HASH_SPACE) return null;
  const h = key.toString(16).padStart(32, '0');
  return map.ranges.find((r) => h >= r.startingHashKey && h <= r.endingHashKey)?.shardId;
}

/** Bytes a record counts against its shard: the data (decoded) plus the partition key in UTF-8. */
function recordBytes(record: PutRecordsEntry): number {
  const b64 = record.Data;
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding + Buffer.byteLength(record.PartitionKey, 'utf8');
}

function rateExceeded(shardId: string, stream: string, account: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream} under account ${account}.`;
}

/**
 * Serves a PutRecords or PutRecord call (see {@link limitedPutOperation}) under the shard limits.
 *
 * @param store - kinesalite's store
 * @param limiter - the shards' windows
 * @param operation - which call
 * @param req - the request
 * @param res - its response
 */
export function serveLimitedPut(
  store: PutLimitStore,
  limiter: ShardWriteLimiter,
  operation: 'PutRecords' | 'PutRecord',
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (operation === 'PutRecord') {
    readKinesaliteCall<PutRecordInput>(req, res, putRecordValidation, operation, (data, sendError) => {
      decide(store, limiter, data.StreamName, [data], sendError, (_admitted, refused) => {
        if (refused.length > 0) {
          return sendError(
            Object.assign(new Error(refused[0]!.ErrorMessage), {
              statusCode: 400,
              body: { __type: THROTTLED_ERROR_CODE, message: refused[0]!.ErrorMessage },
            }),
          );
        }
        putRecordAction(store, data, (err, out) => (err ? sendError(err) : sendJson(res, 200, out)));
      });
    });
    return;
  }
  readKinesaliteCall<PutRecordsInput>(req, res, putRecordsValidation, operation, (data, sendError) => {
    decide(store, limiter, data.StreamName, data.Records, sendError, (admitted, refused) => {
      if (refused.length === 0) {
        putRecordsAction(store, data, (err, out) => (err ? sendError(err) : sendJson(res, 200, out)));
        return;
      }
      const records: ResultEntry[] = new Array(data.Records.length);
      for (const r of refused)
        records[r.index] = { ErrorCode: THROTTLED_ERROR_CODE, ErrorMessage: r.ErrorMessage };
      if (admitted.length === 0) {
        sendJson(res, 200, { FailedRecordCount: refused.length, Records: records });
        return;
      }
      const input = { ...data, Records: admitted.map((i) => data.Records[i]!) };
      putRecordsAction(store, input, (err, out) => {
        if (err) return sendError(err);
        let failed = refused.length;
        out!.Records.forEach((entry, k) => {
          records[admitted[k]!] = entry;
          if ('ErrorCode' in entry) failed += 1;
        });
        sendJson(res, 200, { FailedRecordCount: failed, Records: records });
      });
    });
  });
}

/**
 * Finds each record's shard and asks the limiter. When kinesalite would refuse the call whole (no such
 * stream, not active, a bad hash key) every record is admitted, uncounted, for its action to answer.
 */
function decide(
  store: PutLimitStore,
  limiter: ShardWriteLimiter,
  streamName: string,
  records: readonly PutRecordsEntry[],
  sendError: SendError,
  then: (admitted: number[], refused: { readonly index: number; readonly ErrorMessage: string }[]) => void,
): void {
  const all = (): void =>
    then(
      records.map((_, i) => i),
      [],
    );
  store.getStream(streamName, (err, stream) => {
    if (err || stream === undefined || !['ACTIVE', 'UPDATING'].includes(stream.StreamStatus)) return all();
    let map: ShardMap;
    try {
      map = shardMapOf(store, streamName, stream);
    } catch (e) {
      return sendError(e as Error);
    }
    const shards = records.map((r) => shardOf(map, r));
    if (shards.includes(null)) return all();
    const admitted: number[] = [];
    const refused: { index: number; ErrorMessage: string }[] = [];
    shards.forEach((shardId, i) => {
      // A key in no open shard's range (a reshard in flight): kinesalite places it, uncounted.
      if (shardId == null || limiter.admit(`${streamName}/${shardId}`, recordBytes(records[i]!))) {
        admitted.push(i);
      } else {
        refused.push({
          index: i,
          ErrorMessage: rateExceeded(shardId, streamName, store.metaDb.awsAccountId),
        });
      }
    });
    then(admitted, refused);
  });
}
