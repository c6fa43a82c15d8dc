import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../common/packageRoot.js';

/** Lake zones curation reads and writes: `<lake>/<zone>/<table>/`. */
export const ZONES = { raw: 'raw', curated: 'curated', gold: 'gold' } as const;

/** Defaults of {@link runCuration} and {@link compactRaw}; tests pass their own values beside these. */
export const CURATION_DEFAULTS = {
  /** Target size of a written Parquet file (curated, gold, compacted raw). */
  targetFileSizeBytes: 128 * 1024 * 1024,
  /**
   * Lateness window. Incremental runs re-scan raw partitions from this long before the newest one
   * seen (late files there are merged); compaction only rewrites partitions whose hour ended at least
   * this long ago (closed).
   */
  latenessMs: 48 * 3_600_000,
  /** How long a superseded version directory is kept for readers that resolved the old manifest. */
  retentionMs: 15 * 60_000,
  /** DuckDB worker threads. */
  threads: 2,
  /** DuckDB memory limit (it spills to the lake's `curated/_tmp/` beyond it). */
  memoryLimit: '4GB',
  /** A closed raw partition is compacted when it has at least this many files. */
  compactionMinFiles: 2,
} as const;

/** Fast values for tests: tiny files and no retention, everything else as in production. */
export const CURATION_TEST_DEFAULTS = {
  targetFileSizeBytes: 1024 * 1024,
  retentionMs: 0,
  threads: 1,
  memoryLimit: '512MB',
} as const;

/** Lake-relative folders and files curation owns (all start with `_` so table readers skip them). */
export const CURATION_PATHS = {
  /** Per-dataset incremental state (watermark, raw partition fingerprints). */
  state: 'curated/_state/',
  /** Held while a curation or compaction run changes the lake. */
  lock: 'curated/_state/curation.lock',
  /** DuckDB spill files and compaction staging. */
  tmp: 'curated/_tmp/',
} as const;

/** A table's manifest, at its root: the only thing readers resolve to find the table's files. */
export const MANIFEST_FILE = '_manifest.json';
/** Folder under a table root holding one folder per run: `versions/<runId>/dt=<dt>/part-<i>.parquet`. */
export const VERSIONS_DIR = 'versions';
/** Layout version of manifests and state files. */
export const MANIFEST_FORMAT = 1;
/** Layout version of the incremental state files. */
export const STATE_FORMAT = 1;
/**
 * Name prefix of compacted raw files. `0` sorts before every delivery file name (they start with the
 * stream name), so a file delivered after a compaction counts as the later ingest.
 */
export const COMPACTED_FILE_PREFIX = '0-compacted-';
/** Partition column of every curated and gold table. */
export const DT_COLUMN = 'dt';

/** Where pipeline.json, the SQL files, quality_rules.json, dialects.json and tables.json live. */
export const SQL_CURATED_DIR = join(PACKAGE_ROOT, 'sql', 'curated', '/');
/** Where the analyst views and queries in Athena SQL live. */
export const SQL_ATHENA_DIR = join(PACKAGE_ROOT, 'sql', 'athena', '/');

/** Glue Data Catalog database holding the raw, curated and gold tables (table name = local view name). */
export const GLUE_DATABASE = 'gridstream';
