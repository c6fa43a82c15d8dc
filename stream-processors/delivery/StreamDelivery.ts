import type { Retrier } from '../../common/retry/index.js';
import { type Contract, contractFor, type Dataset } from '../../schemas/index.js';
import type { BatchFlusher, WriteFence } from './BatchFlusher.js';
import type { BufferBudget } from './BufferBudget.js';
import type { CheckpointStore } from './CheckpointStore.js';
import { isLeaseLost, LeaseLostError } from './errors.js';
import { type ConsumerSettings, ShardConsumer } from './ShardConsumer.js';
import type { SourceHealth } from './SourceHealth.js';
import { StreamCounters } from './StreamCounters.js';
import type { StreamLease } from './StreamLease.js';
import type { RecordSource, SourceListing, SourcePartition } from './source/index.js';
import type { DeliveryMetric, FlushInfo, ShardCheckpoint, StreamStats } from './types.js';

/** What a stream delivery shares with the rest of the worker. */
export interface StreamDeliveryOptions {
  readonly dataset: Dataset;
  readonly stream: string;
  /** Where the stream's records come from. */
  readonly source: RecordSource;
  /** Retries storage calls (checkpoint reads). */
  readonly retrier: Retrier;
  /** Whether the source answers (shared by the worker), for stats. */
  readonly health: SourceHealth;
  readonly flusher: BatchFlusher;
  readonly checkpoints: CheckpointStore;
  readonly settings: ConsumerSettings;
  readonly budget: BufferBudget;
  readonly now: () => number;
  /**
   * The stream's write lease: consumers run only while it is held; when it is lost they stop and the
   * stream waits to take it again. @default none (a single writer is assumed)
   */
  readonly lease?: StreamLease;
  /** Lease events for a person (losing it). @default `onWarning` */
  readonly onLease?: (message: string) => void;
  readonly onFlush?: (info: FlushInfo) => void;
  readonly onMetric?: (metric: DeliveryMetric) => void;
  readonly onWarning?: (message: string) => void;
  /** A consumer failed for good; the worker stops. */
  readonly onFailure: (err: unknown) => void;
  /** Something changed that may complete a drain. */
  readonly onStateChange: () => void;
}

/**
 * Delivers one stream: lists its shards (the source's partitions), starts a consumer for every shard
 * the source says may be read now (a Kinesis child once its parents are read to the end and
 * checkpointed), and lists again when a shard finishes, so its children start.
 */
export class StreamDelivery {
  /** Counters of this stream. */
  public readonly counters = new StreamCounters();
  readonly #o: StreamDeliveryOptions;
  readonly #contract: Contract;
  #shards = new Map<string, SourcePartition>();
  readonly #finished = new Set<string>();
  readonly #checkpoints = new Map<string, ShardCheckpoint | undefined>();
  readonly #consumers = new Map<string, { consumer: ShardConsumer; done: Promise<void> }>();
  /** Epochs claimed for the partitions of a shared source (see {@link RecordSource.shared}). */
  readonly #claims = new Map<string, number>();
  #sync: Promise<void> | undefined;
  #createdMs = 0;
  #syncAgain = false;
  #stopped = false;
  #acquiring: Promise<void> | undefined;
  #recovering: Promise<void> | undefined;
  /** Ends the retries of shard listing and the wait for the lease on stop (an outage must not hold up Ctrl-C). */
  readonly #abort = new AbortController();

  /** @param options - stream, clients and callbacks */
  public constructor(options: StreamDeliveryOptions) {
    this.#o = options;
    this.#contract = contractFor(options.dataset);
  }

  /** Stream name. */
  public get stream(): string {
    return this.#o.stream;
  }

  /**
   * Lists the shards again and starts consumers for the ones that may be read now. Concurrent calls
   * share one run (and schedule one more when a call arrives mid-run).
   */
  public sync(): Promise<void> {
    const lease = this.#o.lease;
    if (lease && !lease.held) {
      // Not ours (yet): wait for the lease in the background; it syncs once taken.
      if (!this.#stopped && this.#recovering === undefined) this.#acquire();
      return Promise.resolve();
    }
    if (this.#sync) {
      this.#syncAgain = true;
      return this.#sync;
    }
    this.#sync = (async () => {
      try {
        do {
          this.#syncAgain = false;
          await this.#syncOnce();
        } while (this.#syncAgain && !this.#stopped);
      } catch (err) {
        // Stopping cut the listing's retries short: nothing failed.
        if (this.#stopped) return;
        throw err;
      } finally {
        this.#sync = undefined;
      }
    })();
    return this.#sync;
  }

  /** Waits for the stream's lease (showing its holder through `onWarning`), then reads the stream. */
  #acquire(): void {
    const lease = this.#o.lease;
    if (!lease || this.#acquiring) return;
    this.#acquiring = (async () => {
      try {
        if (!(await lease.acquire(this.#abort.signal))) return;
      } finally {
        this.#acquiring = undefined;
      }
      if (this.#stopped) {
        await lease.release();
        return;
      }
      await this.sync();
    })().catch((err: unknown) => this.#o.onFailure(err));
  }

  /**
   * The lease was lost (another worker took the stream, or it could not be renewed in time): stop
   * every consumer of the stream — each stops before its next object — forget the checkpoints read
   * under the lost lease, and wait to take the lease again.
   */
  #leaseLost(err: Error): void {
    if (this.#recovering) return;
    if (this.#o.lease?.held) this.#o.lease.drop(err.message);
    (this.#o.onLease ?? this.#o.onWarning)?.(
      this.#o.lease
        ? `${err.message}; stopped writing stream ${this.stream}, waiting to take the lease again`
        : `${err.message}; stopped writing stream ${this.stream}, taking up the partitions assigned now`,
    );
    this.#recovering = (async () => {
      await this.#sync?.catch(() => undefined);
      for (const { consumer } of this.#consumers.values()) consumer.stop();
      await Promise.all([...this.#consumers.values()].map((c) => c.done));
      this.#checkpoints.clear();
      this.#finished.clear();
      this.#claims.clear();
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#recovering = undefined;
        this.#o.onStateChange();
        if (this.#stopped) return;
        // A shared source has no lease to wait for: take up what the group assigns now.
        if (this.#o.lease) this.#acquire();
        else this.sync().catch((e: unknown) => this.#o.onFailure(e));
      });
  }

  /**
   * The write fence of a partition of a shared source: the epoch claimed for it, valid while the group
   * assigns the partition to this process. Undefined for other sources (the stream lease fences them).
   *
   * @param shardId - partition id
   */
  public fenceOf(shardId: string): WriteFence | undefined {
    const shared = this.#o.source.shared;
    if (!shared) return undefined;
    const epoch = this.#claims.get(shardId);
    return {
      epoch: epoch ?? 0,
      assertValid: () => {
        if (epoch === undefined || !shared.owns(shardId)) {
          throw new LeaseLostError(
            this.stream,
            epoch ?? 0,
            `partition ${shardId} is no longer assigned to this process (consumer group rebalance)`,
          );
        }
      },
    };
  }

  /** Called by the lease when a renewal finds it taken over or lapsed. */
  public onLeaseLost(err: Error): void {
    this.#leaseLost(err);
  }

  async #checkpointOf(shard: SourcePartition): Promise<ShardCheckpoint | undefined> {
    if (this.#checkpoints.has(shard.id)) return this.#checkpoints.get(shard.id);
    // Retried like every storage call: after a lost lease (often a slow lake) every checkpoint is read
    // again, and one transient error must not stop the worker.
    let cp = await this.#o.retrier(() => this.#o.checkpoints.read(this.stream, shard.id));
    if (
      cp &&
      (cp.shardStartingSequenceNumber !== shard.incarnation || cp.streamCreatedMs !== this.#createdMs)
    ) {
      this.#o.onWarning?.(
        `${this.stream}/${shard.id}: checkpoint belongs to an earlier stream of the same name ` +
          '(the shard or the stream was created again); reading this shard from the beginning',
      );
      cp = undefined;
    }
    this.#checkpoints.set(shard.id, cp);
    if (cp?.finished) this.#finished.add(shard.id);
    return cp;
  }

  async #syncOnce(): Promise<void> {
    if (this.#stopped) return;
    const listing: SourceListing = await this.#o.source.list(this.#abort.signal);
    const createdMs = listing.createdMs;
    if (this.#createdMs !== 0 && createdMs !== this.#createdMs) {
      // Deleted and created again while we ran: the new incarnation's shards start from scratch.
      this.#o.onWarning?.(`${this.stream}: the stream was re-created while being read`);
      this.#checkpoints.clear();
    }
    this.#createdMs = createdMs;
    const listed = listing.partitions;
    this.#shards = new Map(listed.map((s) => [s.id, s]));
    const shared = this.#o.source.shared;
    if (shared) {
      for (const s of listed) {
        if (this.#stopped || this.#recovering) return;
        if (this.#consumers.has(s.id) || !shared.owns(s.id)) continue;
        // Claim before reading: from now on an earlier owner's writes are refused, and a pending range it
        // left is replayed here under the same names.
        const { checkpoint, epoch } = await this.#o.retrier(() =>
          this.#o.checkpoints.claim({
            stream: this.stream,
            shardId: s.id,
            shardStartingSequenceNumber: s.incarnation,
            streamCreatedMs: createdMs,
            sequenceNumber: null,
            subSequenceNumber: null,
            finished: false,
            pending: null,
          }),
        );
        this.#claims.set(s.id, epoch);
        this.#start(s, checkpoint);
      }
      return;
    }
    for (const s of listed) await this.#checkpointOf(s);
    if (this.#o.lease) {
      // A checkpoint from a higher epoch than the lease's (the lease file was deleted): pass it, or
      // every checkpoint write would be refused. An equal epoch is this lease's own.
      let max = 0;
      for (const cp of this.#checkpoints.values()) max = Math.max(max, cp?.leaseEpoch ?? 0);
      if (max > this.#o.lease.epoch) await this.#o.lease.raiseEpoch(max + 1);
      if (!this.#o.lease.held) return;
    }
    // Starting a shard never finishes another, so one pass in listing order suffices; finished parents
    // found through checkpoints were recorded above.
    for (const s of listed) {
      if (this.#stopped || this.#recovering || (this.#o.lease && !this.#o.lease.held)) return;
      if (this.#finished.has(s.id) || this.#consumers.has(s.id)) continue;
      if (!listing.readable(s.id, this.#finished)) continue;
      this.#start(s, this.#checkpoints.get(s.id));
    }
  }

  #start(shard: SourcePartition, checkpoint: ShardCheckpoint | undefined): void {
    const consumer = new ShardConsumer({
      source: this.#o.source,
      stream: this.stream,
      partition: shard,
      flusher: this.#o.flusher,
      dataset: this.#o.dataset,
      contract: this.#contract,
      streamCreatedMs: this.#createdMs,
      checkpoint,
      settings: this.#o.settings,
      counters: this.counters,
      budget: this.#o.budget,
      now: this.#o.now,
      ...(this.#o.onFlush ? { onFlush: this.#o.onFlush } : {}),
      ...(this.#o.onMetric ? { onMetric: this.#o.onMetric } : {}),
      ...(this.#o.onWarning ? { onWarning: this.#o.onWarning } : {}),
      onStateChange: this.#o.onStateChange,
    });
    const done = consumer.run().then(
      (outcome) => {
        this.#consumers.delete(shard.id);
        if (outcome === 'finished') {
          this.#finished.add(shard.id);
          // Children of this shard may start now.
          this.sync().catch((err: unknown) => this.#o.onFailure(err));
        }
        this.#o.onStateChange();
      },
      (err: unknown) => {
        this.#consumers.delete(shard.id);
        if (isLeaseLost(err)) this.#leaseLost(err);
        else this.#o.onFailure(err);
        this.#o.onStateChange();
      },
    );
    this.#consumers.set(shard.id, { consumer, done });
  }

  /**
   * True when everything listed is read to the tip: every shard is finished, or open with a consumer
   * whose last call found nothing more. A closed shard counts only once finished, and a shard waiting
   * for its parents never counts, so a drain never ends before the children of a split are read.
   */
  public get drained(): boolean {
    // Waiting for the lease: nothing of this stream is read yet.
    if (this.#o.lease && (!this.#o.lease.held || this.#recovering)) return false;
    if (this.#shards.size === 0) return true;
    for (const s of this.#shards.values()) {
      if (this.#finished.has(s.id)) continue;
      const c = this.#consumers.get(s.id);
      if (!c?.consumer.drained || s.closed) return false;
    }
    return true;
  }

  /** Stops every consumer; resolves once each has flushed what it read. */
  public async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#sync?.catch(() => undefined);
    for (const { consumer } of this.#consumers.values()) consumer.stop();
    await Promise.all([...this.#consumers.values()].map((c) => c.done));
    await this.#recovering;
    await this.#acquiring;
    await this.#o.source.close?.();
    // After the last flush: the next worker may start at once.
    await this.#o.lease?.release();
  }

  /** A snapshot of this stream's counters. */
  public stats(): StreamStats {
    let buffered = 0;
    let age = 0;
    let idle = true;
    let failingMs = 0;
    for (const { consumer } of this.#consumers.values()) {
      buffered += consumer.bufferedRows;
      age = Math.max(age, consumer.iteratorAgeMs);
      failingMs = Math.max(failingMs, consumer.failingForMs);
      if (!consumer.idle) idle = false;
    }
    const c = this.counters;
    return {
      dataset: this.#o.dataset,
      stream: this.stream,
      shards: this.#shards.size,
      activeShards: this.#consumers.size,
      kinesisRecordsRead: c.kinesisRecordsRead,
      delivered: c.delivered,
      rejected: c.rejected,
      buffered,
      files: c.files,
      errorFiles: c.errorFiles,
      parquetBytes: c.parquetBytes,
      iteratorAgeMs: age,
      unreachableMs: Math.max(failingMs, this.#o.health.unreachableMs),
      ...(this.#o.health.lastError !== undefined ? { sourceError: this.#o.health.lastError } : {}),
      caughtUp: idle && this.drained,
      freshness: c.freshness.summary(),
      lastFlushFreshness: c.lastFlushFreshness,
    };
  }
}
