import type { LakeStorage } from '../storage/index.js';
import { CHECKPOINT_FORMAT_VERSION } from './constants.js';
import { CheckpointError } from './errors.js';
import { checkpointKey } from './objectNames.js';
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

  /**
   * Writes a shard's checkpoint (atomically, durably).
   *
   * @param checkpoint - the new state, without `version` and `updatedAt`
   */
  public async write(checkpoint: Omit<ShardCheckpoint, 'version' | 'updatedAt'>): Promise<void> {
    const doc: ShardCheckpoint = {
      version: CHECKPOINT_FORMAT_VERSION,
      ...checkpoint,
      updatedAt: new Date().toISOString(),
    };
    await this.#storage.putBytes(
      checkpointKey(checkpoint.stream, checkpoint.shardId),
      Buffer.from(`${JSON.stringify(doc, null, 2)}\n`),
    );
  }
}
