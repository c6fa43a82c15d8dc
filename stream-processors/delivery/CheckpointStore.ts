import { checkpointKey } from '../../datalake/objectNames.js';
import type { LakeStorage } from '../../datalake/storage/index.js';
import { CHECKPOINT_FORMAT_VERSION } from './constants.js';
import { CheckpointError, LeaseLostError } from './errors.js';
import type { ShardCheckpoint } from './types.js';

/**
 * Per-shard checkpoints kept in the lake itself (`_checkpoints/<stream>/<shardId>.json`), written
 * atomically and durably by the same storage as the objects they cover: the lake and its delivery
 * position travel together, and an S3 lake needs no local state.
 */
export class CheckpointStore {
  readonly #storage: LakeStorage;

  /** @param storage - the lake */
  public constructor(storage: LakeStorage) {
    this.#storage = storage;
  }

  /**
   * Reads a shard's checkpoint.
   *
   * @param stream - stream name
   * @param shardId - shard id
   * @returns the checkpoint, or undefined when the shard was never checkpointed
   * @throws CheckpointError when the document is unreadable
   */
  public async read(stream: string, shardId: string): Promise<ShardCheckpoint | undefined> {
    const key = checkpointKey(stream, shardId);
    const bytes = await this.#storage.getBytes(key);
    if (bytes === undefined) return undefined;
    return parseCheckpoint(key, bytes, stream, shardId);
  }

  /**
   * Claims a partition's checkpoint for a new writer (a partition shared by a consumer group changed
   * hands): re-writes the document — or a fresh one without a position — under an epoch one above the
   * stored one, by compare-and-swap, so two claimers never hold the same epoch and every later write of
   * an earlier owner is refused ({@link write}). Its pending range, if any, is kept: the new owner
   * replays it exactly.
   *
   * @param fresh - the document to write when there is none yet
   * @returns the checkpoint found (undefined when none) and the epoch now held
   * @throws CheckpointError when the stored document is unreadable
   */
  public async claim(
    fresh: Omit<ShardCheckpoint, 'version' | 'updatedAt' | 'leaseEpoch'>,
  ): Promise<{ checkpoint: ShardCheckpoint | undefined; epoch: number }> {
    const key = checkpointKey(fresh.stream, fresh.shardId);
    for (;;) {
      const current = await this.#storage.getVersioned(key);
      const checkpoint =
        current === undefined ? undefined : parseCheckpoint(key, current.body, fresh.stream, fresh.shardId);
      const epoch = (current === undefined ? 0 : epochOf(current.body)) + 1;
      const doc: ShardCheckpoint = {
        ...(checkpoint ?? { version: CHECKPOINT_FORMAT_VERSION, ...fresh }),
        updatedAt: new Date().toISOString(),
        leaseEpoch: epoch,
      };
      const body = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
      if ((await this.#storage.putIfVersion(key, body, current?.version ?? null)) !== undefined) {
        return { checkpoint, epoch };
      }
    }
  }

  /**
   * Writes a shard's checkpoint (atomically, durably), unless the document in the lake was written
   * under a higher lease epoch: then this writer is stale (another worker took the stream over) and
   * the write is refused, so a late write can never move a checkpoint back. The read-compare-write is
   * a compare-and-swap ({@link LakeStorage.putIfVersion}), so a write racing another one is re-checked.
   *
   * @param checkpoint - the new state, without `version`, `updatedAt` and `leaseEpoch`
   * @param leaseEpoch - the writer's lease epoch; @default 0 (no lease)
   * @throws LeaseLostError when the document carries a higher epoch
   */
  public async write(
    checkpoint: Omit<ShardCheckpoint, 'version' | 'updatedAt' | 'leaseEpoch'>,
    leaseEpoch = 0,
  ): Promise<void> {
    const key = checkpointKey(checkpoint.stream, checkpoint.shardId);
    const doc: ShardCheckpoint = {
      version: CHECKPOINT_FORMAT_VERSION,
      ...checkpoint,
      updatedAt: new Date().toISOString(),
      leaseEpoch,
    };
    const body = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
    for (;;) {
      const current = await this.#storage.getVersioned(key);
      const theirs = current === undefined ? 0 : epochOf(current.body);
      if (theirs > leaseEpoch) {
        throw new LeaseLostError(
          checkpoint.stream,
          leaseEpoch,
          `${key} was written under epoch ${theirs}: another worker took this stream over; this write is refused`,
        );
      }
      if ((await this.#storage.putIfVersion(key, body, current?.version ?? null)) !== undefined) return;
    }
  }
}

/** Parses and checks a stored checkpoint document. */
function parseCheckpoint(key: string, bytes: Uint8Array, stream: string, shardId: string): ShardCheckpoint {
  let doc: ShardCheckpoint;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as ShardCheckpoint;
  } catch (err) {
    throw new CheckpointError(key, 'is not JSON', err);
  }
  if (doc.version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      key,
      `has layout version ${String(doc.version)}, expected ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
  if (
    doc.stream !== stream ||
    doc.shardId !== shardId ||
    typeof doc.shardStartingSequenceNumber !== 'string' ||
    typeof doc.streamCreatedMs !== 'number'
  ) {
    throw new CheckpointError(
      key,
      'names another stream or shard, or lacks shardStartingSequenceNumber/streamCreatedMs',
    );
  }
  return doc;
}

/** The lease epoch a stored checkpoint document carries (0 when absent or unreadable). */
function epochOf(body: Uint8Array): number {
  try {
    const e = (JSON.parse(Buffer.from(body).toString('utf8')) as { leaseEpoch?: unknown }).leaseEpoch;
    return typeof e === 'number' && Number.isFinite(e) ? e : 0;
  } catch {
    return 0;
  }
}
