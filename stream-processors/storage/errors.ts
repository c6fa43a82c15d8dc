/** Base error of the lake storage unit: says whether retrying may help and keeps its cause. */
export class StorageError extends Error {
  /** True when the same operation may succeed later (throttling, 5xx, a full disk freed up). */
  public readonly retriable: boolean;
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.retriable = options.retriable ?? false;
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
