import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { METRIC_NAMES, METRIC_SERVICES, metricDimensions } from '../../common/metrics.js';
import { StorageError } from '../../datalake/storage/index.js';
import type { Contract, Dataset } from '../../schemas/index.js';
import type { BatchFlusher, FlushTarget } from './BatchFlusher.js';
import type { BufferBudget } from './BufferBudget.js';
import { ShardReadError, SourceUnreachableError } from './errors.js';
import { decodeContext, decodeRecordInto } from './recordDecoder.js';
import { ShardBatch } from './ShardBatch.js';
import type { StreamCounters } from './StreamCounters.js';
import type { PartitionReader, RecordSource, SourceBatch, SourcePartition } from './source/index.js';
import type { DeliveryMetric, FlushInfo, ShardCheckpoint } from './types.js';
import { Wakeable } from './Wakeable.js';

const NAMES = METRIC_NAMES.delivery;

/** Longest stretch of decoding without giving the event loop a turn, ms. */
const DECODE_SLICE_MS = 4;

/** Resolved timing and limits a consumer cuts batches with. */
export interface ConsumerSettings {
  readonly bufferIntervalMs: number;
  readonly bufferSizeBytes: number;
  readonly idlePollIntervalMs: number;
  readonly maxEventBytes: number;
}

/** Everything one shard consumer works with. */
export interface ShardConsumerOptions {
  /** Where the shard's records come from. */
  readonly source: RecordSource;
  /** Stream name (objects, checkpoints, messages). */
  readonly stream: string;
  /** The shard (a partition of the source). */
  readonly partition: SourcePartition;
  readonly flusher: BatchFlusher;
  readonly dataset: Dataset;
  readonly contract: Contract;
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
 * Reads one shard (a partition of a {@link RecordSource}, through its {@link PartitionReader}),
 * decodes each record into the open batch, and hands full or old batches to the flusher. One batch
 * flushes while the next one fills; a third waits (backpressure). On a restart after a crash it
 * replays the pending flush range exactly, so the objects it rewrites have the same names and content.
 * Nothing here knows which source it reads: positions are opaque strings ordered by the source.
 */
export class ShardConsumer {
  readonly #o: ShardConsumerOptions;
  readonly #reader: PartitionReader;
  readonly #stream: string;
  readonly #shardId: string;
  readonly #sleep = new Wakeable();
  #stopping = false;
  #failure: unknown;
  #inflight: Promise<void> | undefined;
  #inflightRows = 0;
  #batch: ShardBatch;
  #committed: string | null;
  #replayUntil: string | undefined;
  /** True when the last read found nothing more to read (or the shard ended). */
  public drained = false;
  /** True once the shard ended and everything in it is durable. */
  public finished = false;

  /** @param options - source, flusher, shard and settings */
  public constructor(options: ShardConsumerOptions) {
    this.#o = options;
    this.#stream = options.stream;
    this.#shardId = options.partition.id;
    this.#batch = new ShardBatch(options.budget);
    this.#committed = options.checkpoint?.sequenceNumber ?? null;
    this.#replayUntil = options.checkpoint?.pending?.lastSequenceNumber;
    this.#reader = options.source.reader(options.partition, {
      after: this.#committed,
      pool: options.budget.pool,
      betweenRetries: () => this.#flushIfDue(),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
    });
  }

  /**
   * How far behind the tip of the shard the consumer is, ms (the reader's lag: Kinesis'
   * MillisBehindLatest, growing while reads fail).
   */
  public get iteratorAgeMs(): number {
    return this.#reader.lagMs;
  }

  /** How long this shard's reads have been failing, ms; 0 while they answer. */
  public get failingForMs(): number {
    return this.#reader.failingForMs;
  }

  /** Shard id. */
  public get shardId(): string {
    return this.#shardId;
  }

  /** Rows read but not yet durable. */
  public get bufferedRows(): number {
    return this.#batch.rows + this.#inflightRows;
  }

  /** True when drained and nothing is waiting to be flushed. */
  public get idle(): boolean {
    return (this.drained || this.finished) && this.#batch.isEmpty && this.#inflight === undefined;
  }

  /** Asks the consumer to stop: it finishes the current read, flushes what it read, and returns. */
  public stop(): void {
    this.#stopping = true;
    this.#reader.stop();
    this.#sleep.wake();
  }

  /**
   * Between retries of a failing read: flushes the open batch once its buffer interval has passed, so
   * rows read before an outage become visible on time instead of when the outage ends.
   */
  async #flushIfDue(): Promise<void> {
    if (this.#replayUntil !== undefined || this.#batch.isEmpty) return;
    if (this.#o.now() - this.#batch.openedAt >= this.#o.settings.bufferIntervalMs) await this.#startFlush();
    this.#throwIfFailed();
  }

  #target(replayed: boolean, finishesShard: boolean): FlushTarget {
    return {
      dataset: this.#o.dataset,
      contract: this.#o.contract,
      stream: this.#stream,
      shardId: this.#shardId,
      shardStartingSequenceNumber: this.#o.partition.incarnation,
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
    this.#reader.onDurable?.(info.lastSequenceNumber);
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
   * @throws ShardReadError when the source fails for good; storage or Parquet errors as thrown
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
      throw new ShardReadError(this.#stream, this.#shardId, err);
    }
  }

  async #run(): Promise<ConsumerOutcome> {
    const { settings, counters, now } = this.#o;
    const ctx = decodeContext(
      this.#o.dataset,
      this.#stream,
      this.#shardId,
      this.#o.contract,
      settings.maxEventBytes,
    );
    if (this.#replayUntil) {
      this.#o.onWarning?.(
        `${this.#stream}/${this.#shardId}: replaying the interrupted flush up to ${this.#replayUntil}`,
      );
    }
    const { source } = this.#o;
    const reader = this.#reader;
    for (;;) {
      this.#throwIfFailed();
      if (this.#stopping) break;
      if (this.#o.budget.exceeded) {
        // Over the worker's memory budget: flush early and let that flush finish before reading on.
        if (this.#replayUntil === undefined && !this.#batch.isEmpty) await this.#startFlush();
        await this.#drainInflight();
      }
      let read: SourceBatch | undefined;
      try {
        read = await reader.read();
      } catch (err) {
        // Stopping while the source is failing: keep what was read, flush it below.
        if (this.#stopping) break;
        throw err;
      }
      if (read === undefined) break;
      const records = read.records;
      const readAt = now();
      let sliceStart = performance.now();
      for (const r of records) {
        if (performance.now() - sliceStart >= DECODE_SLICE_MS) {
          // Decoding a 10 MiB response takes tens of ms: give the event loop a turn now and then, so
          // the steps of flushes in progress (file writes, fsyncs, renames) do not wait for it.
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
        if (this.#replayUntil !== undefined && source.compare(r.sequenceNumber, this.#replayUntil) > 0) {
          // The pending range's last record is gone (trimmed by retention): the range can never be cut
          // again, and waiting for it would hold every flush of this shard. Read on as after a flush.
          this.#o.onWarning?.(
            `${this.#stream}/${this.#shardId}: pending range up to ${this.#replayUntil} not found (trimmed?); ` +
              `reading on from ${r.sequenceNumber}`,
          );
          this.#replayUntil = undefined;
        }
        decodeRecordInto(this.#batch, r, ctx, readAt);
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
      // Rows were copied into the batch: the read's buffers can serve another read.
      read.release();
      counters.kinesisRecordsRead += records.length;
      const wasDrained = this.drained;
      this.drained = read.atTip;
      if (read.ended) {
        // Closed shard read to its end: flush the rest and mark it finished so children may start.
        if (this.#replayUntil !== undefined) {
          this.#o.onWarning?.(
            `${this.#stream}/${this.#shardId}: pending range up to ${this.#replayUntil} not found before shard end (trimmed?)`,
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
