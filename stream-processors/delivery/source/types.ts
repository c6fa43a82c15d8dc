import type { BufferPool } from '../../../common/index.js';
import type { Retrier } from '../../../common/retry/index.js';
import type { Dataset } from '../../../schemas/index.js';
import type { SourceHealth } from '../SourceHealth.js';

/**
 * One record as a source delivers it: bytes plus where it sits in its partition. The field names are
 * the lake's (error records and checkpoints say `sequenceNumber`); a Kafka source puts the offset there.
 */
export interface SourceRecord {
  /** The record's bytes: one event, or a KPL aggregate of events (the decoder tells them apart). */
  readonly data: Uint8Array;
  /** The key the producer routed the record by (Kinesis partition key; Kafka message key). */
  readonly partitionKey: string;
  /**
   * The record's position in its partition, opaque to delivery except through
   * {@link RecordSource.compare} (Kinesis: sequence number; Kafka: offset as a decimal string). One
   * position has one spelling: the end of a pending range is recognised by equality.
   */
  readonly sequenceNumber: string;
  /**
   * When the source stored the record, epoch ms. It names the batch's objects, so it must be the same
   * every time the record is read (Kinesis: ApproximateArrivalTimestamp; Kafka: log-append time).
   */
  readonly arrivalMs: number;
}

/** First and last position of a run of records (both included), opaque strings. */
export interface PositionRange {
  readonly first: string;
  readonly last: string;
}

/** What one {@link PartitionReader.read} returned. */
export interface SourceBatch {
  /** The records, in position order; empty when nothing new was there. */
  readonly records: readonly SourceRecord[];
  /** Positions of the first and last record; undefined when `records` is empty. */
  readonly range: PositionRange | undefined;
  /** Bytes of the records' data (for memory accounting). */
  readonly bytes: number;
  /** True when nothing more is waiting after these records: the reader may rest, and is caught up. */
  readonly atTip: boolean;
  /** True when the partition is closed and these were its last records: it will never have more. */
  readonly ended: boolean;
  /**
   * Gives the memory behind the records' `data` back (to the pool it came from). Call it once nothing
   * refers to the bytes any more; the delivery copies what it keeps while decoding.
   */
  release(): void;
}

/** Callbacks and memory a reader gets from the consumer that drives it. */
export interface PartitionReaderOptions {
  /**
   * Read the records after this position (the partition's checkpoint: everything up to it is durable);
   * null reads from the oldest record the source still holds. A reader that has to re-position itself
   * (a Kinesis iterator expires, a Kafka consumer is re-assigned) seeks to just after the last record
   * it returned.
   */
  readonly after: string | null;
  /** Where read buffers may come from (and go back to on {@link SourceBatch.release}). */
  readonly pool?: BufferPool;
  /**
   * Runs while a read waits to retry a failing source, so the consumer can flush a batch whose buffer
   * interval passed meanwhile. An error it throws ends the read with that error.
   */
  readonly betweenRetries?: () => Promise<void>;
  /** Warnings for a person (the source stopped answering, answers again). */
  readonly onWarning?: (message: string) => void;
  /** Called when {@link PartitionReader.failingForMs} switches between zero and not. */
  readonly onStateChange?: () => void;
}

/**
 * Reads one partition in order, from just after a position. Owned by one consumer; `read` is never
 * called again before the previous call settled.
 */
export interface PartitionReader {
  /**
   * The next records after the last ones returned (waiting for the source's own read limits and
   * retrying transient failures, as long as the outage policy allows).
   *
   * @returns the records; undefined once {@link stop} was called before anything was read
   * @throws the source's error when it fails for good
   */
  read(): Promise<SourceBatch | undefined>;
  /** Ends every wait of the reader and aborts a call in flight; `read` then returns undefined. */
  stop(): void;
  /**
   * How far behind the partition's newest record the reader is, ms (Kinesis: MillisBehindLatest). It
   * keeps growing while reads fail.
   */
  readonly lagMs: number;
  /** How long the reader's calls have been failing, ms; 0 while they answer. */
  readonly failingForMs: number;
  /**
   * Everything up to `position` is durable in the lake (called after each checkpoint). A Kafka reader
   * commits its group offset there, as a mirror for lag monitoring; the lake's checkpoint stays the truth.
   */
  onDurable?(position: string): void;
}

/** One partition of a source: a Kinesis shard; a Kafka topic-partition. */
export interface SourcePartition {
  /**
   * Stable id; it names the partition's checkpoint (`_checkpoints/<stream>/<id>.json`) and is part of
   * every object name, so it must be a valid key segment (Kinesis: `shardId-000000000001`).
   */
  readonly id: string;
  /**
   * Tells this partition apart from an earlier one with the same id (the stream was deleted and
   * created again): a checkpoint written for another incarnation is ignored and the partition read
   * from the start (Kinesis: the shard's starting sequence number).
   */
  readonly incarnation: string;
  /**
   * True once the partition is closed: it has an end, and is finished when read to it (Kinesis: a
   * shard after a split or merge). A source whose partitions never close (Kafka) leaves it false.
   */
  readonly closed: boolean;
}

/** The partitions a source has now. */
export interface SourceListing {
  /**
   * When the source (stream, topic) was created, epoch ms: a change means it was deleted and created
   * again under the same name, and every checkpoint of the old one is ignored. 0 when unknown.
   */
  readonly createdMs: number;
  /** Every partition, open and closed, in the order they should start. */
  readonly partitions: readonly SourcePartition[];
  /**
   * True when a partition may be read now. Ordering across partitions is the source's business (a
   * Kinesis child shard waits until its parents are finished, so a partition key never reorders).
   *
   * @param id - a listed partition
   * @param finished - partitions read to their end and checkpointed
   */
  readable(id: string, finished: ReadonlySet<string>): boolean;
}

/**
 * Where records come from: one stream (Kinesis) or topic (Kafka). The delivery protocol — batches cut
 * at record boundaries, the pending-range intent, objects named by the batch's position range, the
 * checkpoint after them, the exact replay of a pending range — works on these operations only; a
 * source never sees the lake.
 *
 * @example
 * ```ts
 * const listing = await source.list(signal);
 * const [p] = listing.partitions;
 * const reader = source.reader(p, { after: checkpoint?.sequenceNumber ?? null });
 * const batch = await reader.read();
 * ```
 */
export interface RecordSource {
  /**
   * Lists the partitions. Called at start, every `shardSyncIntervalMs` and whenever a partition ends,
   * so new partitions are found. Transient failures are retried; `signal` gives up (on stop).
   *
   * @param signal - aborts the listing and its retries
   */
  list(signal: AbortSignal): Promise<SourceListing>;
  /**
   * Opens a reader of one partition, positioned after `options.after`. Performs no I/O itself.
   *
   * @param partition - a partition of the last listing
   * @param options - start position, memory, callbacks
   */
  reader(partition: SourcePartition, options: PartitionReaderOptions): PartitionReader;
  /**
   * Orders two positions of one partition: negative, 0 or positive as `a` comes before, is, or comes
   * after `b`. Needed when a pending range must be replayed: a record past its end means its last
   * record is gone (retention), and the replay is given up.
   */
  compare(a: string, b: string): number;
  /**
   * Present when several delivery processes share the source's partitions (a Kafka consumer group): the
   * stream then has no stream-wide lease; each partition is written only while this process owns it
   * ({@link SharedPartitions.owns}), under an epoch claimed in its checkpoint before it is read, so a
   * previous owner's late write is refused. @default absent (one writer per stream, by the stream lease)
   */
  readonly shared?: SharedPartitions;
  /** Releases what the source holds (a Kafka source leaves its group); called once its readers stopped. */
  close?(): Promise<void>;
}

/** How a source shared by several processes tells which of its partitions are this process's. */
export interface SharedPartitions {
  /** True while this process owns the partition (the group assigned it here). */
  owns(partitionId: string): boolean;
}

/** What the worker gives a source it creates for one of its streams. */
export interface SourceContext {
  /** Stream (topic) name. */
  readonly stream: string;
  /** Dataset of the stream's events. */
  readonly dataset: Dataset;
  /** The worker's retrier (backoff between attempts). */
  readonly retrier: Retrier;
  /**
   * The worker's record of whether its source answers: a source runs its calls through
   * {@link SourceHealth.call}, so outages are waited out (or given up) by one policy and show in stats.
   */
  readonly health: SourceHealth;
  /** The source's partitions changed (a rebalance): list them again now rather than at the next sync. */
  readonly onPartitionsChanged?: () => void;
}

/**
 * Creates the source of one stream (`DeliveryWorkerOptions.source`).
 *
 * @example
 * ```ts
 * const worker = await DeliveryWorker.create({ storage, source: (ctx) => new MySource(ctx.stream) });
 * ```
 */
export type RecordSourceFactory = (context: SourceContext) => RecordSource;
