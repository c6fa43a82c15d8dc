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
  'EINTR',
]);

/**
 * Local error codes that mean the lake cannot be written at all, whatever is retried: each is
 * reported as a `LakeNotWritableError` naming the cause in words, and stops delivery at once.
 * `ENOSPC` is here, not among the retriable codes: a full disk rarely frees itself within a retry
 * budget, and retrying for minutes hid the cause.
 */
export const FATAL_FS_CODES = {
  EROFS: { cause: 'is on a read-only filesystem', advice: 'choose a writable --lake' },
  ENOSPC: { cause: 'has no space left on its device', advice: 'free some space or choose another --lake' },
  EDQUOT: { cause: 'is over its disk quota', advice: 'free some space or choose another --lake' },
  EACCES: {
    cause: 'is not writable by this user (permission denied)',
    advice: 'make it writable for this user or choose another --lake',
  },
  EPERM: {
    cause: 'refuses the operation (operation not permitted)',
    advice: 'make it writable for this user or choose another --lake',
  },
  ENOTDIR: {
    cause: 'has a file where a folder must be',
    advice: 'move the file away or choose another --lake',
  },
  EEXIST: {
    cause: 'has a file where a folder must be',
    advice: 'move the file away or choose another --lake',
  },
} as const satisfies Record<string, { readonly cause: string; readonly advice: string }>;
