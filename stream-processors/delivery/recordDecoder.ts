// KPL aggregation is a record format, not a transport: a record without its magic bytes (every record
// of a source whose producers do not aggregate) is one user record.
import { AggregateLayout, DeaggregationError } from '../../kinesis/kplAggregation.js';
import {
  type Contract,
  type Dataset,
  EVENT_TIME_FIELD,
  type JsonTextIssue,
  PARTITION_TIME_FIELDS,
  partitionTimeOf,
} from '../../schemas/index.js';
import { ERROR_CODES, ERROR_TYPES, TIMESTAMP_RANGE_MS } from './constants.js';
import type { ShardBatch } from './ShardBatch.js';
import type { SourceRecord } from './source/index.js';
import type { ErrorCode, ErrorRecord, ErrorType } from './types.js';

/** What the decoder needs to know about the stream it reads. */
export interface DecodeContext {
  readonly dataset: Dataset;
  readonly stream: string;
  readonly shardId: string;
  readonly contract: Contract;
  /** Names of the contract's timestamp columns (range-checked). */
  readonly timestampFields: readonly string[];
  /** Larger user records are rejected. */
  readonly maxEventBytes: number;
  /** The contract's wire checker's captured values, per call (see `Contract.checkWire`). */
  readonly captured: Float64Array;
  /** Slots of `event_time` and `produced_at` in {@link captured}; -1 turns the wire fast path off. */
  readonly eventTimeSlot: number;
  readonly producedAtSlot: number;
  /** Slots of the fields that choose the partition before `event_time` (weather: `forecast_issued_at`). */
  readonly partitionTimeSlots: Int32Array;
  /** Slots of the timestamp columns in {@link captured} (range-checked on the fast path too). */
  readonly timestampSlots: Int32Array;
  /** Reused for every Kinesis record the context decodes. */
  readonly layout: AggregateLayout;
}

/**
 * Builds the decode context of a stream.
 *
 * @param dataset - dataset of the stream
 * @param stream - stream name
 * @param shardId - shard id
 * @param contract - the dataset's contract
 * @param maxEventBytes - max user-record size
 */
export function decodeContext(
  dataset: Dataset,
  stream: string,
  shardId: string,
  contract: Contract,
  maxEventBytes: number,
): DecodeContext {
  const timestampFields = contract.columns.filter((c) => c.type === 'timestamp').map((c) => c.name);
  const captures = contract.checkWire.captures;
  const timestampSlots = Int32Array.from(timestampFields, (f) => captures.indexOf(f));
  const partitionTimeSlots = Int32Array.from(
    PARTITION_TIME_FIELDS[dataset].filter((f) => f !== EVENT_TIME_FIELD),
    (f) => captures.indexOf(f),
  );
  const fast =
    captures.includes(EVENT_TIME_FIELD) &&
    captures.includes('produced_at') &&
    !timestampSlots.includes(-1) &&
    !partitionTimeSlots.includes(-1);
  return {
    dataset,
    stream,
    shardId,
    contract,
    maxEventBytes,
    timestampFields,
    captured: new Float64Array(captures.length),
    eventTimeSlot: fast ? captures.indexOf(EVENT_TIME_FIELD) : -1,
    producedAtSlot: fast ? captures.indexOf('produced_at') : -1,
    partitionTimeSlots,
    timestampSlots,
    layout: new AggregateLayout(),
  };
}

/**
 * The wire fast path: true when user record `data[start, end)` passed the contract's byte-level check
 * (so it is valid, one NDJSON line of ASCII) and its timestamps are in range; its times are then in
 * `ctx.captured`. `text` is the whole of `data` as Latin-1, shared by the Kinesis record's user records.
 */
function acceptsOnWire(data: Buffer, text: string, start: number, end: number, ctx: DecodeContext): boolean {
  if (ctx.eventTimeSlot < 0 || end - start > ctx.maxEventBytes) return false;
  const check = ctx.contract.checkWire;
  const captured = ctx.captured;
  if (!check.canonicalAt(text, start, end, captured) && !check.scan(data.subarray(start, end), captured))
    return false;
  for (let k = 0; k < ctx.timestampSlots.length; k++) {
    const v = captured[ctx.timestampSlots[k]!]!;
    if (v < TIMESTAMP_RANGE_MS.min || v > TIMESTAMP_RANGE_MS.max) return false;
  }
  return true;
}

/** The partition time of the row the wire check just captured (a null field is captured as NaN). */
function partitionTimeOnWire(ctx: DecodeContext): number {
  for (let k = 0; k < ctx.partitionTimeSlots.length; k++) {
    const v = ctx.captured[ctx.partitionTimeSlots[k]!]!;
    if (!Number.isNaN(v)) return v;
  }
  return ctx.captured[ctx.eventTimeSlot]!;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function needsReserialising(data: Uint8Array): boolean {
  // DuckDB reads newline-delimited JSON: a raw line break (legal JSON whitespace) or a BOM would break
  // the framing, so such records are written as JSON.stringify of the parsed value instead.
  // A lone CR is JSON whitespace inside the line, so only LF matters.
  if (data[0] === 0xef) return true;
  return data.indexOf(0x0a) !== -1;
}

function errorRecord(
  ctx: DecodeContext,
  record: SourceRecord,
  type: ErrorType,
  code: ErrorCode,
  message: string,
  data: Uint8Array,
  partitionKey: string,
  subSequenceNumber: number | null,
  extra: Partial<Pick<ErrorRecord, 'eventId' | 'violations'>> = {},
): ErrorRecord {
  return {
    errorType: type,
    errorCode: code,
    errorMessage: message,
    ...extra,
    dataset: ctx.dataset,
    stream: ctx.stream,
    shardId: ctx.shardId,
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber,
    partitionKey,
    arrivalTimestamp: record.arrivalMs,
    rawData: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  };
}

/**
 * De-aggregates one source record (a KPL aggregate, MD5 verified, or a single event), parses and
 * validates each user record, and adds
 * valid rows and error records to the batch. Never throws for bad data: a bad aggregate becomes one
 * `deaggregation-failed` error, a bad user record one error next to its valid neighbours.
 *
 * @param batch - the shard's open batch
 * @param record - the record as the source read it (a Kinesis record)
 * @param ctx - stream context
 * @param now - reader clock, epoch ms
 */
export function decodeRecordInto(
  batch: ShardBatch,
  record: SourceRecord,
  ctx: DecodeContext,
  now: number,
): void {
  batch.beginRecord(record.sequenceNumber, record.arrivalMs, now, record.partitionKey);
  const layout = ctx.layout;
  try {
    layout.read(record.data, record.partitionKey);
  } catch (err) {
    if (!(err instanceof DeaggregationError)) throw err;
    batch.addError(
      errorRecord(
        ctx,
        record,
        ERROR_TYPES.deaggregation,
        err.code,
        err.message,
        record.data,
        record.partitionKey,
        null,
      ),
    );
    return;
  }
  if (layout.count === 0) {
    // A valid aggregate (MD5 matches) of no user record: nothing to deliver, but a producer sent it,
    // so it leaves a trace instead of vanishing.
    batch.addError(
      errorRecord(
        ctx,
        record,
        ERROR_TYPES.deaggregation,
        ERROR_CODES.emptyAggregate,
        'KPL aggregate holds no user record (its MD5 matches): nothing to deliver; check the producer that sent it',
        record.data,
        record.partitionKey,
        null,
      ),
    );
    return;
  }
  const d = record.data;
  const data = Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  // One Latin-1 string for all the user records of the Kinesis record (the first tier of the wire
  // check matches each one in place), instead of one string per user record.
  const text = ctx.eventTimeSlot < 0 ? '' : data.toString('latin1');
  for (let i = 0; i < layout.count; i++) {
    const start = layout.starts[i]!;
    const end = layout.ends[i]!;
    if (acceptsOnWire(data, text, start, end, ctx)) {
      batch.addRow(partitionTimeOnWire(ctx), ctx.captured[ctx.producedAtSlot]!, data, start, end, i);
      continue;
    }
    // The exact path: decides every record the fast path left, and names the reason of a bad one.
    const user = data.subarray(start, end);
    const checked = checkUserRecord(user, ctx);
    if (checked.row !== undefined) {
      const row = checked.row;
      const line = needsReserialising(user) ? Buffer.from(JSON.stringify(row)) : user;
      batch.addRow(partitionTimeOf(ctx.dataset, row), row.produced_at as number, line, 0, line.length, i);
    } else {
      batch.addError(
        errorRecord(
          ctx,
          record,
          checked.type,
          checked.code,
          checked.message,
          user,
          layout.partitionKey(i),
          layout.aggregated ? i : 0,
          checked.extra,
        ),
      );
    }
  }
}

const TEXT_ISSUE_CODES: Record<JsonTextIssue['kind'], ErrorCode> = {
  too_deep: ERROR_CODES.tooDeep,
  duplicate_key: ERROR_CODES.duplicateKey,
  unpaired_surrogate: ERROR_CODES.unpairedSurrogate,
};

/**
 * Switches for tests only. `textChecks: false` lets records that `JSON.parse` and the contract accept
 * but DuckDB refuses (duplicate keys, unpaired surrogates) through to the Parquet conversion, so the
 * conversion's fallback (see `convertPartition`) is tested with real DuckDB refusals.
 *
 * @internal
 */
export const decoderTestSwitches = { textChecks: true };

type CheckResult =
  | { readonly row: Record<string, unknown> }
  | {
      readonly row?: undefined;
      readonly type: ErrorType;
      readonly code: ErrorCode;
      readonly message: string;
      readonly extra?: Partial<Pick<ErrorRecord, 'eventId' | 'violations'>>;
    };

function eventIdOf(event: unknown): Partial<Pick<ErrorRecord, 'eventId'>> {
  const id =
    event !== null && typeof event === 'object' ? (event as { event_id?: unknown }).event_id : undefined;
  return typeof id === 'string' ? { eventId: id } : {};
}

/** Size, UTF-8, JSON, contract and timestamp-range checks of one user record, in that order. */
function checkUserRecord(data: Uint8Array, ctx: DecodeContext): CheckResult {
  if (data.length > ctx.maxEventBytes) {
    return {
      type: ERROR_TYPES.processing,
      code: ERROR_CODES.recordTooLarge,
      message: `record is ${data.length} bytes, over the ${ctx.maxEventBytes}-byte limit`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return {
      type: ERROR_TYPES.formatConversion,
      code: ERROR_CODES.invalidUtf8,
      message: 'record is not valid UTF-8',
    };
  }
  // Before JSON.parse: what it would take but the lake's readers refuse (and nesting no contract
  // holds, which is never parsed or walked then). Skipped only by tests of the Parquet fallback.
  const issue = decoderTestSwitches.textChecks ? ctx.contract.inspectText(text) : undefined;
  if (issue !== undefined) {
    return {
      type: ERROR_TYPES.formatConversion,
      code: TEXT_ISSUE_CODES[issue.kind],
      message: `${issue.path || '(record)'}: ${issue.reason}`,
      extra: { violations: [{ path: issue.path, reason: issue.reason }] },
    };
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    return {
      type: ERROR_TYPES.formatConversion,
      code: ERROR_CODES.invalidJson,
      message: `record is not JSON: ${(err as Error).message}`,
    };
  }
  if (!ctx.contract.isValid(event)) {
    const violations = ctx.contract.validate(event);
    const detail =
      violations.length > 0
        ? violations.map((v) => `${v.path || '(record)'}: ${v.reason}`).join('; ')
        : 'record does not satisfy the contract';
    return {
      type: ERROR_TYPES.formatConversion,
      code: ERROR_CODES.contractViolation,
      message: `${ctx.dataset} contract: ${detail}`,
      extra: { ...eventIdOf(event), violations },
    };
  }
  const row = event as unknown as Record<string, unknown>;
  for (const f of ctx.timestampFields) {
    const v = row[f];
    if (typeof v === 'number' && (v < TIMESTAMP_RANGE_MS.min || v > TIMESTAMP_RANGE_MS.max)) {
      return {
        type: ERROR_TYPES.processing,
        code: ERROR_CODES.timestampOutOfRange,
        message: `${f}: ${String(v)} is outside years 1970..9999`,
        extra: eventIdOf(event),
      };
    }
  }
  return { row };
}
