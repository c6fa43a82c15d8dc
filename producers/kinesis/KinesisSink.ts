import { type KinesisClient, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { createRetrier, type Retrier } from '../../common/retry/index.js';
import { AggregateBuilder } from '../../kinesis/AggregateBuilder.js';
import { classifyCallError } from '../../kinesis/classifyCallError.js';
import { THROTTLING_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../../kinesis/constants.js';
import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import { KPL_OVERHEAD_BYTES } from '../../kinesis/kplAggregation.js';
import { partitionKeyOf } from '../../kinesis/partitionKeys.js';
import { ShardMap } from '../../kinesis/ShardMap.js';
import {
  type Contract,
  ContractViolationError,
  contractFor,
  type Dataset,
  type EventByDataset,
} from '../../schemas/index.js';
import { DEFAULT_REJECT_FILE, KINESIS_LIMITS, SINK_DEFAULTS } from './constants.js';
import { type EncodedRecord, encodeRecord } from './encodeRecord.js';
import {
  PartialFailureError,
  RetriesExhaustedError,
  SinkClosedError,
  SinkConfigurationError,
  SinkFailedError,
} from './errors.js';
import { RejectWriter } from './RejectWriter.js';
import { metricsModeFromEnv, SinkMetrics } from './SinkMetrics.js';
import type { CloseOptions, KinesisSinkOptions, PutOutcome, RejectionError, SinkCounters } from './types.js';

/** A user record accepted into the buffer (its deadline set on acceptance). */
type Pending = EncodedRecord;

/** One PutRecords entry: a plain record or a KPL aggregate of several user records. */
interface Entry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly size: number;
  readonly users: readonly Pending[];
  /** Shard the user records were routed to (aggregates only); checked against Kinesis' answer. */
  readonly predictedShard: string | undefined;
  readonly deadline: number;
}

interface Batch {
  entries: Entry[];
  bytes: number;
}

interface Waiter {
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

const ACCEPTED: PutOutcome = Object.freeze({ accepted: true });
/** Shard key for records sent on their own (no aggregation, unknown shard, too big to aggregate). */
const SINGLE = Symbol('single');

function positive(option: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) {
    throw new SinkConfigurationError(option, value, `a number >= ${min}`);
  }
  return value;
}

/**
 * Writes events to one Kinesis stream like the KPL does: validates each event against its contract,
 * aggregates user records per shard (KPL format), batches PutRecords (≤ 500 entries, ≤ 5 MiB), re-sends
 * only failed entries with jittered backoff, slows down when throttled, expires records after a TTL into
 * the reject file, and applies backpressure through an awaitable `put()`.
 *
 * Delivery is at least once: a retried call whose first attempt reached Kinesis duplicates records, so
 * consumers de-duplicate on `event_id`.
 *
 * @example
 * ```ts
 * const sink = new KinesisSink({ dataset: 'grid', streamName: 'grid' });
 * for (const e of events) await sink.put(e); // resolves once buffered; waits while the buffer is full
 * const totals = await sink.close({ deadlineMs: 10_000 });
 * ```
 */
export class KinesisSink<D extends Dataset = Dataset> {
  /** Dataset of the events. */
  public readonly dataset: D;
  /** Stream written to. */
  public readonly streamName: string;

  readonly #contract: Contract<D>;
  readonly #client: KinesisClient;
  readonly #ownsClient: boolean;
  readonly #aggregate: boolean;
  readonly #maxAggregatedBytes: number;
  readonly #lingerMs: number;
  readonly #ttlMs: number;
  readonly #maxBufferedBytes: number;
  readonly #maxBufferedRecords: number;
  readonly #maxConcurrency: number;
  readonly #requestTimeoutMs: number;
  readonly #closeDeadlineMs: number;
  readonly #retry: Retrier;
  readonly #rejects: RejectWriter | undefined;
  readonly #ownsRejects: boolean;
  readonly #metrics: SinkMetrics | undefined;
  readonly #metricsTimer: NodeJS.Timeout | undefined;
  readonly #partitionKey: (event: EventByDataset[D]) => string;

  readonly #counters: SinkCounters;
  readonly #builders = new Map<string, AggregateBuilder<Pending>>();
  #open: Batch = { entries: [], bytes: 0 };
  readonly #ready: Batch[] = [];
  readonly #waiters: Waiter[] = [];
  #idle: (() => void)[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #linger: NodeJS.Timeout | undefined;
  #shardMap: ShardMap | undefined;
  #shardMapLoading: Promise<ShardMap> | undefined;
  #refreshing = false;
  #closing = false;
  #closed: Promise<SinkCounters> | undefined;
  #failed: SinkFailedError | undefined;
  readonly #abort = new AbortController();

  /**
   * @param options - see {@link KinesisSinkOptions}; validated here, before any network call
   */
  public constructor(options: KinesisSinkOptions<D>) {
    const d = options.defaults ?? SINK_DEFAULTS;
    this.dataset = options.dataset;
    this.#contract = contractFor(options.dataset);
    this.streamName = options.streamName ?? options.dataset;
    if (this.streamName.length === 0) throw new SinkConfigurationError('streamName', '', 'a stream name');
    this.#aggregate = options.aggregate ?? d.aggregate;
    this.#maxAggregatedBytes = positive(
      'maxAggregatedBytes',
      options.maxAggregatedBytes ?? d.maxAggregatedBytes,
      KPL_OVERHEAD_BYTES + 16,
    );
    // The aggregate's own partition key (up to 256 characters, 1 KiB in UTF-8) counts against 1 MiB too.
    const maxAggregate = KINESIS_LIMITS.maxRecordBytes - 4 * KINESIS_LIMITS.maxPartitionKeyLength;
    if (this.#maxAggregatedBytes > maxAggregate) {
      throw new SinkConfigurationError(
        'maxAggregatedBytes',
        this.#maxAggregatedBytes,
        `at most ${maxAggregate} (the Kinesis record limit less a partition key)`,
      );
    }
    this.#lingerMs = positive('lingerMs', options.lingerMs ?? d.lingerMs, 0);
    this.#ttlMs = positive('recordTtlMs', options.recordTtlMs ?? d.recordTtlMs);
    this.#maxBufferedBytes = positive(
      'maxBufferedBytes',
      options.maxBufferedBytes ?? d.maxBufferedBytes,
      KINESIS_LIMITS.maxRecordBytes,
    );
    this.#maxBufferedRecords = positive(
      'maxBufferedRecords',
      options.maxBufferedRecords ?? d.maxBufferedRecords,
    );
    this.#maxConcurrency = positive(
      'maxConcurrentPutRecords',
      options.maxConcurrentPutRecords ?? d.maxConcurrentPutRecords,
    );
    this.#requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? d.requestTimeoutMs);
    this.#closeDeadlineMs = d.closeDeadlineMs;
    this.#retry = options.retrier ?? createRetrier({ maxRetryTimeMs: this.#ttlMs });
    this.#partitionKey = options.partitionKey ?? ((e) => partitionKeyOf(this.dataset, e));
    this.#ownsClient = options.client === undefined;
    this.#client =
      options.client ?? createKinesisClient(options.endpoint ? { endpoint: options.endpoint } : {});
    if (options.rejectWriter) {
      this.#rejects = options.rejectWriter;
      this.#ownsRejects = false;
    } else {
      const file = options.rejectFile === undefined ? DEFAULT_REJECT_FILE : options.rejectFile;
      this.#rejects = file === null ? undefined : new RejectWriter(file);
      this.#ownsRejects = true;
    }
    this.#counters = {
      produced: 0,
      accepted: 0,
      rejected: 0,
      sent: 0,
      retried: 0,
      throttled: 0,
      expired: 0,
      failed: 0,
      kinesisRecords: 0,
      putRecordsCalls: 0,
      putRecordsLatencyMsTotal: 0,
      putRecordsLatencyMsMax: 0,
      shardMapRefreshes: 0,
      bufferedRecords: 0,
      bufferedBytes: 0,
      peakBufferedRecords: 0,
      peakBufferedBytes: 0,
      blockedPuts: 0,
      inFlightCalls: 0,
      concurrencyLimit: this.#maxConcurrency,
      lowestConcurrencyLimit: this.#maxConcurrency,
    };
    if ((options.metrics ?? metricsModeFromEnv()) === 'emf') {
      const metrics = new SinkMetrics(this.dataset, this.streamName);
      this.#metrics = metrics;
      this.#metricsTimer = setInterval(
        () => metrics.publish(this.#counters),
        options.metricsIntervalMs ?? d.metricsIntervalMs,
      );
      this.#metricsTimer.unref();
    }
  }

  /**
   * Why records are being retried: the last failure of a PutRecords call or entry (`ECONNREFUSED`,
   * `ProvisionedThroughputExceededException`, …) and when it happened; undefined once a call succeeds
   * without failed entries.
   */
  public get lastError(): { readonly error: string; readonly at: number } | undefined {
    return this.#lastError;
  }

  #lastError: { readonly error: string; readonly at: number } | undefined;

  /** Live counters and gauges (read-only view; see {@link SinkCounters}). */
  public get counters(): Readonly<SinkCounters> {
    return this.#counters;
  }

  /** A copy of the counters at this instant. */
  public snapshot(): SinkCounters {
    return { ...this.#counters };
  }

  /** Whether aggregation is on. */
  public get aggregating(): boolean {
    return this.#aggregate;
  }

  /**
   * Validates, serializes and buffers one event. Resolves once the event is in the buffer (not once
   * Kinesis has it: see {@link flush}); waits while the buffer is full. An invalid or oversized event
   * is counted, written to the reject file with its reason, and reported in the outcome; it does not
   * throw, so a producer loop carries on.
   *
   * @param event - the event (any value: it is validated here)
   * @throws SinkClosedError after `close()`; SinkFailedError after a non-retriable Kinesis error
   */
  public async put(event: unknown): Promise<PutOutcome> {
    if (this.#failed) throw this.#failed;
    if (this.#closing) throw new SinkClosedError(this.streamName);
    const c = this.#counters;
    c.produced += 1;
    // Validated and serialized in one pass; the JSON is kept as a string, UTF-8 encoded once, straight
    // into the aggregate (or the plain record).
    const pending = encodeRecord(this.#contract, this.#partitionKey, event);
    if (pending instanceof Error) return this.#reject(event, pending);
    const { partitionKey, size, dataLength } = pending;
    // Reserve buffer space before any await so concurrent un-awaited puts cannot overshoot the limits.
    if (!this.#tryReserve(size)) await this.#waitForSpace(size);
    c.accepted += 1;
    pending.deadline = Date.now() + this.#ttlMs;
    let shard: string | typeof SINGLE = SINGLE;
    if (this.#aggregate && size + KPL_OVERHEAD_BYTES + 8 <= this.#maxAggregatedBytes) {
      let map = this.#shardMap;
      if (!map) {
        try {
          map = await this.#loadShardMap();
        } catch (err) {
          // Without the stream's shards nothing can be routed: stop, like a failed PutRecords would.
          this.#writeOff([pending], 'failed', `not sent: ${(err as Error).message}`);
          this.#fail(err);
          throw this.#failed;
        }
      }
      shard = map.shardFor(partitionKey) ?? SINGLE;
      if (shard === SINGLE) this.#refreshShardMap();
    }
    // Narrowing from the first line does not survive the awaits above.
    const failed = this.#failed as SinkFailedError | undefined;
    if (failed || this.#abort.signal.aborted) {
      // The sink stopped while this put waited for the shard map: account for the record, not lose it.
      this.#writeOff([pending], failed ? 'failed' : 'expired', failed?.message ?? 'close deadline');
      return ACCEPTED;
    }
    if (shard === SINGLE) this.#addEntry(this.#single(pending));
    else {
      let builder = this.#builders.get(shard);
      if (!builder) {
        builder = new AggregateBuilder<Pending>(this.#maxAggregatedBytes);
        this.#builders.set(shard, builder);
      }
      if (!builder.tryAdd(pending, pending, dataLength)) {
        this.#addEntry(this.#seal(shard, builder));
        builder.tryAdd(pending, pending, dataLength);
      }
    }
    this.#armLinger();
    return ACCEPTED;
  }

  /**
   * Sends everything buffered now (no linger) and resolves when nothing is buffered any more: every
   * accepted record is acknowledged, expired or failed (see the counters).
   *
   * @throws SinkFailedError when a non-retriable error stopped the sink
   */
  public async flush(): Promise<void> {
    this.#flushBuffers();
    if (this.#counters.bufferedRecords > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#failed) throw this.#failed;
  }

  /**
   * Stops accepting events, sends what is buffered and resolves with the final counters. Records not
   * acknowledged by the deadline are expired (counted and written to the reject file). Idempotent.
   *
   * @param options - the deadline
   */
  public close(options: CloseOptions = {}): Promise<SinkCounters> {
    this.#closed ??= this.#close(options.deadlineMs ?? this.#closeDeadlineMs);
    return this.#closed;
  }

  async #close(deadlineMs: number): Promise<SinkCounters> {
    this.#closing = true;
    const timer = setTimeout(() => this.#abort.abort(), deadlineMs);
    const aborted = new Promise<void>((resolve) =>
      this.#abort.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([this.flush().catch(() => undefined), aborted]);
    clearTimeout(timer);
    if (this.#abort.signal.aborted) {
      for (const w of this.#waiters.splice(0)) w.reject(new SinkClosedError(this.streamName));
      this.#counters.blockedPuts = 0;
      this.#writeOffBuffered(
        'expired',
        `close deadline of ${deadlineMs} ms passed before Kinesis acknowledged it`,
      );
    }
    // In-flight calls settle quickly now: they were aborted, or they finish on their own.
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = undefined;
    if (this.#metricsTimer) clearInterval(this.#metricsTimer);
    this.#metrics?.publish(this.#counters);
    if (this.#ownsRejects) await this.#rejects?.close();
    if (this.#ownsClient) this.#client.destroy();
    return this.snapshot();
  }

  #reject(event: unknown, error: RejectionError): PutOutcome {
    this.#counters.rejected += 1;
    const id = error.eventId;
    const violations = error instanceof ContractViolationError ? error.violations : [];
    this.#rejects?.writeRejected(this.dataset, id, error.message, violations, event);
    return { accepted: false, error };
  }

  #tryReserve(size: number): boolean {
    const c = this.#counters;
    if (
      this.#waiters.length > 0 ||
      (c.bufferedRecords > 0 &&
        (c.bufferedBytes + size > this.#maxBufferedBytes || c.bufferedRecords + 1 > this.#maxBufferedRecords))
    ) {
      return false;
    }
    this.#reserve(size);
    return true;
  }

  #reserve(size: number): void {
    const c = this.#counters;
    c.bufferedBytes += size;
    c.bufferedRecords += 1;
    if (c.bufferedBytes > c.peakBufferedBytes) c.peakBufferedBytes = c.bufferedBytes;
    if (c.bufferedRecords > c.peakBufferedRecords) c.peakBufferedRecords = c.bufferedRecords;
  }

  #waitForSpace(size: number): Promise<void> {
    this.#counters.blockedPuts += 1;
    // Records sitting in aggregates hold space: send them now instead of after the linger.
    this.#flushBuffers();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ size, resolve, reject });
    });
  }

  #release(users: readonly Pending[]): void {
    const c = this.#counters;
    for (const u of users) c.bufferedBytes -= u.size;
    c.bufferedRecords -= users.length;
    // Admit waiters in arrival order while they fit (the first one always fits an empty buffer).
    while (this.#waiters.length > 0) {
      const w = this.#waiters[0]!;
      const fits =
        c.bufferedRecords === 0 ||
        (c.bufferedBytes + w.size <= this.#maxBufferedBytes &&
          c.bufferedRecords + 1 <= this.#maxBufferedRecords);
      if (!fits) break;
      this.#waiters.shift();
      c.blockedPuts -= 1;
      this.#reserve(w.size);
      w.resolve();
    }
    if (c.bufferedRecords === 0 && this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  #loadShardMap(): Promise<ShardMap> {
    this.#shardMapLoading ??= ShardMap.load(this.#client, this.streamName, this.#retry).then(
      (map) => {
        this.#shardMap = map;
        return map;
      },
      (err) => {
        this.#shardMapLoading = undefined;
        throw err;
      },
    );
    return this.#shardMapLoading;
  }

  /** Reloads the shard map in the background after a resharding showed up; puts carry on meanwhile. */
  #refreshShardMap(): void {
    if (this.#refreshing || !this.#shardMap) return;
    this.#refreshing = true;
    ShardMap.load(this.#client, this.streamName, this.#retry)
      .then((map) => {
        // Aggregates built for the old shards go out as they are; new ones follow the new map.
        for (const [shard, builder] of this.#builders) {
          if (builder.count > 0) this.#addEntry(this.#seal(shard, builder));
        }
        this.#builders.clear();
        this.#shardMap = map;
        this.#counters.shardMapRefreshes += 1;
        this.#dispatch();
      })
      .catch(() => {
        // Keep the old map: routing stays correct for every shard that still exists.
      })
      .finally(() => {
        this.#refreshing = false;
      });
  }

  #single(p: Pending): Entry {
    return {
      partitionKey: p.partitionKey,
      data: Buffer.from(p.data, 'utf8'),
      size: p.size,
      users: [p],
      predictedShard: undefined,
      deadline: p.deadline,
    };
  }

  #seal(shard: string, builder: AggregateBuilder<Pending>): Entry {
    if (builder.count === 1) {
      // KPL sends a lone user record as a plain record: no aggregation overhead for consumers.
      const only = builder.items[0]!;
      builder.build();
      return { ...this.#single(only), predictedShard: shard };
    }
    const { data, items } = builder.build();
    const partitionKey = items[0]!.partitionKey;
    return {
      partitionKey,
      data,
      size: data.length + Buffer.byteLength(partitionKey),
      users: items,
      predictedShard: shard,
      deadline: items[0]!.deadline,
    };
  }

  #addEntry(entry: Entry): void {
    const open = this.#open;
    if (
      open.entries.length > 0 &&
      (open.entries.length >= KINESIS_LIMITS.maxRecordsPerPutRecords ||
        open.bytes + entry.size > KINESIS_LIMITS.maxBytesPerPutRecords)
    ) {
      this.#ready.push(open);
      this.#open = { entries: [], bytes: 0 };
    }
    this.#open.entries.push(entry);
    this.#open.bytes += entry.size;
    if (this.#open.entries.length >= KINESIS_LIMITS.maxRecordsPerPutRecords) {
      this.#ready.push(this.#open);
      this.#open = { entries: [], bytes: 0 };
    }
    if (this.#ready.length > 0) this.#dispatch();
  }

  #armLinger(): void {
    if (this.#linger !== undefined) return;
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      this.#flushBuffers();
    }, this.#lingerMs);
  }

  /** Seals every aggregate and the open batch and dispatches them. */
  #flushBuffers(): void {
    for (const [shard, builder] of this.#builders) {
      if (builder.count > 0) this.#addEntry(this.#seal(shard, builder));
    }
    if (this.#open.entries.length > 0) {
      this.#ready.push(this.#open);
      this.#open = { entries: [], bytes: 0 };
    }
    this.#dispatch();
  }

  #dispatch(): void {
    const c = this.#counters;
    while (this.#ready.length > 0 && c.inFlightCalls < c.concurrencyLimit && !this.#failed) {
      const batch = this.#ready.shift()!;
      c.inFlightCalls += 1;
      const p = this.#send(batch.entries).finally(() => {
        c.inFlightCalls -= 1;
        this.#inFlight.delete(p);
        this.#dispatch();
      });
      this.#inFlight.add(p);
    }
  }

  /** Sends one batch, re-sending only failed entries, until all are acknowledged, expired or failed. */
  async #send(entries: Entry[]): Promise<void> {
    const c = this.#counters;
    let pending = entries;
    let expiredReason = '';
    try {
      await this.#retry(async (bail, attempt) => {
        const now = Date.now();
        const live = pending.filter((e) => e.deadline > now);
        if (live.length < pending.length) {
          this.#writeOff(
            pending.filter((e) => e.deadline <= now).flatMap((e) => e.users),
            'expired',
            `record TTL of ${this.#ttlMs} ms passed before Kinesis acknowledged it`,
          );
          pending = live;
        }
        if (pending.length === 0) return;
        if (attempt > 0) for (const e of pending) c.retried += e.users.length;
        const started = performance.now();
        c.putRecordsCalls += 1;
        let records: PutRecordsResultEntry[];
        try {
          const out = await this.#client.send(
            new PutRecordsCommand({
              StreamName: this.streamName,
              Records: pending.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
            }),
            {
              abortSignal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#requestTimeoutMs)]),
            },
          );
          records = out.Records ?? [];
        } catch (err) {
          this.#recordLatency(started);
          const e = classifyCallError('PutRecords', err);
          this.#lastError = { error: e.errorName, at: Date.now() };
          if (e.throttled) {
            for (const x of pending) c.throttled += x.users.length;
            this.#onThrottled();
          }
          if (!e.retriable) bail(e);
          throw e;
        }
        this.#recordLatency(started);
        const failed: Entry[] = [];
        let throttled = 0;
        let firstCode: string | undefined;
        for (let i = 0; i < pending.length; i++) {
          const entry = pending[i]!;
          const r = records[i];
          const code = r === undefined ? 'MissingResultEntry' : r.ErrorCode;
          if (!code) {
            this.#acknowledge(entry, r!.ShardId);
            continue;
          }
          firstCode ??= code;
          if (THROTTLING_ERROR_NAMES.has(code)) {
            throttled += 1;
            c.throttled += entry.users.length;
          }
          if (TRANSIENT_ERROR_NAMES.has(code) || code === 'MissingResultEntry') failed.push(entry);
          else
            this.#writeOff(
              entry.users,
              'failed',
              `Kinesis refused the record: ${code} ${r?.ErrorMessage ?? ''}`,
            );
        }
        if (throttled > 0) this.#onThrottled();
        else this.#onSucceeded();
        this.#lastError = firstCode === undefined ? undefined : { error: firstCode, at: Date.now() };
        pending = failed;
        if (failed.length > 0) throw new PartialFailureError(failed.length, throttled, firstCode);
      }, this.#abort.signal);
    } catch (err) {
      if (pending.length === 0) return;
      const users = pending.flatMap((e) => e.users);
      if (err instanceof RetriesExhaustedError || this.#abort.signal.aborted) {
        expiredReason = this.#abort.signal.aborted
          ? 'close deadline passed before Kinesis acknowledged it'
          : `not acknowledged after ${err instanceof RetriesExhaustedError ? err.attempts : '?'} attempts (${(err as Error & { cause?: Error }).cause?.name ?? 'error'})`;
        this.#writeOff(users, 'expired', expiredReason);
        return;
      }
      // Non-retriable (stream missing, access denied, bad request): stop the sink, write everything out.
      this.#writeOff(users, 'failed', (err as Error).message);
      this.#fail(err);
    }
  }

  #recordLatency(started: number): void {
    const ms = performance.now() - started;
    const c = this.#counters;
    c.putRecordsLatencyMsTotal += ms;
    if (ms > c.putRecordsLatencyMsMax) c.putRecordsLatencyMsMax = ms;
    this.#metrics?.recordLatency(ms);
  }

  #acknowledge(entry: Entry, shardId: string | undefined): void {
    const c = this.#counters;
    c.sent += entry.users.length;
    c.kinesisRecords += 1;
    if (entry.predictedShard !== undefined && shardId !== undefined && shardId !== entry.predictedShard) {
      // Kinesis put the record elsewhere than the map predicted: the stream was resharded.
      this.#refreshShardMap();
    }
    this.#release(entry.users);
  }

  /** Additive increase, multiplicative decrease of the PutRecords concurrency (like TCP). */
  #onThrottled(): void {
    const c = this.#counters;
    c.concurrencyLimit = Math.max(1, Math.floor(c.concurrencyLimit / 2));
    if (c.concurrencyLimit < c.lowestConcurrencyLimit) c.lowestConcurrencyLimit = c.concurrencyLimit;
  }

  #onSucceeded(): void {
    const c = this.#counters;
    if (c.concurrencyLimit < this.#maxConcurrency) {
      c.concurrencyLimit += 1;
      this.#dispatch();
    }
  }

  #writeOff(users: readonly Pending[], kind: 'expired' | 'failed', reason: string): void {
    if (users.length === 0) return;
    for (const u of users) this.#rejects?.writeUnsent(kind, this.dataset, u.eventId, reason, u.data);
    this.#counters[kind] += users.length;
    this.#release(users);
  }

  /** Writes off every record not yet handed to a PutRecords call. */
  #writeOffBuffered(kind: 'expired' | 'failed', reason: string): void {
    const users: Pending[] = [];
    for (const builder of this.#builders.values()) {
      if (builder.count > 0) users.push(...builder.build().items);
    }
    for (const batch of [...this.#ready.splice(0), this.#open]) {
      for (const e of batch.entries) users.push(...e.users);
    }
    this.#open = { entries: [], bytes: 0 };
    this.#writeOff(users, kind, reason);
  }

  #fail(cause: unknown): void {
    if (this.#failed) return;
    this.#failed = new SinkFailedError(this.streamName, cause);
    for (const w of this.#waiters.splice(0)) w.reject(this.#failed);
    this.#counters.blockedPuts = 0;
    this.#writeOffBuffered('failed', `not sent: ${this.#failed.message}`);
  }
}
