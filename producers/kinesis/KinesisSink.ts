import { type KinesisClient, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { createRetrier, type Retrier } from '../../common/retry/index.js';
import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import { partitionKeyOf } from '../../kinesis/partitionKeys.js';
import { ShardMap } from '../../kinesis/ShardMap.js';
import {
  type Contract,
  ContractViolationError,
  contractFor,
  type Dataset,
  type EventByDataset,
} from '../../schemas/index.js';
import { Aggregator } from './Aggregator.js';
import { BackpressureQueue } from './BackpressureQueue.js';
import { BatchCollector } from './BatchCollector.js';
import { ConcurrencyLimiter } from './ConcurrencyLimiter.js';
import { DEFAULT_REJECT_FILE, type SinkDefaults } from './constants.js';
import { encodeRecord } from './encodeRecord.js';
import { PartialFailureError, SinkClosedError, SinkConfigurationError, SinkFailedError } from './errors.js';
import { RejectWriter } from './RejectWriter.js';
import { ResponseClassifier } from './ResponseClassifier.js';
import { ShardMapLoader } from './ShardMapLoader.js';
import { metricsModeFromEnv, SinkMetrics } from './SinkMetrics.js';
import { resolveSinkSettings } from './sinkSettings.js';
import type {
  BufferedRecord,
  CloseOptions,
  KinesisSinkOptions,
  PutOutcome,
  RejectionError,
  SettledOutcome,
  SinkCounters,
  SinkEntry,
} from './types.js';

const ACCEPTED: PutOutcome = Object.freeze({ accepted: true });

/** Every counter at zero; the stages set their own gauges' starting values. */
function zeroCounters(): SinkCounters {
  return {
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
    concurrencyLimit: 0,
    lowestConcurrencyLimit: 0,
  };
}

/** User records of some entries, in order. */
function usersOf(entries: readonly SinkEntry[]): BufferedRecord[] {
  return entries.flatMap((e) => e.users);
}

/**
 * Writes events to one Kinesis stream like the KPL does: validates each event against its contract,
 * aggregates user records per shard (KPL format), batches PutRecords (≤ 500 entries, ≤ 5 MiB), re-sends
 * only failed entries with jittered backoff, slows down when throttled, expires records after a TTL into
 * the reject file, and applies backpressure through an awaitable `put()`.
 *
 * The sink is a façade over stages a record passes in turn, each a class of its own with its own tests:
 * {@link BackpressureQueue} (buffer budget, waiting puts) → {@link Aggregator} (shard routing, KPL
 * aggregates; its map from {@link ShardMapLoader}) → {@link BatchCollector} (PutRecords batches) →
 * {@link ConcurrencyLimiter} (calls in flight, AIMD on throttles) → {@link ResponseClassifier}
 * (acknowledged, retried, refused, expired). The sink owns the timers, the client, the retrier, the
 * counters and the reject file, and wires the stages together.
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
  readonly #partitionKey: (event: EventByDataset[D]) => string;
  readonly #settings: SinkDefaults;
  readonly #client: KinesisClient;
  readonly #ownsClient: boolean;
  readonly #retry: Retrier;
  readonly #rejects: RejectWriter | undefined;
  readonly #ownsRejects: boolean;
  readonly #metrics: SinkMetrics | undefined;
  readonly #metricsTimer: NodeJS.Timeout | undefined;
  readonly #counters: SinkCounters = zeroCounters();
  readonly #onSettled: ((records: readonly BufferedRecord[], outcome: SettledOutcome) => void) | undefined;

  // The stages, in the order a record passes them.
  readonly #queue: BackpressureQueue;
  readonly #shardMaps: ShardMapLoader;
  readonly #aggregator: Aggregator;
  readonly #collector = new BatchCollector<SinkEntry>();
  readonly #limiter: ConcurrencyLimiter;
  readonly #classifier: ResponseClassifier;

  readonly #inFlight = new Set<Promise<void>>();
  #linger: NodeJS.Timeout | undefined;
  #closing = false;
  #closed: Promise<SinkCounters> | undefined;
  #failed: SinkFailedError | undefined;
  #lastError: { readonly error: string; readonly at: number } | undefined;
  readonly #abort = new AbortController();

  /**
   * @param options - see {@link KinesisSinkOptions}; validated here, before any network call
   */
  public constructor(options: KinesisSinkOptions<D>) {
    this.dataset = options.dataset;
    this.#contract = contractFor(options.dataset);
    this.streamName = options.streamName ?? options.dataset;
    if (this.streamName.length === 0) throw new SinkConfigurationError('streamName', '', 'a stream name');
    const s = resolveSinkSettings(options);
    this.#settings = s;
    this.#retry = options.retrier ?? createRetrier({ maxRetryTimeMs: s.recordTtlMs });
    this.#partitionKey = options.partitionKey ?? ((e) => partitionKeyOf(this.dataset, e));
    this.#onSettled = options.onSettled;
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

    // The queue and the limiter keep their gauges in the counters themselves: readers see them live.
    this.#queue = new BackpressureQueue(
      { maxBytes: s.maxBufferedBytes, maxRecords: s.maxBufferedRecords },
      this.#counters,
    );
    this.#aggregator = new Aggregator({
      aggregate: s.aggregate,
      maxAggregatedBytes: s.maxAggregatedBytes,
      emit: (entry) => this.#addEntry(entry),
    });
    this.#shardMaps = new ShardMapLoader(
      () => ShardMap.load(this.#client, this.streamName, this.#retry),
      (map, reloaded) => this.#useShardMap(map, reloaded),
    );
    this.#limiter = new ConcurrencyLimiter(s.maxConcurrentPutRecords, this.#counters);
    this.#classifier = new ResponseClassifier({ recordTtlMs: s.recordTtlMs });

    if ((options.metrics ?? metricsModeFromEnv()) === 'emf') {
      const metrics = new SinkMetrics(this.dataset, this.streamName);
      this.#metrics = metrics;
      this.#metricsTimer = setInterval(() => metrics.publish(this.#counters), s.metricsIntervalMs);
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
    return this.#settings.aggregate;
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
    const record = encodeRecord(this.#contract, this.#partitionKey, event);
    if (record instanceof Error) return this.#reject(event, record);
    // Reserve buffer space before any await so concurrent un-awaited puts cannot overshoot the limits.
    if (!this.#queue.tryReserve(record.size)) {
      const admitted = this.#queue.wait(record.size);
      // Records sitting in aggregates hold space: send them now instead of after the linger.
      this.#flushBuffers();
      await admitted;
    }
    c.accepted += 1;
    record.deadline = Date.now() + this.#settings.recordTtlMs;
    if (this.#aggregator.shardMap === undefined && this.#aggregator.aggregates(record.size)) {
      try {
        await this.#shardMaps.load();
      } catch (err) {
        // Without the stream's shards nothing can be routed: stop, like a failed PutRecords would.
        this.#writeOff([record], 'failed', `not sent: ${(err as Error).message}`);
        this.#fail(err);
        throw this.#failed;
      }
    }
    // Narrowing from the first line does not survive the awaits above.
    const failed = this.#failed as SinkFailedError | undefined;
    if (failed || this.#abort.signal.aborted) {
      // The sink stopped while this put waited: account for the record, not lose it.
      this.#writeOff([record], failed ? 'failed' : 'expired', failed?.message ?? 'close deadline');
      return ACCEPTED;
    }
    if (!this.#aggregator.add(record)) this.#shardMaps.refresh();
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
    if (this.#counters.bufferedRecords > 0) await this.#queue.drained();
    if (this.#failed) throw this.#failed;
  }

  /**
   * Stops accepting events, sends what is buffered and resolves with the final counters. Records not
   * acknowledged by the deadline are expired (counted and written to the reject file). Idempotent.
   *
   * @param options - the deadline
   */
  public close(options: CloseOptions = {}): Promise<SinkCounters> {
    this.#closed ??= this.#close(options.deadlineMs ?? this.#settings.closeDeadlineMs);
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
      this.#queue.rejectWaiting(new SinkClosedError(this.streamName));
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
    const violations = error instanceof ContractViolationError ? error.violations : [];
    this.#rejects?.writeRejected(this.dataset, error.eventId, error.message, violations, event);
    return { accepted: false, error };
  }

  /** A shard map arrived: the first one, or a reload after a resharding showed up. */
  #useShardMap(map: ShardMap, reloaded: boolean): void {
    // Aggregates built for the old shards go out as they are; new ones follow the new map.
    this.#aggregator.useShardMap(map);
    if (!reloaded) return;
    this.#counters.shardMapRefreshes += 1;
    this.#dispatch();
  }

  /** Aggregator → collector: an entry is complete; send when a batch is. */
  #addEntry(entry: SinkEntry): void {
    if (this.#collector.add(entry)) this.#dispatch();
  }

  #armLinger(): void {
    if (this.#linger !== undefined) return;
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      this.#flushBuffers();
    }, this.#settings.lingerMs);
  }

  /** Seals every aggregate and the open batch and dispatches them. */
  #flushBuffers(): void {
    this.#aggregator.flush();
    this.#collector.flush();
    this.#dispatch();
  }

  /** Collector → limiter: starts a call per ready batch while the limiter lets one fly. */
  #dispatch(): void {
    while (!this.#failed && this.#collector.readyCount > 0 && this.#limiter.tryAcquire()) {
      const entries = this.#collector.next()!;
      const p = this.#send(entries).finally(() => {
        this.#limiter.release();
        this.#inFlight.delete(p);
        this.#dispatch();
      });
      this.#inFlight.add(p);
    }
  }

  /** Sends one batch, re-sending only failed entries, until all are acknowledged, expired or failed. */
  async #send(entries: SinkEntry[]): Promise<void> {
    const c = this.#counters;
    let pending = entries;
    try {
      await this.#retry(async (bail, attempt) => {
        const { live, expired } = this.#classifier.splitExpired(pending, Date.now());
        if (expired.length > 0) {
          this.#writeOff(usersOf(expired), 'expired', this.#classifier.expiredReason);
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
              abortSignal: AbortSignal.any([
                this.#abort.signal,
                AbortSignal.timeout(this.#settings.requestTimeoutMs),
              ]),
            },
          );
          records = out.Records ?? [];
        } catch (err) {
          this.#recordLatency(started);
          const e = this.#classifier.classifyCall(err);
          this.#lastError = { error: e.errorName, at: Date.now() };
          if (e.throttled) {
            for (const x of pending) c.throttled += x.users.length;
            this.#limiter.onThrottled();
          }
          if (!e.retriable) bail(e);
          throw e;
        }
        this.#recordLatency(started);
        const verdict = this.#classifier.classifyEntries(pending, records);
        this.#acknowledge(verdict.acknowledged);
        // Kinesis put a record elsewhere than the map predicted: the stream was resharded.
        if (verdict.resharded) this.#shardMaps.refresh();
        for (const e of verdict.throttled) c.throttled += e.users.length;
        for (const { entry, reason } of verdict.refused) this.#writeOff(entry.users, 'failed', reason);
        if (verdict.throttled.length > 0) this.#limiter.onThrottled();
        else if (this.#limiter.onSucceeded()) this.#dispatch();
        const code = verdict.firstErrorCode;
        this.#lastError = code === undefined ? undefined : { error: code, at: Date.now() };
        pending = verdict.retry;
        if (pending.length > 0) {
          throw new PartialFailureError(pending.length, verdict.throttled.length, code);
        }
      }, this.#abort.signal);
    } catch (err) {
      if (pending.length === 0) return;
      const verdict = this.#classifier.classifyGiveUp(err, this.#abort.signal.aborted);
      this.#writeOff(usersOf(pending), verdict.kind, verdict.reason);
      // Non-retriable (stream missing, access denied, bad request): stop the sink, write everything out.
      if (verdict.kind === 'failed') this.#fail(err);
    }
  }

  #recordLatency(started: number): void {
    const ms = performance.now() - started;
    const c = this.#counters;
    c.putRecordsLatencyMsTotal += ms;
    if (ms > c.putRecordsLatencyMsMax) c.putRecordsLatencyMsMax = ms;
    this.#metrics?.recordLatency(ms);
  }

  /** Kinesis stored these entries: count them and give their room back. */
  #acknowledge(entries: readonly SinkEntry[]): void {
    if (entries.length === 0) return;
    let records = 0;
    let bytes = 0;
    for (const e of entries) {
      records += e.users.length;
      for (const u of e.users) bytes += u.size;
      this.#onSettled?.(e.users, 'acknowledged');
    }
    const c = this.#counters;
    c.sent += records;
    c.kinesisRecords += entries.length;
    this.#queue.release(records, bytes);
  }

  #writeOff(users: readonly BufferedRecord[], kind: 'expired' | 'failed', reason: string): void {
    if (users.length === 0) return;
    let bytes = 0;
    for (const u of users) {
      this.#rejects?.writeUnsent(kind, this.dataset, u.eventId, reason, u.data);
      bytes += u.size;
    }
    this.#counters[kind] += users.length;
    this.#queue.release(users.length, bytes);
    this.#onSettled?.(users, kind);
  }

  /** Writes off every record not yet handed to a PutRecords call. */
  #writeOffBuffered(kind: 'expired' | 'failed', reason: string): void {
    const users = this.#aggregator.drain();
    for (const e of this.#collector.drain()) users.push(...e.users);
    this.#writeOff(users, kind, reason);
  }

  #fail(cause: unknown): void {
    if (this.#failed) return;
    this.#failed = new SinkFailedError(this.streamName, cause);
    this.#queue.rejectWaiting(this.#failed);
    this.#writeOffBuffered('failed', `not sent: ${this.#failed.message}`);
  }
}
