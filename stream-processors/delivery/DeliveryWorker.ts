import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { METRIC_NAMES, METRIC_SERVICES, metricDimensions } from '../../common/metrics.js';
import { createRetrier, type Retrier } from '../../common/retry/index.js';
import { createKinesisClient, KINESIS_RETRY_DEFAULTS } from '../../kinesis/index.js';
import { DATASETS } from '../../schemas/index.js';
import { BatchFlusher } from './BatchFlusher.js';
import { BufferBudget } from './BufferBudget.js';
import { CheckpointStore } from './CheckpointStore.js';
import { DELIVERY_DEFAULTS, KINESIS_READ_LIMITS } from './constants.js';
import { DeliveryConfigurationError, WorkerStateError } from './errors.js';
import { type KinesisReadSettings, KinesisSource } from './kinesisSource/index.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { ParquetWriter } from './ParquetWriter.js';
import type { ConsumerSettings } from './ShardConsumer.js';
import { SourceHealth } from './SourceHealth.js';
import { StreamDelivery } from './StreamDelivery.js';
import { StreamLease } from './StreamLease.js';
import type { RecordSourceFactory } from './source/index.js';
import type { DeliveryMetric, DeliveryStats, DeliveryWorkerOptions, StreamBinding } from './types.js';

function positive(name: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new DeliveryConfigurationError(
      `${name} must be a number in [${min}, ${max === Number.POSITIVE_INFINITY ? '∞' : max}], got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Where the worker's streams are read from: `options.source`, else Kinesis (over `options.kinesis`, or
 * over a client of the worker's own, which it destroys on stop).
 */
function sourcesOf(
  options: DeliveryWorkerOptions,
  settings: KinesisReadSettings,
  now: () => number,
): { sourceFor: RecordSourceFactory; ownKinesis?: KinesisClient } {
  if (options.source) return { sourceFor: options.source };
  const kinesis = options.kinesis ?? createKinesisClient();
  return {
    sourceFor: (ctx) =>
      new KinesisSource({
        kinesis,
        stream: ctx.stream,
        retrier: ctx.retrier,
        health: ctx.health,
        settings,
        now,
      }),
    ...(options.kinesis === undefined ? { ownKinesis: kinesis } : {}),
  };
}

/**
 * The local stand-in for Firehose: reads every shard of the `grid`, `weather` and `transactions`
 * streams, turns their JSON (KPL-aggregated or not) into Snappy Parquet with the contract's columns,
 * partitioned by event time under `raw/<dataset>/dt=…/hr=…/`, sends bad records to `errors/<type>/`,
 * and checkpoints each shard only after the objects covering it are durable — so a restart after any
 * crash neither loses nor duplicates an event. It writes a stream only while it holds the stream's
 * lease in the lake ({@link StreamLease}); a second worker on the same lake waits for it. Records come
 * from a `RecordSource` per stream: Kinesis ({@link KinesisSource}) unless `options.source` gives
 * another.
 *
 * @example
 * ```ts
 * const worker = await DeliveryWorker.create({ storage: openLakeStorage('./lake') });
 * await worker.start();
 * await worker.waitUntilDrained();
 * await worker.stop();
 * console.log(worker.stats().totals.delivered);
 * ```
 */
export class DeliveryWorker {
  readonly #streams: StreamDelivery[];
  readonly #writer: ParquetWriter;
  /** The Kinesis client the worker created (and destroys on stop), if any. */
  readonly #ownKinesis: KinesisClient | undefined;
  readonly #syncIntervalMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #health: SourceHealth;
  readonly #gaugeIntervalMs: number;
  readonly #onMetric: ((metric: DeliveryMetric) => void) | undefined;
  #gaugeTimer: NodeJS.Timeout | undefined;
  #state: 'created' | 'running' | 'stopping' | 'stopped' = 'created';
  #failure: unknown;
  #timer: NodeJS.Timeout | undefined;
  #changed: (() => void)[] = [];
  #stopPromise: Promise<void> | undefined;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;
  #rejectDone!: (err: unknown) => void;

  private constructor(
    streams: (w: DeliveryWorker) => StreamDelivery[],
    writer: ParquetWriter,
    ownKinesis: KinesisClient | undefined,
    syncIntervalMs: number,
    now: () => number,
    health: SourceHealth,
    gaugeIntervalMs: number,
    onMetric: ((metric: DeliveryMetric) => void) | undefined,
  ) {
    this.#health = health;
    this.#gaugeIntervalMs = gaugeIntervalMs;
    this.#onMetric = onMetric;
    this.#writer = writer;
    this.#ownKinesis = ownKinesis;
    this.#syncIntervalMs = syncIntervalMs;
    this.#now = now;
    this.#startedAt = now();
    this.#done = new Promise((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // Callers that only await stop() must not see an unhandled rejection.
    this.#done.catch(() => undefined);
    this.#streams = streams(this);
  }

  /**
   * Validates the options (before any network call) and prepares the worker.
   *
   * @param options - storage and tuning; see {@link DeliveryWorkerOptions} for defaults
   * @throws DeliveryConfigurationError naming the offending option and value
   */
  public static async create(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
    const d = DELIVERY_DEFAULTS;
    const settings: ConsumerSettings = {
      bufferIntervalMs: positive('bufferIntervalMs', options.bufferIntervalMs ?? d.bufferIntervalMs, 0),
      bufferSizeBytes: positive('bufferSizeBytes', options.bufferSizeBytes ?? d.bufferSizeBytes, 1),
      idlePollIntervalMs: positive(
        'idlePollIntervalMs',
        options.idlePollIntervalMs ?? d.idlePollIntervalMs,
        0,
      ),
      maxEventBytes: positive('maxEventBytes', options.maxEventBytes ?? d.maxEventBytes, 1),
    };
    const readSettings: KinesisReadSettings = {
      maxRecordsPerCall: positive(
        'maxRecordsPerCall',
        options.maxRecordsPerCall ?? d.maxRecordsPerCall,
        1,
        KINESIS_READ_LIMITS.maxRecordsPerGetRecords,
      ),
      minCallIntervalMs: positive('minCallIntervalMs', options.minCallIntervalMs ?? d.minCallIntervalMs, 0),
      targetBytesPerCall: positive(
        'targetBytesPerCall',
        options.targetBytesPerCall ?? d.targetBytesPerCall,
        1,
        KINESIS_READ_LIMITS.maxBytesPerGetRecords,
      ),
    };
    const syncIntervalMs = positive(
      'shardSyncIntervalMs',
      options.shardSyncIntervalMs ?? d.shardSyncIntervalMs,
      100,
    );
    const bindings: StreamBinding[] = [...(options.streams ?? DATASETS.map((dataset) => ({ dataset })))];
    if (bindings.length === 0) throw new DeliveryConfigurationError('streams must name at least one stream');
    const names = bindings.map((b) => b.streamName ?? b.dataset);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new DeliveryConfigurationError(`stream ${dup} is listed twice`);
    for (const b of bindings) {
      if (!(DATASETS as readonly string[]).includes(b.dataset)) {
        throw new DeliveryConfigurationError(
          `unknown dataset ${JSON.stringify(b.dataset)}; expected one of ${DATASETS.join(', ')}`,
        );
      }
    }
    const retrier: Retrier = options.retrier ?? createRetrier(KINESIS_RETRY_DEFAULTS);
    const now = options.now ?? Date.now;
    const health = new SourceHealth(now, {
      // Infinity (never give up) is the default and allowed.
      giveUpAfterMs:
        (options.sourceGiveUpAfterMs ?? d.sourceGiveUpAfterMs) === Number.POSITIVE_INFINITY
          ? Number.POSITIVE_INFINITY
          : positive('sourceGiveUpAfterMs', options.sourceGiveUpAfterMs ?? d.sourceGiveUpAfterMs, 0),
      neverReachedGiveUpMs: positive(
        'sourceNeverReachedGiveUpMs',
        options.sourceNeverReachedGiveUpMs ?? d.sourceNeverReachedGiveUpMs,
        0,
      ),
    });
    const gaugeIntervalMs = positive('gaugeIntervalMs', options.gaugeIntervalMs ?? d.gaugeIntervalMs, 100);
    const writer = await ParquetWriter.create({
      concurrency: positive('maxConcurrentWrites', options.maxConcurrentWrites ?? d.maxConcurrentWrites, 1),
      threads: positive('duckDbThreads', options.duckDbThreads ?? d.duckDbThreads, 1),
      maxObjectBytes: 2 * settings.maxEventBytes + 1024 * 1024,
    });
    const leaseTtlMs = positive('leaseTtlMs', options.leaseTtlMs ?? d.leaseTtlMs, 300);
    const leaseHeartbeatMs = positive(
      'leaseHeartbeatMs',
      options.leaseHeartbeatMs ?? Math.min(d.leaseHeartbeatMs, Math.floor(leaseTtlMs / 5)),
      50,
      Math.floor(leaseTtlMs / 3),
    );
    const { sourceFor, ownKinesis } = sourcesOf(options, readSettings, now);
    const deliveries = new Map<string, StreamDelivery>();
    const sources = new Map(
      bindings.map((b) => {
        const stream = b.streamName ?? b.dataset;
        return [
          stream,
          sourceFor({
            stream,
            dataset: b.dataset,
            retrier,
            health,
            onPartitionsChanged: () => {
              deliveries
                .get(stream)
                ?.sync()
                .catch(() => undefined);
            },
          }),
        ] as const;
      }),
    );
    // One lease per stream: a second worker on the same lake and stream waits for it. A source whose
    // partitions a consumer group shares among workers is fenced per partition instead.
    const onLease = options.onLease ?? options.onWarning;
    const leases = new Map(
      names
        .filter((stream) => !sources.get(stream)?.shared)
        .map((stream) => [
          stream,
          new StreamLease({
            storage: options.storage,
            stream,
            ttlMs: leaseTtlMs,
            heartbeatMs: leaseHeartbeatMs,
            ...(onLease ? { onEvent: onLease } : {}),
            onLost: (err) => deliveries.get(stream)?.onLeaseLost(err),
          }),
        ]),
    );
    const checkpoints = new CheckpointStore(options.storage);
    const budget = new BufferBudget(
      positive('maxBufferedBytes', options.maxBufferedBytes ?? d.maxBufferedBytes, settings.bufferSizeBytes),
    );
    const flusher = new BatchFlusher({
      storage: options.storage,
      writer,
      checkpoints,
      retrier,
      ...(options.hooks ? { hooks: options.hooks } : {}),
      now,
      leaseOf: (stream, shardId) => leases.get(stream) ?? deliveries.get(stream)?.fenceOf(shardId),
      ...(options.freshnessFromMs !== undefined ? { freshnessFromMs: options.freshnessFromMs } : {}),
    });
    return new DeliveryWorker(
      (w) =>
        bindings.map((b) => {
          const stream = b.streamName ?? b.dataset;
          const delivery = new StreamDelivery({
            dataset: b.dataset,
            stream,
            source: sources.get(stream)!,
            ...(leases.has(stream) ? { lease: leases.get(stream)! } : {}),
            retrier,
            health,
            flusher,
            checkpoints,
            settings,
            budget,
            now,
            ...(options.onFlush ? { onFlush: options.onFlush } : {}),
            ...(options.onMetric ? { onMetric: options.onMetric } : {}),
            ...(options.onWarning ? { onWarning: options.onWarning } : {}),
            ...(options.onLease ? { onLease: options.onLease } : {}),
            onFailure: (err) => w.#fail(err),
            onStateChange: () => w.#notify(),
          });
          deliveries.set(stream, delivery);
          return delivery;
        }),
      writer,
      ownKinesis,
      syncIntervalMs,
      now,
      health,
      gaugeIntervalMs,
      options.onMetric,
    );
  }

  /**
   * Settles when the worker has stopped: resolves after {@link stop}, rejects with the error that
   * made it stop on its own (a shard that cannot be read, storage that keeps failing).
   */
  public get done(): Promise<void> {
    return this.#done;
  }

  #notify(): void {
    const waiters = this.#changed;
    this.#changed = [];
    for (const w of waiters) w();
  }

  #fail(err: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    this.#notify();
    this.stop().catch(() => undefined);
  }

  /**
   * Lists every stream's shards and starts reading (from the checkpoints in the lake, else from the
   * oldest record). Resolves once reading has started.
   *
   * @throws the Kinesis error when a stream does not exist or cannot be listed
   */
  public async start(): Promise<void> {
    if (this.#state !== 'created') throw new WorkerStateError(`start() called on a ${this.#state} worker`);
    this.#state = 'running';
    try {
      await Promise.all(this.#streams.map((s) => s.sync()));
    } catch (err) {
      this.#fail(err);
      throw err;
    }
    // Stopped while listing (Ctrl-C during an outage at start): nothing more to schedule.
    if (this.#state !== 'running') return;
    this.#timer = setInterval(() => {
      for (const s of this.#streams) s.sync().catch((err: unknown) => this.#fail(err));
    }, this.#syncIntervalMs);
    this.#timer.unref();
    if (this.#onMetric) {
      this.#gaugeTimer = setInterval(() => this.#emitGauges(), this.#gaugeIntervalMs);
      this.#gaugeTimer.unref();
    }
  }

  /** Per-stream gauges that must be seen also while nothing is flushed (an outage). */
  #emitGauges(): void {
    const onMetric = this.#onMetric;
    if (!onMetric) return;
    const timestamp = this.#now();
    for (const s of this.#streams) {
      const st = s.stats();
      const dimensions = metricDimensions(METRIC_SERVICES.delivery, st.dataset, st.stream);
      onMetric({
        name: METRIC_NAMES.delivery.iteratorAge,
        unit: 'Milliseconds',
        value: st.iteratorAgeMs,
        dimensions,
        timestamp,
      });
      onMetric({
        name: METRIC_NAMES.delivery.kinesisUnreachable,
        unit: 'Milliseconds',
        value: st.unreachableMs,
        dimensions,
        timestamp,
      });
    }
  }

  #waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.#changed.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /**
   * Resolves once every shard of every stream is read to its tip (the last GetRecords of each open
   * shard returned nothing with MillisBehindLatest 0, every closed shard is finished, and a fresh
   * shard listing shows nothing new). What was read may still be buffered: {@link stop} makes it
   * durable.
   *
   * @throws the worker's failure, if it fails meanwhile
   */
  public async waitUntilDrained(): Promise<void> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#state !== 'running') return;
      if (this.#streams.every((s) => s.drained)) {
        await Promise.all(this.#streams.map((s) => s.sync()));
        if (this.#streams.every((s) => s.drained)) return;
      }
      // Consumers notify on every state change; the timeout only bounds a missed notification.
      await this.#waitForChange(1_000);
    }
  }

  /**
   * Stops reading, flushes every open batch, waits until everything read is durable and
   * checkpointed, and releases DuckDB (and the Kinesis client it created). Idempotent.
   */
  public stop(): Promise<void> {
    this.#stopPromise ??= (async () => {
      this.#state = 'stopping';
      if (this.#timer) clearInterval(this.#timer);
      if (this.#gaugeTimer) clearInterval(this.#gaugeTimer);
      try {
        await Promise.all(this.#streams.map((s) => s.stop()));
      } finally {
        this.#writer.close();
        this.#ownKinesis?.destroy();
        this.#state = 'stopped';
        this.#notify();
        if (this.#failure !== undefined) this.#rejectDone(this.#failure);
        else this.#resolveDone();
      }
    })();
    return this.#stopPromise;
  }

  /** Counters per stream and in total, freshness, caught-up state. */
  public stats(): DeliveryStats {
    const streams = this.#streams.map((s) => s.stats());
    const all = new LatencyHistogram();
    for (const s of this.#streams) all.merge(s.counters.freshness);
    const sum = (f: (s: (typeof streams)[number]) => number): number => streams.reduce((a, s) => a + f(s), 0);
    return {
      streams,
      totals: {
        delivered: sum((s) => s.delivered),
        rejected: sum((s) => s.rejected),
        files: sum((s) => s.files),
        errorFiles: sum((s) => s.errorFiles),
        parquetBytes: sum((s) => s.parquetBytes),
      },
      freshness: all.summary(),
      caughtUp: streams.every((s) => s.caughtUp),
      uptimeMs: this.#now() - this.#startedAt,
      source: {
        reached: this.#health.reached,
        unreachableMs: this.#health.unreachableMs,
        ...(this.#health.lastError !== undefined ? { lastError: this.#health.lastError } : {}),
        errors: this.#health.errors,
      },
    };
  }
}
