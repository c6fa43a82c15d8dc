import { type KinesisClient, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { createRetrier, type Retrier } from '../../common/retry/index.js';
import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import { partitionKeyOf } from '../../kinesis/partitionKeys.js';
import { ShardMap } from '../../kinesis/ShardMap.js';
import { contractFor, type Dataset } from '../../schemas/index.js';
import { Aggregator } from './Aggregator.js';
import { BatchCollector } from './BatchCollector.js';
import { ConcurrencyLimiter } from './ConcurrencyLimiter.js';
import type { SinkDefaults } from './constants.js';
import { PartialFailureError, SinkConfigurationError } from './errors.js';
import { ResponseClassifier } from './ResponseClassifier.js';
import { ShardMapLoader } from './ShardMapLoader.js';
import { SinkCore } from './SinkCore.js';
import { resolveSinkSettings } from './sinkSettings.js';
import type {
  BufferedRecord,
  CloseOptions,
  KinesisSinkOptions,
  PutOutcome,
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

  readonly #settings: SinkDefaults;
  readonly #client: KinesisClient;
  readonly #ownsClient: boolean;
  readonly #retry: Retrier;
  readonly #counters: SinkCounters = zeroCounters();
  /** Admission, buffer limits, reject file, metrics and the close deadline, shared with the Kafka sink. */
  readonly #core: SinkCore<D>;
  readonly #onSettled: KinesisSinkOptions<D>['onSettled'];

  // The stages, in the order a record passes them (the buffer limits are the core's queue).
  readonly #shardMaps: ShardMapLoader;
  readonly #aggregator: Aggregator;
  readonly #collector = new BatchCollector<SinkEntry>();
  readonly #limiter: ConcurrencyLimiter;
  readonly #classifier: ResponseClassifier;

  readonly #inFlight = new Set<Promise<void>>();
  #linger: NodeJS.Timeout | undefined;
  #closed: Promise<SinkCounters> | undefined;
  #lastError: { readonly error: string; readonly at: number } | undefined;

  /**
   * @param options - see {@link KinesisSinkOptions}; validated here, before any network call
   */
  public constructor(options: KinesisSinkOptions<D>) {
    this.dataset = options.dataset;
    this.streamName = options.streamName ?? options.dataset;
    if (this.streamName.length === 0) throw new SinkConfigurationError('streamName', '', 'a stream name');
    const s = resolveSinkSettings(options);
    this.#settings = s;
    this.#retry = options.retrier ?? createRetrier({ maxRetryTimeMs: s.recordTtlMs });
    this.#ownsClient = options.client === undefined;
    this.#client =
      options.client ?? createKinesisClient(options.endpoint ? { endpoint: options.endpoint } : {});
    // The core's queue and the limiter keep their gauges in the counters themselves: readers see them live.
    this.#core = new SinkCore({
      dataset: this.dataset,
      target: this.streamName,
      contract: contractFor(options.dataset),
      partitionKey: options.partitionKey ?? ((e) => partitionKeyOf(this.dataset, e)),
      counters: this.#counters,
      maxBufferedBytes: s.maxBufferedBytes,
      maxBufferedRecords: s.maxBufferedRecords,
      recordTtlMs: s.recordTtlMs,
      metricsIntervalMs: s.metricsIntervalMs,
      ...(options.rejectFile !== undefined ? { rejectFile: options.rejectFile } : {}),
      ...(options.rejectWriter ? { rejectWriter: options.rejectWriter } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      service: 'Kinesis',
      ...(options.onSettled ? { onSettled: options.onSettled } : {}),
    });
    this.#onSettled = options.onSettled;
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
   * @param tag - a number given back on the record to `onSettled` (see `EncodedRecord.tag`)
   * @throws SinkClosedError after `close()`; SinkFailedError after a non-retriable Kinesis error
   */
  public async put(event: unknown, tag?: number): Promise<PutOutcome> {
    // Records sitting in aggregates hold space: a put that has to wait sends them now, not after the linger.
    let admitted = this.#core.admit(event, () => this.#flushBuffers(), tag);
    if (admitted instanceof Promise) admitted = await admitted;
    const record = admitted;
    if (!('eventId' in record)) return record;
    if (this.#aggregator.shardMap === undefined && this.#aggregator.aggregates(record.size)) {
      try {
        await this.#shardMaps.load();
      } catch (err) {
        // Without the stream's shards nothing can be routed: stop, like a failed PutRecords would.
        this.#core.writeOff([record], 'failed', `not sent: ${(err as Error).message}`);
        this.#fail(err);
        throw this.#core.failed;
      }
      if (!this.#core.afterWait(record)) return ACCEPTED;
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
    if (this.#counters.bufferedRecords > 0) await this.#core.queue.drained();
    if (this.#core.failed) throw this.#core.failed;
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
    await this.#core.close(deadlineMs, {
      flush: () => this.flush(),
      takeBuffered: () => this.#takeBuffered(),
      settle: async () => {
        // In-flight calls settle quickly now: they were aborted, or they finish on their own.
        while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
        if (this.#linger) clearTimeout(this.#linger);
        this.#linger = undefined;
      },
    });
    if (this.#ownsClient) this.#client.destroy();
    return this.snapshot();
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
    while (!this.#core.failed && this.#collector.readyCount > 0 && this.#limiter.tryAcquire()) {
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
          this.#core.writeOff(usersOf(expired), 'expired', this.#classifier.expiredReason);
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
                this.#core.abort.signal,
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
        for (const { entry, reason } of verdict.refused) this.#core.writeOff(entry.users, 'failed', reason);
        if (verdict.throttled.length > 0) this.#limiter.onThrottled();
        else if (this.#limiter.onSucceeded()) this.#dispatch();
        const code = verdict.firstErrorCode;
        this.#lastError = code === undefined ? undefined : { error: code, at: Date.now() };
        pending = verdict.retry;
        if (pending.length > 0) {
          throw new PartialFailureError(pending.length, verdict.throttled.length, code);
        }
      }, this.#core.abort.signal);
    } catch (err) {
      if (pending.length === 0) return;
      const verdict = this.#classifier.classifyGiveUp(err, this.#core.abort.signal.aborted);
      this.#core.writeOff(usersOf(pending), verdict.kind, verdict.reason);
      // Non-retriable (stream missing, access denied, bad request): stop the sink, write everything out.
      if (verdict.kind === 'failed') this.#fail(err);
    }
  }

  #recordLatency(started: number): void {
    this.#core.latency(performance.now() - started);
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
    this.#counters.kinesisRecords += entries.length;
    this.#core.acknowledged(records, bytes);
  }

  /** Takes every record not yet handed to a PutRecords call (aggregates and batches). */
  #takeBuffered(): BufferedRecord[] {
    const users = this.#aggregator.drain();
    for (const e of this.#collector.drain()) users.push(...e.users);
    return users;
  }

  #fail(cause: unknown): void {
    this.#core.fail(cause, () => this.#takeBuffered());
  }
}
