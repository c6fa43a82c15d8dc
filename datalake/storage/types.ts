/** An object's content with the version token a conditional write names (an S3 ETag, a local file identity). */
export interface VersionedBytes {
  /** The content. */
  readonly body: Uint8Array;
  /** Opaque token that changes with every write of the object. */
  readonly version: string;
}

/**
 * Where the lake lives and how its objects are written. One interface for a local directory and an
 * S3 bucket (or any S3-compatible server), so the delivery worker and the query command do not care.
 *
 * Every write is atomic and durable before its promise resolves: a reader (or a restarted worker)
 * sees an object complete or not at all, and a resolved write survives a crash or power loss.
 * Keys are lake-relative (`raw/grid/dt=2026-11-22/hr=12/x.parquet`), always with `/`.
 */
export interface LakeStorage {
  /** `local` for a directory, `s3` for a bucket. */
  readonly kind: 'local' | 's3';
  /** The location as the user gave it, normalised: an absolute directory or `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * A local directory for files that {@link publishFile} will move into the lake. For a local lake it
   * is on the lake's filesystem (so publishing is a rename); for S3 it is under the OS temp directory.
   * Private to this storage instance (one per process).
   */
  stagingDir(): Promise<string>;
  /**
   * Publishes a local file (typically in {@link stagingDir}) as `key`: fsync + rename + directory fsync
   * locally, a single PUT on S3. The local file is gone afterwards. Replaces an existing object.
   *
   * @param key - lake-relative key
   * @param localPath - the file to publish
   */
  publishFile(key: string, localPath: string): Promise<void>;
  /**
   * Writes bytes as `key`, atomically and durably. Replaces an existing object.
   *
   * @param key - lake-relative key
   * @param body - the content
   */
  putBytes(key: string, body: Uint8Array): Promise<void>;
  /**
   * Reads an object.
   *
   * @param key - lake-relative key
   * @returns the content, or undefined when there is no such object
   */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  /**
   * Reads an object with its version token, for a later {@link putIfVersion}.
   *
   * @param key - lake-relative key
   * @returns the content and version, or undefined when there is no such object
   */
  getVersioned(key: string): Promise<VersionedBytes | undefined>;
  /**
   * Compare-and-swap: writes bytes as `key` (atomically, durably) only when the object is still in the
   * state the caller last saw, so that of two writers racing from the same state exactly one wins.
   * S3: a PUT with `If-None-Match: *` (create) or `If-Match: <etag>` (replace). Local disk: the same
   * check and rename under a short per-key lock file taken with an exclusive create.
   *
   * @param key - lake-relative key
   * @param body - the content
   * @param expected - `null`: only if there is no such object; a version from {@link getVersioned}
   *   or from an earlier call: only if that is still the current version
   * @returns the new version, or undefined when the condition did not hold (nothing was written)
   * @example
   * ```ts
   * const cur = await lake.getVersioned('_leases/grid.json');
   * const won = await lake.putIfVersion('_leases/grid.json', next, cur?.version ?? null);
   * ```
   */
  putIfVersion(key: string, body: Uint8Array, expected: string | null): Promise<string | undefined>;
  /**
   * Keys under a prefix, recursively, in lexicographic order. Staging files are never listed.
   *
   * @param prefix - lake-relative prefix ending with `/`, or `''` for the whole lake
   */
  list(prefix: string): Promise<string[]>;
  /**
   * Child "folders" directly under a prefix (e.g. the datasets under `raw/`), without the prefix and
   * without the trailing `/`.
   *
   * @param prefix - lake-relative prefix ending with `/`, or `''` for the lake root
   */
  listFolders(prefix: string): Promise<string[]>;
  /**
   * What DuckDB (or another reader) opens for a key or glob: an absolute path, or an `s3://` URL.
   *
   * @param key - lake-relative key or glob
   */
  urlFor(key: string): string;
  /** Releases clients and removes this instance's staging directory. */
  close(): Promise<void>;
}
