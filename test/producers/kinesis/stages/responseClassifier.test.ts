import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import {
  THROTTLING_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
  TRANSIENT_NETWORK_CODES,
} from '../../../../common/retry/index.js';
import { RetriesExhaustedError } from '../../../../producers/kinesis/errors.js';
import {
  MISSING_RESULT_ENTRY,
  ResponseClassifier,
} from '../../../../producers/kinesis/ResponseClassifier.js';
import type { SinkEntry } from '../../../../producers/kinesis/types.js';
import { bufferedRecord, sinkEntry } from './stageFixtures.js';

const classifier = new ResponseClassifier({ recordTtlMs: 300_000 });
const ok = (shard = 'shardId-0'): PutRecordsResultEntry => ({ ShardId: shard, SequenceNumber: '1' });
const failed = (code: string): PutRecordsResultEntry => ({ ErrorCode: code, ErrorMessage: `${code} text` });

/** Classifies one entry answered with `result`; names the bucket it landed in. */
function bucketOf(result: PutRecordsResultEntry | undefined): string {
  const entry = sinkEntry();
  const v = classifier.classifyEntries([entry], result === undefined ? [] : [result]);
  const buckets = [
    v.acknowledged.includes(entry) && 'acknowledged',
    v.retry.includes(entry) && 'retry',
    v.throttled.includes(entry) && 'throttled',
    v.refused.some((r) => r.entry === entry) && 'refused',
  ].filter(Boolean);
  return buckets.join('+');
}

function named(name: string, extra: Record<string, unknown> = {}): Error {
  const e = new Error('message text is never inspected');
  e.name = name;
  return Object.assign(e, extra);
}

const transientOnly = [...TRANSIENT_ERROR_NAMES].filter((n) => !THROTTLING_ERROR_NAMES.has(n));
const permanent = [
  'AccessDeniedException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'InvalidArgumentException',
  'ValidationException',
];

describe('ResponseClassifier: PutRecords result entries', () => {
  it('acknowledges an entry without an ErrorCode', () => {
    expect(bucketOf(ok())).toBe('acknowledged');
  });

  it.each([...THROTTLING_ERROR_NAMES])('retries and counts as throttled: %s', (code) => {
    expect(bucketOf(failed(code))).toBe('retry+throttled');
  });

  it.each(transientOnly)('retries, not throttled: %s', (code) => {
    expect(bucketOf(failed(code))).toBe('retry');
  });

  it('retries an entry the answer left out (a short Records array)', () => {
    expect(bucketOf(undefined)).toBe('retry');
    const v = classifier.classifyEntries([sinkEntry()], []);
    expect(v.firstErrorCode).toBe(MISSING_RESULT_ENTRY);
  });

  it.each(permanent)('refuses for good, with the code and message as the reason: %s', (code) => {
    expect(bucketOf(failed(code))).toBe('refused');
    const v = classifier.classifyEntries([sinkEntry()], [failed(code)]);
    expect(v.refused[0]!.reason).toBe(`Kinesis refused the record: ${code} ${code} text`);
  });

  it('classifies a mixed answer entry by entry, in order, and reports the first error code', () => {
    // Prepare
    const entries = Array.from({ length: 6 }, (_, i) => sinkEntry({ users: [bufferedRecord(`k${i}`, i)] }));
    const results = [
      ok(),
      failed('InternalFailure'),
      ok(),
      failed('ProvisionedThroughputExceededException'),
      failed('AccessDeniedException'),
      ok(),
    ];
    // Act
    const v = classifier.classifyEntries(entries, results);
    // Assess
    const ids = (list: readonly SinkEntry[]) => list.map((e) => e.users[0]!.eventId);
    expect(ids(v.acknowledged)).toEqual(['e-0', 'e-2', 'e-5']);
    expect(ids(v.retry)).toEqual(['e-1', 'e-3']);
    expect(ids(v.throttled)).toEqual(['e-3']);
    expect(ids(v.refused.map((r) => r.entry))).toEqual(['e-4']);
    expect(v.firstErrorCode).toBe('InternalFailure');
    expect(v.resharded).toBe(false);
  });

  it('reports no error code for a clean answer', () => {
    expect(
      classifier.classifyEntries([sinkEntry(), sinkEntry()], [ok(), ok()]).firstErrorCode,
    ).toBeUndefined();
  });

  it('notices a resharding when Kinesis stores an aggregate on another shard than predicted', () => {
    const predicted = (shard: string | undefined) => sinkEntry({ predictedShard: shard });
    expect(classifier.classifyEntries([predicted('shard-1')], [ok('shard-1')]).resharded).toBe(false);
    expect(classifier.classifyEntries([predicted('shard-1')], [ok('shard-2')]).resharded).toBe(true);
    // A plain record routed by Kinesis alone predicts nothing.
    expect(classifier.classifyEntries([predicted(undefined)], [ok('shard-2')]).resharded).toBe(false);
    // A failed entry says nothing about shards.
    expect(classifier.classifyEntries([predicted('shard-1')], [failed('InternalFailure')]).resharded).toBe(
      false,
    );
  });

  it('decides on the codes it is given (no code is special-cased elsewhere)', () => {
    const custom = new ResponseClassifier({
      recordTtlMs: 1,
      codes: { throttling: new Set(['Slow']), transient: new Set(['Slow', 'Flaky']) },
    });
    const v = custom.classifyEntries(
      [sinkEntry(), sinkEntry(), sinkEntry()],
      [failed('Slow'), failed('Flaky'), failed('InternalFailure')],
    );
    expect([v.retry.length, v.throttled.length, v.refused.length]).toEqual([2, 1, 1]);
  });
});

describe('ResponseClassifier: whole-call errors', () => {
  it.each([...THROTTLING_ERROR_NAMES])('%s: retriable and throttled', (name) => {
    const e = classifier.classifyCall(named(name));
    expect({
      retriable: e.retriable,
      throttled: e.throttled,
      errorName: e.errorName,
      op: e.operation,
    }).toEqual({
      retriable: true,
      throttled: true,
      errorName: name,
      op: 'PutRecords',
    });
  });

  it.each(transientOnly)('%s: retriable, not throttled', (name) => {
    const e = classifier.classifyCall(named(name));
    expect([e.retriable, e.throttled]).toEqual([true, false]);
  });

  it.each([...TRANSIENT_NETWORK_CODES])('socket error %s: retriable, named by its code', (code) => {
    const e = classifier.classifyCall(named('Error', { code }));
    expect([e.retriable, e.throttled, e.errorName]).toEqual([true, false, code]);
  });

  it.each(['ResourceNotFoundException', ...permanent])('%s: not retriable (the sink stops)', (name) => {
    const e = classifier.classifyCall(named(name));
    expect([e.retriable, e.throttled]).toEqual([false, false]);
  });

  it('treats an HTTP 429 as throttled and a 5xx as retriable, whatever the name', () => {
    const tooMany = classifier.classifyCall(named('UnknownError', { $metadata: { httpStatusCode: 429 } }));
    const server = classifier.classifyCall(named('UnknownError', { $metadata: { httpStatusCode: 503 } }));
    expect([tooMany.retriable, tooMany.throttled]).toEqual([true, true]);
    expect([server.retriable, server.throttled]).toEqual([true, false]);
  });

  it('never retries a programming error', () => {
    expect(classifier.classifyCall(new TypeError('x is undefined')).retriable).toBe(false);
  });
});

describe('ResponseClassifier: deadlines and giving up', () => {
  it('expires an entry once now reaches its deadline, keeping the order of the rest', () => {
    // Prepare: deadlines 1000, 2000, 3000 (explicit time: no clock runs in this test)
    const entries = [1_000, 2_000, 3_000].map((deadline, i) =>
      sinkEntry({ users: [bufferedRecord('k', i, { deadline })] }),
    );
    // Act
    const before = classifier.splitExpired(entries, 999);
    const at = classifier.splitExpired(entries, 2_000);
    const after = classifier.splitExpired(entries, 3_001);
    // Assess
    expect(before.live).toBe(entries);
    expect(before.expired).toEqual([]);
    expect(at.expired.map((e) => e.deadline)).toEqual([1_000, 2_000]);
    expect(at.live.map((e) => e.deadline)).toEqual([3_000]);
    expect(after.live).toEqual([]);
    expect(after.expired).toHaveLength(3);
  });

  it('names the TTL in the expiry reason', () => {
    expect(new ResponseClassifier({ recordTtlMs: 300 }).expiredReason).toBe(
      'record TTL of 300 ms passed before Kinesis acknowledged it',
    );
  });

  it('expires what the retrier gave up on, naming the attempts and the last error', () => {
    const v = classifier.classifyGiveUp(new RetriesExhaustedError(7, named('InternalFailure')), false);
    expect(v).toEqual({ kind: 'expired', reason: 'not acknowledged after 7 attempts (InternalFailure)' });
  });

  it('expires what the close deadline aborted, whatever the error', () => {
    const v = classifier.classifyGiveUp(named('AbortError'), true);
    expect(v).toEqual({ kind: 'expired', reason: 'close deadline passed before Kinesis acknowledged it' });
  });

  it('fails what a non-retriable error stopped, with its message', () => {
    const e = classifier.classifyCall(named('ResourceNotFoundException'));
    expect(classifier.classifyGiveUp(e, false)).toEqual({ kind: 'failed', reason: e.message });
  });
});
