import { GridstreamError } from '../../common/errors.js';
/** Base error of the delivery unit: says whether retrying may help and keeps its cause. */
export class DeliveryError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'DeliveryError';
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

/**
 * DuckDB failed to convert a batch to Parquet. {@link refusedInput} tells a refusal of the data (a row
 * DuckDB will not read, whatever the attempt) from a failure of DuckDB itself (memory, disk).
 */
export class ParquetWriteError extends DeliveryError {
  /**
   * True when DuckDB refused the input (its error type is Invalid Input or Conversion): the same rows
   * fail again, and the rows to blame can be found by converting parts of the batch.
   */
  public readonly refusedInput: boolean;
  /** DuckDB's message, first line, without the name of the transient input file. */
  public readonly detail: string;
  /**
   * @param target - the Parquet file being written
   * @param cause - DuckDB's error
   * @param input - the transient NDJSON file DuckDB read (left out of {@link detail})
   */
  public constructor(target: string, cause: unknown, input?: string) {
    super(`writing Parquet ${target} failed: ${(cause as Error).message}`, { retriable: false, cause });
    this.name = 'ParquetWriteError';
    const message = String((cause as Error | undefined)?.message ?? cause);
    // DuckDB's Node API gives no error type but the prefix of its message: the one place it is read.
    this.refusedInput = /^(Invalid Input|Conversion) Error:/.test(message);
    const first = message.split('\n')[0]!;
    // The transient file's name means nothing to a reader of the error record.
    this.detail = (input === undefined ? first : first.split(` in file "${input}",`).join('')).trim();
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
