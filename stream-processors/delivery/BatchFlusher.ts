import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Retrier } from '../../common/retry/index.js';
import { type BatchIdentity, dataObjectKey, errorObjectKey } from '../../datalake/objectNames.js';
import type { LakeStorage } from '../../datalake/storage/index.js';
import type { Contract, Dataset } from '../../schemas/index.js';
import type { CheckpointStore } from './CheckpointStore.js';
import { ERROR_CODES, ERROR_TYPES } from './constants.js';
import { convertPartition, type RefusedRow } from './convertPartition.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import type { ParquetWriter } from './ParquetWriter.js';
import type { ShardBatch } from './ShardBatch.js';
import type { StreamLease } from './StreamLease.js';
import type { DeliveryHooks, ErrorRecord, FlushInfo, ShardCheckpoint } from './types.js';

/** Which shard a batch belongs to and where its checkpoint stands. */
export interface FlushTarget {
  readonly dataset: Dataset;
  readonly contract: Contract;
  readonly stream: string;
  readonly shardId: string;
  readonly shardStartingSequenceNumber: string;
  /** The stream's creation time, epoch ms (tells a re-created stream of the same name apart). */
  readonly streamCreatedMs: number;
  /** The checkpoint before this batch (null: none yet). */
  readonly previousSequenceNumber: string | null;
  /** True when the batch replays a pending flush whose intent is already durable. */
  readonly replayed: boolean;
  /** True when the batch ends the (closed) shard. */
  readonly finishesShard: boolean;
}

/** The error record of a row DuckDB refused (`format-conversion-failed/`, `conversion_refused`). */
function refusedRecord(batch: ShardBatch, target: FlushTarget, row: RefusedRow): ErrorRecord {
  const origin = batch.originOf(row.origin);
  let eventId: string | undefined;
  try {
    const id = (JSON.parse(row.data.toString('utf8')) as { event_id?: unknown } | null)?.event_id;
    if (typeof id === 'string') eventId = id;
  } catch {
    // The row is DuckDB's to judge; without an event id the record still names it by sequence number.
  }
  return {
    errorType: ERROR_TYPES.formatConversion,
    errorCode: ERROR_CODES.conversionRefused,
    errorMessage: `DuckDB refused the row when converting it to Parquet: ${row.reason}`,
    ...(eventId === undefined ? {} : { eventId }),
    dataset: target.dataset,
    stream: target.stream,
    shardId: target.shardId,
    sequenceNumber: origin.sequenceNumber,
    subSequenceNumber: origin.subSequenceNumber,
    partitionKey: origin.partitionKey,
    arrivalTimestamp: origin.arrivalMs,
    rawData: row.data.toString('base64'),
  };
}

/** What {@link BatchFlusher.flush} returns. */
export interface FlushResult {
  readonly info: FlushInfo;
  readonly latencies: LatencyHistogram;
}

/**
 * A writer's right to write a shard: the stream's lease ({@link StreamLease}), or for a partition shared by
 * a consumer group, the epoch claimed in its checkpoint while the group assigns it to this process.
 */
export type WriteFence = Pick<StreamLease, 'epoch' | 'assertValid'>;

/** What the flusher needs from the worker. */
export interface BatchFlusherOptions {
  readonly storage: LakeStorage;
  readonly writer: ParquetWriter;
  readonly checkpoints: CheckpointStore;
  readonly retrier: Retrier;
  readonly hooks?: DeliveryHooks;
  readonly now: () => number;
  /**
   * The write lease of a stream: checked before every object and checkpoint write, its epoch recorded
   * in checkpoints. @default no lease (a single writer is assumed)
   */
  readonly leaseOf?: (stream: string, shardId: string) => WriteFence | undefined;
  /** Rows produced before this are not counted in freshness (DeliveryOptions.freshnessFromMs). */
  readonly freshnessFromMs?: number;
}

/**
 * Makes a shard's batch durable, in the order that keeps the lake exactly-once:
 * 1. the pending-flush intent (the batch's sequence range) goes into the shard's checkpoint document;
 * 2. one Parquet object per event-time hour and one JSON-lines object per (error type, arrival hour),
 *    each published atomically and durably under a name derived from the batch's range;
 * 3. the checkpoint moves to the batch's last sequence number and the intent is cleared.
 * A crash anywhere replays the same range (step 1 pins it), rewriting the same names with the same
 * content; the checkpoint never passes a record whose objects are not durable. Step 1 runs while the
 * first Parquet file is converted (its fsyncs take as long as the conversion under load); only
 * publishing waits for it.
 */
export class BatchFlusher {
  readonly #o: BatchFlusherOptions;
  #counter = 0;

  /** @param options - storage, writer, checkpoints, retrier, hooks, clock */
  public constructor(options: BatchFlusherOptions) {
    this.#o = options;
  }

  /**
   * Writes the pending-flush intent of a batch (step 1).
   *
   * @param batch - the batch about to be flushed
   * @param target - its shard
   */
  async #writeIntent(batch: ShardBatch, target: FlushTarget): Promise<void> {
    await this.#checkpoint(target, target.previousSequenceNumber, false, {
      firstSequenceNumber: batch.firstSequenceNumber!,
      lastSequenceNumber: batch.lastSequenceNumber!,
    });
    await this.#o.hooks?.afterIntent?.({
      stream: target.stream,
      shardId: target.shardId,
      lastSequenceNumber: batch.lastSequenceNumber!,
    });
  }

  /**
   * Flushes a non-empty batch and checkpoints it.
   *
   * @param batch - the batch
   * @param target - its shard and checkpoint state
   * @returns what was written, and the batch's `produced_at` → visible latencies
   */
  public async flush(batch: ShardBatch, target: FlushTarget): Promise<FlushResult> {
    const intent = target.replayed ? Promise.resolve() : this.#writeIntent(batch, target);
    // Awaited before anything is published (and on failure); this keeps an early rejection handled.
    intent.catch(() => undefined);
    try {
      return await this.#flushAfter(intent, batch, target);
    } catch (err) {
      await intent.catch(() => undefined);
      throw err;
    }
  }

  async #flushAfter(intent: Promise<void>, batch: ShardBatch, target: FlushTarget): Promise<FlushResult> {
    const { storage, writer, retrier, hooks, now } = this.#o;
    const identity: BatchIdentity = {
      stream: target.stream,
      shardId: target.shardId,
      firstSequenceNumber: batch.firstSequenceNumber!,
      lastSequenceNumber: batch.lastSequenceNumber!,
      firstArrivalMs: batch.firstArrivalMs,
    };
    const staging = await storage.stagingDir();
    const dataObjects: string[] = [];
    const errorObjects: string[] = [];
    const histogram = new LatencyHistogram();
    let parquetBytes = 0;
    let visibleAt = now();
    let refusedRows = 0;
    for (const p of batch.partitions()) {
      const key = dataObjectKey(target.dataset, p.hourStartMs, identity);
      let written = 0;
      let refused: readonly RefusedRow[] = [];
      let objectBytes = 0;
      await retrier(async () => {
        const n = ++this.#counter;
        const parquet = join(staging, `batch-${n}.parquet`);
        try {
          // Rows DuckDB refuses are left out (and kept as error records below); the same batch always
          // splits the same way, so a replay writes the same object and the same error records.
          ({ rows: written, refused } = await convertPartition(writer, target.contract, p, parquet));
          if (refused.length > 0 && hooks?.afterRefusal) {
            await intent;
            await hooks.afterRefusal({
              stream: target.stream,
              shardId: target.shardId,
              key,
              refused: refused.length,
            });
          }
          if (written === 0) return;
          // Set, not added: a retried attempt converts again and must not count the object twice.
          objectBytes = (await stat(parquet)).size;
          await intent;
          this.#assertLease(target);
          await storage.publishFile(key, parquet);
        } finally {
          await rm(parquet, { force: true });
        }
      });
      for (const r of refused) batch.addError(refusedRecord(batch, target, r));
      refusedRows += refused.length;
      p.release();
      if (written === 0) continue;
      parquetBytes += objectBytes;
      visibleAt = now();
      const from = this.#o.freshnessFromMs ?? Number.NEGATIVE_INFINITY;
      const skip = new Set(refused.map((r) => r.index));
      p.producedAt.forEach((t, i) => {
        if (t >= from && !skip.has(i)) histogram.record(visibleAt - t);
      });
      dataObjects.push(key);
      await hooks?.afterObject?.({ stream: target.stream, shardId: target.shardId, key });
    }
    await intent;
    for (const e of batch.errorGroups()) {
      const key = errorObjectKey(e.type, e.hourStartMs, identity);
      const body = Buffer.from(e.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await retrier(() => {
        this.#assertLease(target);
        return storage.putBytes(key, body);
      });
      visibleAt = now();
      errorObjects.push(key);
      await hooks?.afterObject?.({ stream: target.stream, shardId: target.shardId, key });
    }
    const info: FlushInfo = {
      dataset: target.dataset,
      stream: target.stream,
      shardId: target.shardId,
      firstSequenceNumber: identity.firstSequenceNumber,
      lastSequenceNumber: identity.lastSequenceNumber,
      kinesisRecords: batch.kinesisRecords,
      rows: batch.rows - refusedRows,
      errors: batch.errorCount,
      dataObjects,
      errorObjects,
      parquetBytes,
      visibleAt,
      ...(histogram.count > 0 ? { freshness: histogram.summary() } : {}),
      replayed: target.replayed,
    };
    await hooks?.beforeCheckpoint?.(info);
    await this.#checkpoint(target, identity.lastSequenceNumber, target.finishesShard, null);
    return { info, latencies: histogram };
  }

  /**
   * Marks a shard finished when its end was reached with nothing left to flush.
   *
   * @param target - the shard and its checkpoint
   */
  public async finishShard(target: FlushTarget): Promise<void> {
    await this.#checkpoint(target, target.previousSequenceNumber, true, null);
  }

  /**
   * Throws LeaseLostError unless this worker still holds the stream's lease: a worker that lost it
   * stops before its next object.
   */
  #assertLease(target: FlushTarget): void {
    this.#o.leaseOf?.(target.stream, target.shardId)?.assertValid();
  }

  /**
   * Writes the shard's checkpoint document (with retries), under the stream's lease epoch. Batches are cut between Kinesis records,
   * so the sub-sequence number is always null.
   *
   * @param target - the shard
   * @param sequenceNumber - last Kinesis record whose objects are durable
   * @param finished - the shard is closed and read to its end
   * @param pending - the range being flushed (the intent), or null
   */
  async #checkpoint(
    target: FlushTarget,
    sequenceNumber: string | null,
    finished: boolean,
    pending: ShardCheckpoint['pending'],
  ): Promise<void> {
    const lease = this.#o.leaseOf?.(target.stream, target.shardId);
    await this.#o.retrier(() => {
      lease?.assertValid();
      return this.#o.checkpoints.write(
        {
          stream: target.stream,
          shardId: target.shardId,
          shardStartingSequenceNumber: target.shardStartingSequenceNumber,
          streamCreatedMs: target.streamCreatedMs,
          sequenceNumber,
          subSequenceNumber: null,
          finished,
          pending,
        },
        lease?.epoch ?? 0,
      );
    });
  }
}
