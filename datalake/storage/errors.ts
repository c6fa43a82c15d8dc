import { GridstreamError } from '../../common/errors.js';
/** Base error of the lake storage unit: says whether retrying may help and keeps its cause. */
export class StorageError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** A `--lake` value is neither a directory nor an `s3://bucket[/prefix]` URL. */
export class InvalidLakeLocationError extends StorageError {
  /** The location as received. */
  public readonly location: string;
  public constructor(location: string, reason: string) {
    super(`invalid lake location ${JSON.stringify(location)}: ${reason}`, { retriable: false });
    this.name = 'InvalidLakeLocationError';
    this.location = location;
  }
}

/** An object key is empty, absolute, or climbs out of the lake with `..`. */
export class InvalidObjectKeyError extends StorageError {
  /** The key as received. */
  public readonly key: string;
  public constructor(key: string) {
    super(`invalid lake object key ${JSON.stringify(key)}: keys are relative, without "." or ".." segments`, {
      retriable: false,
    });
    this.name = 'InvalidObjectKeyError';
    this.key = key;
  }
}

/**
 * The local lake cannot be written: a read-only filesystem, a full disk, missing permissions, or a
 * file where a folder must be. Never retriable: retrying cannot fix it, and the caller must stop and
 * say so. The message names the cause in words, the lake and the path, and what to do.
 */
export class LakeNotWritableError extends StorageError {
  /** The system error code (`EROFS`, `ENOSPC`, `EACCES`, `EPERM`, `ENOTDIR`, `EEXIST`, `EDQUOT`). */
  public readonly code: string;
  /** The lake's location. */
  public readonly lake: string;
  /** The path the failed operation was on. */
  public readonly path: string;

  /**
   * @param lake - the lake's location
   * @param path - the path the operation failed on
   * @param code - the system error code
   * @param words - the cause in words and what to do
   * @param cause - the system error
   */
  public constructor(
    lake: string,
    path: string,
    code: string,
    words: { readonly cause: string; readonly advice: string },
    cause: unknown,
  ) {
    const where = path === lake ? '' : ` (at ${path})`;
    super(`the lake ${lake} ${words.cause} (${code})${where} — ${words.advice}`, {
      retriable: false,
      cause,
    });
    this.name = 'LakeNotWritableError';
    this.code = code;
    this.lake = lake;
    this.path = path;
  }
}
