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
 * Kinesis kept failing with transient errors (connection refused, timeouts, 5xx) for longer than the
 * worker may wait: it never answered since the start (`reached` false: most often no emulator is
 * running at the endpoint), or it stopped answering for longer than a bounded run allows. `cause` is
 * the last error. Not retriable: the time allowed is spent.
 */
export class SourceUnreachableError extends DeliveryError {
  /** True when Kinesis answered at least once since the start. */
  public readonly reached: boolean;
  /** How long it had been failing, ms. */
  public readonly unreachableMs: number;
  /**
   * @param reached - whether Kinesis answered once since the start
   * @param unreachableMs - how long it had been failing, ms
   * @param cause - the last error
   */
  public constructor(reached: boolean, unreachableMs: number, cause: unknown) {
    const seconds = Math.round(unreachableMs / 1000);
    super(
      reached
        ? `Kinesis unreachable for ${seconds} s, giving up; last error: ${describeSourceError(cause)}`
        : `Kinesis never answered in ${seconds} s since the start; last error: ${describeSourceError(cause)}`,
      { retriable: false, cause },
    );
    this.name = 'SourceUnreachableError';
    this.reached = reached;
    this.unreachableMs = unreachableMs;
  }
}

/**
 * A short name for a source error, as status lines show it: the socket code (`ECONNREFUSED`), else the
 * error name (`ServiceUnavailableException`), else its message. A `RetriesExhaustedError` is described
 * by its last error.
 *
 * @param err - any thrown value
 */
export function describeSourceError(err: unknown): string {
  let e = err as (Error & { code?: unknown; cause?: unknown }) | undefined;
  if (e?.name === 'RetriesExhaustedError' && e.cause !== undefined) e = e.cause as typeof e;
  if (!(e instanceof Error)) return String(e);
  // The SDK wraps socket errors; their code is on the error or on its cause.
  const code = e.code ?? (e.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  if (e.name !== 'Error') return e.name;
  return e.message;
}
