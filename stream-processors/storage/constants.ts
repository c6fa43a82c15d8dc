/** Lake location used when `--lake` is not given: `./lake` under the working directory. */
export const DEFAULT_LAKE = './lake';

/**
 * Folders of the lake that are not data: staging files for atomic publishes (local lakes only) and
 * the delivery checkpoints. Both start with `_`, which DuckDB, Spark and Athena skip when they list a
 * table's files.
 */
export const LAKE_SYSTEM_PREFIXES = {
  /** Staging area for temp-then-rename publishes; same filesystem as the lake, so rename is atomic. */
  staging: '_tmp/',
  /** Delivery checkpoints, one JSON object per (stream, shard). */
  checkpoints: '_checkpoints/',
  /** Delivery leases, one JSON object per stream: which worker may write it. */
  leases: '_leases/',
} as const;

/**
 * The per-key lock of a local lake's conditional writes. It is held for a check and a rename
 * (milliseconds), so a lock older than `staleMs` belongs to a process that stopped inside it.
 */
export const KEY_LOCK = {
  /** Give up (retriably) after waiting this long for another process' lock. */
  waitMs: 10_000,
  /** A lock file older than this is broken. */
  staleMs: 10_000,
  /** Base pause between attempts (plus up to as much jitter). */
  pollMs: 2,
} as const;

/** A single S3 PUT is atomic up to 5 GiB; gridstream's objects stay far below. */
export const S3_MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** Local error codes after which the same filesystem operation may succeed later. */
export const RETRIABLE_FS_CODES: ReadonlySet<string> = new Set([
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ENOSPC',
  'EINTR',
]);
