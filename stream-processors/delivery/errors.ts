/** Base error of the delivery unit: says whether retrying may help and keeps its cause. */
export class DeliveryError extends Error {
  /** True when the same operation may succeed later. */
  public readonly retriable: boolean;
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.retriable = options.retriable ?? false;
  }
}

/** A delivery option is out of range; thrown before any network call. */
export class DeliveryConfigurationError extends DeliveryError {
  public constructor(message: string) {
    super(message, { retriable: false });
    this.name = 'DeliveryConfigurationError';
  }
}

/** A checkpoint document in the lake cannot be read (corrupt or from another layout version). */
export class CheckpointError extends DeliveryError {
  /** Lake key of the checkpoint. */
  public readonly key: string;
  public constructor(key: string, message: string, cause?: unknown) {
    super(`checkpoint ${key}: ${message}`, { retriable: false, cause });
    this.name = 'CheckpointError';
    this.key = key;
  }
}

/** DuckDB failed to convert a batch to Parquet. */
export class ParquetWriteError extends DeliveryError {
  public constructor(target: string, cause: unknown) {
    super(`writing Parquet ${target} failed: ${(cause as Error).message}`, { retriable: false, cause });
    this.name = 'ParquetWriteError';
  }
}

/** Reading a shard failed for good (after retries, or with a non-retriable error). */
export class ShardReadError extends DeliveryError {
  /** Stream name. */
  public readonly stream: string;
  /** Shard id. */
  public readonly shardId: string;
  public constructor(stream: string, shardId: string, cause: unknown) {
    super(`reading ${stream}/${shardId} failed: ${(cause as Error).name}: ${(cause as Error).message}`, {
      retriable: false,
      cause,
    });
    this.name = 'ShardReadError';
    this.stream = stream;
    this.shardId = shardId;
  }
}

/** The worker was used after `stop()`, or started twice. */
export class WorkerStateError extends DeliveryError {
  public constructor(message: string) {
    super(message, { retriable: false });
    this.name = 'WorkerStateError';
  }
}

/**
 * This worker may not write a stream (any more): its lease expired without a renewal, another worker
 * took it over (a higher epoch), or a checkpoint in the lake was already written under a higher epoch.
 * The stream's consumers stop; the worker waits to take the lease again.
 */
export class LeaseLostError extends DeliveryError {
  /** Stream name. */
  public readonly stream: string;
  /** The epoch this worker held (0: none). */
  public readonly epoch: number;
  public constructor(stream: string, epoch: number, reason: string, cause?: unknown) {
    super(`lost the lease on stream ${stream} (epoch ${epoch}): ${reason}`, { retriable: false, cause });
    this.name = 'LeaseLostError';
    this.stream = stream;
    this.epoch = epoch;
  }
}

/**
 * True when `err`, or an error in its `cause` chain, is a {@link LeaseLostError} (consumers wrap what
 * they throw).
 *
 * @param err - any thrown value
 */
export function isLeaseLost(err: unknown): err is Error {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (e.name === 'LeaseLostError') return true;
    e = e.cause;
  }
  return false;
}
