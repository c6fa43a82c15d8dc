import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { METRIC_NAMES, METRIC_SERVICES, metricDimensions } from '../../common/metrics.js';
import type { Retrier } from '../../common/retry/index.js';
import { StorageError } from '../../datalake/storage/index.js';
import { type GetRecordsResult, getRecordsFast } from '../../kinesis/getRecordsFast.js';
import { compareSequenceNumbers } from '../../kinesis/index.js';
import type { Contract, Dataset } from '../../schemas/index.js';
import type { BatchFlusher, FlushTarget } from './BatchFlusher.js';
import type { BufferBudget } from './BufferBudget.js';
import { describeSourceError, ShardReadError, SourceUnreachableError } from './errors.js';
import { decodeContext, decodeRecordInto } from './recordDecoder.js';
import { ShardBatch } from './ShardBatch.js';
import { isThrottling, type SourceHealth } from './SourceHealth.js';
import type { StreamCounters } from './StreamCounters.js';
import type { DeliveryMetric, FlushInfo, ShardCheckpoint } from './types.js';
import { Wakeable } from './Wakeable.js';

const NAMES = METRIC_NAMES.delivery;

const FIRST_CALL_LIMIT = 10;
/** Longest stretch of decoding without giving the event loop a turn, ms. */
const DECODE_SLICE_MS = 4;
/**
 * Longest wait for one Kinesis call: a connection that takes the request and never answers (a hung
 * emulator, a dead peer behind a proxy) counts as a transient failure after this, ms.
 */
const CALL_TIMEOUT_MS = 30_000;

/** Resolved timing and limits a consumer reads with. */
export interface ConsumerSettings {
  readonly bufferIntervalMs: number;
  readonly bufferSizeBytes: number;
  readonly maxRecordsPerCall: number;
  readonly minCallIntervalMs: number;
  readonly idlePollIntervalMs: number;
  readonly targetBytesPerCall: number;
  readonly maxEventBytes: number;
}

/** Everything one shard consumer works with. */
export interface ShardConsumerOptions {
  readonly kinesis: KinesisClient;
  readonly retrier: Retrier;
  /** Whether Kinesis answers; shared by the worker's calls, decides when to give up. */
  readonly health: SourceHealth;
  readonly flusher: BatchFlusher;
  readonly dataset: Dataset;
  readonly contract: Contract;
  readonly stream: string;
  readonly shardId: string;
  readonly shardStartingSequenceNumber: string;
  /** The stream's creation time, epoch ms. */
  readonly streamCreatedMs: number;
  /** The shard's valid checkpoint, if any (stale ones are dropped by the caller). */
  readonly checkpoint: ShardCheckpoint | undefined;
  readonly settings: ConsumerSettings;
  readonly counters: StreamCounters;
  /** Shared across the worker's shards. */
  readonly budget: BufferBudget;
  readonly now: () => number;
  readonly onFlush?: (info: FlushInfo) => void;
  readonly onMetric?: (metric: DeliveryMetric) => void;
  readonly onWarning?: (message: string) => void;
  /** Called whenever the consumer's drained/buffered state may have changed. */
  readonly onStateChange?: () => void;
}

/** How a consumer's run ended. */
export type ConsumerOutcome = 'finished' | 'stopped';

/**
 * Reads one shard with GetShardIterator/GetRecords within Kinesis' read quotas (≤ 5 calls/s,
 * ≤ 10,000 records per call; backoff on throttling; a fresh iterator when one expires), decodes each
 * record into the open batch, and hands full or old batches to the flusher. One batch flushes while
 * the next one fills; a third waits (backpressure). On a restart after a crash it replays the pending
 * flush range exactly, so the objects it rewrites have the same names and content.
 */
export class ShardConsumer {
  readonly #o: ShardConsumerOptions;
  readonly #sleep = new Wakeable();
  #stopping = false;
  /** Cuts Kinesis retry waits short on stop (flushes are never aborted). */
  readonly #abort = new AbortController();
  #failure: unknown;
  #inflight: Promise<void> | undefined;
  #inflightRows = 0;
  #batch: ShardBatch;
  #committed: string | null;
  #lastRead: string | undefined;
  #replayUntil: string | undefined;
  #lastCallAt = 0;
  /** Running mean of record sizes, to keep a call's response under the 10 MiB GetRecords cap. */
  #meanRecordBytes = 0;
  /** MillisBehindLatest of the last GetRecords that answered. */
  #millisBehindLatest = 0;
  /** When the last GetRecords answered, epoch ms. */
  #lastReadAt: number;
  /** Since when this shard's calls have been failing, epoch ms; undefined while they answer. */
  #failingSince: number | undefined;
  /** True when the last GetRecords found nothing more to read (or the shard ended). */
  public drained = false;
  /** True once the shard ended and everything in it is durable. */
  public finished = false;

  /** @param options - client, flusher, shard and settings */
  public constructor(options: ShardConsumerOptions) {
    this.#o = options;
    this.#batch = new ShardBatch(options.budget);
    this.#committed = options.checkpoint?.sequenceNumber ?? null;
    this.#replayUntil = options.checkpoint?.pending?.lastSequenceNumber;
    this.#lastReadAt = options.now();
  }

  /**
   * How far behind the tip of the shard the consumer is, ms: the last MillisBehindLatest, plus, while
   * GetRecords is failing, the time since the last call that answered — so the age keeps growing
   * during an outage instead of showing the last value.
   */
  public get iteratorAgeMs(): number {
    return (
      this.#millisBehindLatest + (this.#failingSince === undefined ? 0 : this.#o.now() - this.#lastReadAt)
    );
  }

  /** How long this shard's Kinesis calls have been failing, ms; 0 while they answer. */
  public get failingForMs(): number {
    return this.#failingSince === undefined ? 0 : this.#o.now() - this.#failingSince;
  }

  /** Shard id. */
  public get shardId(): string {
    return this.#o.shardId;
  }

  /** Rows read but not yet durable. */
  public get bufferedRows(): number {
    return this.#batch.rows + this.#inflightRows;
  }

  /** True when drained and nothing is waiting to be flushed. */
  public get idle(): boolean {
    return (this.drained || this.finished) && this.#batch.isEmpty && this.#inflight === undefined;
  }

  /** Asks the consumer to stop: it finishes the current call, flushes what it read, and returns. */
  public stop(): void {
    this.#stopping = true;
    this.#abort.abort();
    this.#sleep.wake();
  }

  async #getIterator(afterSequenceNumber: string | null): Promise<string> {
    const { kinesis, retrier, health, stream, shardId } = this.#o;
    const r = await health.call(
      retrier,
      this.#abort.signal,
      () =>
        this.#tracked(() =>
          kinesis.send(
            new GetShardIteratorCommand({
              StreamName: stream,
              ShardId: shardId,
              ...(afterSequenceNumber === null
                ? { ShardIteratorType: 'TRIM_HORIZON' }
                : {
                    ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
                    StartingSequenceNumber: afterSequenceNumber,
                  }),
            }),
            { abortSignal: this.#callSignal() },
          ),
        ),
      () => this.#flushIfDue(),
    );
    if (!r.ShardIterator)
      throw new ShardReadError(stream, shardId, new Error('GetShardIterator returned no iterator'));
    return r.ShardIterator;
  }

  async #pace(): Promise<void> {
    const wait = this.#lastCallAt + this.#o.settings.minCallIntervalMs - this.#o.now();
    if (wait > 0) await this.#sleep.sleep(wait);
    this.#lastCallAt = this.#o.now();
  }

  /** The stop signal, plus a timeout for one call. */
  #callSignal(): AbortSignal {
    return AbortSignal.any([this.#abort.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]);
  }

  /**
   * Runs one Kinesis call and keeps this shard's outage state: when calls start failing (one warning
   * naming the error), and when they answer again (one warning saying how long it lasted).
   */
  async #tracked<T>(call: () => Promise<T>): Promise<T> {
    let v: T;
    try {
      v = await call();
    } catch (err) {
      if (
        (err as Error).name !== 'ExpiredIteratorException' &&
        !isThrottling(err) &&
        !this.#abort.signal.aborted
      ) {
        if (this.#failingSince === undefined) {
          this.#failingSince = this.#o.now();
          this.#o.onWarning?.(
            `${this.#o.stream}/${this.#o.shardId}: Kinesis call failed (${describeSourceError(err)}); retrying until it answers`,
          );
          this.#o.onStateChange?.();
        }
      }
      throw err;
    }
    if (this.#failingSince !== undefined) {
      const s = ((this.#o.now() - this.#failingSince) / 1000).toFixed(1);
      this.#failingSince = undefined;
      this.#o.onWarning?.(`${this.#o.stream}/${this.#o.shardId}: Kinesis answers again after ${s} s`);
      this.#o.onStateChange?.();
    }
    return v;
  }

  /**
   * Between retries of a failing call: flushes the open batch once its buffer interval has passed, so
   * rows read before an outage become visible on time instead of when the outage ends.
   */
  async #flushIfDue(): Promise<void> {
    if (this.#replayUntil !== undefined || this.#batch.isEmpty) return;
    if (this.#o.now() - this.#batch.openedAt >= this.#o.settings.bufferIntervalMs) await this.#startFlush();
    this.#throwIfFailed();
  }

  #getRecords(iterator: string): Promise<GetRecordsResult | 'expired'> {
    const { kinesis, retrier, health, settings } = this.#o;
    return health.call(
      retrier,
      this.#abort.signal,
      async (attempt) => {
        if (attempt > 0) await this.#pace();
        try {
          const r = await this.#tracked(() =>
            getRecordsFast(kinesis, iterator, this.#limit(settings), this.#o.budget.pool, this.#callSignal()),
          );
          this.#lastReadAt = this.#o.now();
          return r;
        } catch (err) {
          if ((err as Error).name === 'ExpiredIteratorException') return 'expired' as const;
          throw err;
        }
      },
      () => this.#flushIfDue(),
    );
  }

  /**
   * Records to ask for: the configured maximum, lowered so that records of the mean size seen so far
   * add up to about `targetBytesPerCall` (≤ 10 MiB). Kinesis caps a response at 10 MiB itself;
   * emulators do not, and 10,000 aggregates of 1 MiB would be 10 GiB in one response.
   */
  #limit(settings: ConsumerSettings): number {
    // Until a record size is known, ask for few: an emulator would return 10,000 records of any size.
    if (this.#meanRecordBytes <= 0) return Math.min(settings.maxRecordsPerCall, FIRST_CALL_LIMIT);
    const fit = Math.floor(settings.targetBytesPerCall / this.#meanRecordBytes);
    return Math.max(1, Math.min(settings.maxRecordsPerCall, fit));
  }

  #target(replayed: boolean, finishesShard: boolean): FlushTarget {
    return {
      dataset: this.#o.dataset,
      contract: this.#o.contract,
      stream: this.#o.stream,
      shardId: this.#o.shardId,
      shardStartingSequenceNumber: this.#o.shardStartingSequenceNumber,
      streamCreatedMs: this.#o.streamCreatedMs,
      previousSequenceNumber: this.#committed,
      replayed,
      finishesShard,
    };
  }

  async #flushBatch(batch: ShardBatch, replayed: boolean, finishesShard: boolean): Promise<void> {
    const { flusher, counters, onFlush, onMetric } = this.#o;
    let result: Awaited<ReturnType<BatchFlusher['flush']>>;
    try {
      result = await flusher.flush(batch, this.#target(replayed, finishesShard));
    } finally {
      this.#o.budget.add(-batch.bytes);
    }
    const { info, latencies } = result;
    this.#committed = info.lastSequenceNumber;
    counters.delivered += info.rows;
    counters.rejected += info.errors;
    counters.files += info.dataObjects.length;
    counters.errorFiles += info.errorObjects.length;
    counters.parquetBytes += info.parquetBytes;
    counters.freshness.merge(latencies);
    if (info.freshness) counters.lastFlushFreshness = { count: info.rows, ...info.freshness };
    onFlush?.(info);
    if (onMetric) {
      const dimensions = metricDimensions(METRIC_SERVICES.delivery, info.dataset, info.stream);
      const timestamp = info.visibleAt;
      const m = (name: string, unit: DeliveryMetric['unit'], value: number): void =>
        onMetric({ name, unit, value, dimensions, timestamp });
      m(NAMES.rowsDelivered, 'Count', info.rows);
      m(NAMES.recordsRejected, 'Count', info.errors);
      m(NAMES.parquetBytes, 'Bytes', info.parquetBytes);
      m(NAMES.iteratorAge, 'Milliseconds', this.iteratorAgeMs);
      if (info.freshness) {
        m(NAMES.freshnessP50, 'Milliseconds', info.freshness.p50Ms);
        m(NAMES.freshnessP99, 'Milliseconds', info.freshness.p99Ms);
      }
    }
  }

  /** Starts flushing the open batch in the background (after the previous flush is done). */
  async #startFlush(finishesShard = false): Promise<void> {
    const batch = this.#batch;
    this.#batch = new ShardBatch(this.#o.budget);
    if (this.#inflight) await this.#inflight; // backpressure: one batch flushing, one filling
    this.#throwIfFailed();
    this.#inflightRows = batch.rows;
    const p = this.#flushBatch(batch, false, finishesShard).then(
      () => {
        this.#inflight = undefined;
        this.#inflightRows = 0;
        this.#o.onStateChange?.();
      },
      (err: unknown) => {
        this.#failure ??= err;
        this.#inflight = undefined;
        this.#sleep.wake();
      },
    );
    this.#inflight = p;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #drainInflight(): Promise<void> {
    if (this.#inflight) await this.#inflight;
    this.#throwIfFailed();
  }

  /**
   * Reads until the shard ends (`finished`) or {@link stop} is called (`stopped`), leaving everything
   * it read durable and checkpointed.
   *
   * @throws ShardReadError when Kinesis fails for good; storage or Parquet errors as thrown
   */
  public async run(): Promise<ConsumerOutcome> {
    try {
      return await this.#run();
    } catch (err) {
      // Whatever is in flight must settle before the caller may start a replacement.
      await this.#inflight?.catch(() => undefined);
      // The open batch is dropped (a replacement reads it again): give its bytes back to the budget.
      this.#o.budget.add(-this.#batch.bytes);
      this.#batch = new ShardBatch(this.#o.budget);
      if (
        err instanceof ShardReadError ||
        err instanceof StorageError ||
        err instanceof SourceUnreachableError ||
        (err as Error).name === 'StorageError' ||
        (err as Error).name === 'ParquetWriteError'
      )
        throw err;
      throw new ShardReadError(this.#o.stream, this.#o.shardId, err);
    }
  }

  async #run(): Promise<ConsumerOutcome> {
    const { settings, counters, now } = this.#o;
    const ctx = decodeContext(
      this.#o.dataset,
      this.#o.stream,
      this.#o.shardId,
      this.#o.contract,
      settings.maxEventBytes,
    );
    if (this.#replayUntil) {
      this.#o.onWarning?.(
        `${this.#o.stream}/${this.#o.shardId}: replaying the interrupted flush up to ${this.#replayUntil}`,
      );
    }
    let iterator: string;
    try {
      iterator = await this.#getIterator(this.#committed);
    } catch (err) {
      if (this.#stopping) return 'stopped';
      throw err;
    }
    for (;;) {
      this.#throwIfFailed();
      if (this.#stopping) break;
      if (this.#o.budget.exceeded) {
        // Over the worker's memory budget: flush early and let that flush finish before reading on.
        if (this.#replayUntil === undefined && !this.#batch.isEmpty) await this.#startFlush();
        await this.#drainInflight();
      }
      await this.#pace();
      if (this.#stopping) break;
      let resp: GetRecordsResult | 'expired';
      try {
        resp = await this.#getRecords(iterator);
      } catch (err) {
        // Stopping while Kinesis is failing: keep what was read, flush it below.
        if (this.#stopping) break;
        throw err;
      }
      if (resp === 'expired') {
        try {
          iterator = await this.#getIterator(this.#lastRead ?? this.#committed);
        } catch (err) {
          if (this.#stopping) break;
          throw err;
        }
        continue;
      }
      const records = resp.records;
      if (records.length > 0) {
        const mean = resp.bytes / records.length;
        this.#meanRecordBytes = this.#meanRecordBytes === 0 ? mean : 0.7 * this.#meanRecordBytes + 0.3 * mean;
      }
      const readAt = now();
      let sliceStart = performance.now();
      for (const r of records) {
        if (performance.now() - sliceStart >= DECODE_SLICE_MS) {
          // Decoding a 10 MiB response takes tens of ms: give the event loop a turn now and then, so
          // the steps of flushes in progress (file writes, fsyncs, renames) do not wait for it.
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
        if (
          this.#replayUntil !== undefined &&
          compareSequenceNumbers(r.sequenceNumber, this.#replayUntil) > 0
        ) {
          // The pending range's last record is gone (trimmed by retention): the range can never be cut
          // again, and waiting for it would hold every flush of this shard. Read on as after a flush.
          this.#o.onWarning?.(
            `${this.#o.stream}/${this.#o.shardId}: pending range up to ${this.#replayUntil} not found (trimmed?); ` +
              `reading on from ${r.sequenceNumber}`,
          );
          this.#replayUntil = undefined;
        }
        decodeRecordInto(this.#batch, r, ctx, readAt);
        this.#lastRead = r.sequenceNumber;
        if (this.#replayUntil !== undefined && r.sequenceNumber === this.#replayUntil) {
          // The interrupted batch is complete again: flush it as-is, under the names it had.
          const batch = this.#batch;
          this.#batch = new ShardBatch(this.#o.budget);
          await this.#drainInflight();
          this.#replayUntil = undefined;
          this.#inflightRows = batch.rows;
          await this.#flushBatch(batch, true, false);
          this.#inflightRows = 0;
        }
      }
      // Rows were copied into the batch: the response's buffer can serve another call.
      resp.release();
      counters.kinesisRecordsRead += records.length;
      this.#millisBehindLatest = resp.millisBehindLatest;
      const wasDrained = this.drained;
      this.drained = records.length === 0 && resp.millisBehindLatest === 0;
      if (!resp.nextShardIterator) {
        // Closed shard read to its end: flush the rest and mark it finished so children may start.
        if (this.#replayUntil !== undefined) {
          this.#o.onWarning?.(
            `${this.#o.stream}/${this.#o.shardId}: pending range up to ${this.#replayUntil} not found before shard end (trimmed?)`,
          );
          this.#replayUntil = undefined;
        }
        if (!this.#batch.isEmpty) {
          await this.#startFlush(true);
          await this.#drainInflight();
        } else {
          await this.#drainInflight();
          await this.#o.flusher.finishShard(this.#target(false, true));
        }
        this.finished = true;
        this.drained = true;
        this.#o.onStateChange?.();
        return 'finished';
      }
      iterator = resp.nextShardIterator;
      if (this.#replayUntil === undefined && !this.#batch.isEmpty) {
        const age = now() - this.#batch.openedAt;
        if (this.#batch.bytes >= settings.bufferSizeBytes || age >= settings.bufferIntervalMs)
          await this.#startFlush();
      }
      if (this.drained !== wasDrained) this.#o.onStateChange?.();
      if (records.length === 0 || this.drained) {
        let wait = settings.idlePollIntervalMs;
        if (this.#replayUntil === undefined && !this.#batch.isEmpty) {
          wait = Math.min(wait, Math.max(0, this.#batch.openedAt + settings.bufferIntervalMs - now()));
        }
        await this.#sleep.sleep(wait);
      }
    }
    // Stopping. A half-read replay must not be flushed: its range would differ from the pending one.
    if (this.#replayUntil === undefined && !this.#batch.isEmpty) await this.#startFlush();
    else {
      this.#o.budget.add(-this.#batch.bytes);
      this.#batch = new ShardBatch(this.#o.budget);
    }
    await this.#drainInflight();
    return 'stopped';
  }
}
