import type { Dataset, HiveColumn } from '../../schemas/index.js';

/** The engine a transformation is rendered for. */
export type Engine = 'duckdb' | 'spark';

/** One `{{macro}}` of dialects.json: its text per engine, or one text for both. */
export interface DialectMacro {
  readonly duckdb?: string;
  readonly spark?: string;
  readonly all?: string;
  readonly doc?: string;
}

/** One data-quality rule of quality_rules.json (see its header for the semantics of each kind). */
export interface QualityRule {
  /** Rule name, written into the quarantine table's `dq_rule`/`dq_rules`. */
  readonly rule: string;
  /** Why a failing row cannot be true, for people: the quarantine table's `dq_reason`. */
  readonly reason: string;
  readonly kind: 'not_null' | 'in' | 'range' | 'check';
  /** `not_null`: the columns that must be present. */
  readonly columns?: readonly string[];
  /** `in` and `range`: the checked column. */
  readonly column?: string;
  /** `in`: allowed values. */
  readonly values?: readonly (string | number)[];
  /** `range`: inclusive lower bound. */
  readonly min?: number;
  /** `range`: inclusive upper bound. */
  readonly max?: number;
  /** `check`: SQL boolean that must be TRUE. */
  readonly expr?: string;
  /** Optional SQL boolean: the rule applies only where it is TRUE. */
  readonly when?: string;
}

/**
 * The natural key of a dataset (pipeline.json `naturalKeys`): curated keeps one row per key, the
 * first in `latestFirst` order among the rows that passed every rule (ties broken by the latest
 * ingest file, then event_id, so both engines keep the same row).
 */
export interface NaturalKey {
  /** SQL expressions over the checked row (column names, or e.g. `coalesce(settlement_point, load_zone)`). */
  readonly columns: readonly string[];
  /** ORDER BY terms, the winner first (e.g. `version DESC`). */
  readonly latestFirst: readonly string[];
  /** What the key means, for the docs. */
  readonly doc?: string;
}

/** Where a published step lives: `<lake>/<zone>/<name>/`, queried as the view `<zone>_<name>`. */
export interface TableRef {
  readonly zone: 'curated' | 'gold';
  readonly name: string;
}

/** One step of pipeline.json. */
export interface PipelineStep {
  /** Relation name other steps and readers use (`<zone>_<name>` for published steps). */
  readonly name: string;
  /** SQL file name in sql/curated. */
  readonly sql: string;
  /** `aligned`: partition-wise over the changed dts; `full`: whole inputs, diff-published. */
  readonly mode: 'aligned' | 'full';
  /** `raw_<dataset>`, earlier working steps, or published steps. */
  readonly inputs: readonly string[];
  /** Published table; absent for a working table of the run. */
  readonly table?: TableRef;
  /** Dataset whose contract and quality rules the step's placeholders use. */
  readonly dataset?: Dataset;
  /** Sort order of rows inside written files. */
  readonly sortBy?: readonly string[];
}

/** pipeline.json with its SQL, rules and dialect shim loaded. */
export interface Pipeline {
  /** Folder it was loaded from. */
  readonly dir: string;
  /** `{{param}}` values. */
  readonly params: Readonly<Record<string, string | number>>;
  readonly steps: readonly PipelineStep[];
  /** SQL text of each step (by step name), before rendering. */
  readonly sqlText: Readonly<Record<string, string>>;
  readonly qualityRules: Readonly<Record<Dataset, readonly QualityRule[]>>;
  /** Natural key of each dataset (pipeline.json `naturalKeys`). */
  readonly naturalKeys: Readonly<Record<Dataset, NaturalKey>>;
  readonly macros: Readonly<Record<string, DialectMacro>>;
  /** Expected output schema of every published step (sql/curated/tables.json), by step name. */
  readonly tables: Readonly<Record<string, TableSchema>>;
}

/** The schema of a published table (entries of sql/curated/tables.json). */
export interface TableSchema {
  readonly zone: 'curated' | 'gold';
  readonly table: string;
  /** Data columns (in the Parquet files), Hive types. */
  readonly columns: readonly HiveColumn[];
  /** Partition columns (folder names only). */
  readonly partitionKeys: readonly HiveColumn[];
}

/** One data file of a manifest partition. */
export interface ManifestFile {
  readonly name: string;
  readonly bytes: number;
  readonly rows?: number;
}

/** One dt partition of a published table. */
export interface ManifestPartition {
  /** Folder relative to the table root, e.g. `versions/<runId>/dt=2026-11-22`. */
  readonly location: string;
  readonly files: readonly ManifestFile[];
  readonly rows: number;
  readonly bytes: number;
}

/**
 * `<table>/_manifest.json`: the published state of a table. Replaced atomically (write + rename) by
 * each run that changes the table, so a reader sees the old or the new set of files, never a mix.
 */
export interface TableManifest {
  readonly format: number;
  /** `<zone>/<name>`. */
  readonly table: string;
  /** Increases by one with every publish. */
  readonly version: number;
  /** Run that published this version. */
  readonly runId: string;
  readonly publishedAt: string;
  /** Engine that wrote the last version. */
  readonly engine: Engine;
  readonly columns: readonly HiveColumn[];
  readonly partitionKeys: readonly HiveColumn[];
  /** By dt, in ascending order. */
  readonly partitions: Readonly<Record<string, ManifestPartition>>;
  /** Locations replaced by a later version, kept for readers until `retentionMs` after `since`. */
  readonly superseded: readonly { readonly location: string; readonly since: string }[];
}

/** A raw file curation did not read, and why. */
export interface SkippedFile {
  /** Lake-relative path. */
  readonly file: string;
  readonly reason: string;
}

/** Progress events of a run, for the CLI and the scheduler's logs. */
export interface CurationProgress {
  readonly step: string;
  readonly message: string;
}

/** Options of {@link runCuration}. */
export interface CurationOptions {
  /** Lake directory (holds `raw/`, gets `curated/` and `gold/`). */
  readonly lake: string;
  /** Datasets whose raw zone is curated. @default all */
  readonly datasets?: readonly Dataset[];
  /** Re-curate every raw partition with dt >= this date (yyyy-MM-dd), changed or not. */
  readonly since?: string;
  /** Re-curate every raw partition. @default false */
  readonly full?: boolean;
  /** Target Parquet file size. @default 128 MiB */
  readonly targetFileSizeBytes?: number;
  /** Lateness window for incremental scans. @default 48 h */
  readonly latenessMs?: number;
  /** How long superseded versions are kept for readers. @default 15 min */
  readonly retentionMs?: number;
  /** DuckDB threads. @default 2 */
  readonly threads?: number;
  /** DuckDB memory limit. @default '4GB' */
  readonly memoryLimit?: string;
  /** Clock (epoch ms). @default Date.now */
  readonly now?: () => number;
  /** Folder of pipeline.json and the SQL. @default the repository's sql/curated */
  readonly sqlDir?: string;
  /** Called as the run progresses. */
  readonly onProgress?: (event: CurationProgress) => void;
  /** When true, a run that finds the lock held returns a summary with `locked: true` instead of throwing. */
  readonly skipIfLocked?: boolean;
}

/** What a run did per raw dataset. */
export interface DatasetRunSummary {
  /** Raw dts (re)curated. */
  readonly dts: readonly string[];
  /** Raw files read. */
  readonly files: number;
  /** Rows in those files. */
  readonly rows: number;
  /** Rows dropped as duplicates of an event_id with a later ingest. */
  readonly duplicates: number;
  /** Files not read (corrupt, wrong column types). */
  readonly skippedFiles: readonly SkippedFile[];
}

/** What a run did per published table. */
export interface TableRunSummary {
  /** dt partitions replaced (or removed) by this run. */
  readonly dts: readonly string[];
  /** Rows written by this run. */
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  /** Manifest version after the run. */
  readonly version: number;
}

/** Result of {@link runCuration}. */
export interface CurationSummary {
  readonly runId: string;
  readonly lake: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** True when the lock was held and `skipIfLocked` was set: nothing was done. */
  readonly locked: boolean;
  /** By raw dataset, for datasets with changed partitions. */
  readonly datasets: Readonly<Partial<Record<Dataset, DatasetRunSummary>>>;
  /** By step name, for tables this run republished. */
  readonly tables: Readonly<Record<string, TableRunSummary>>;
  /** Every skipped raw file, with the reason. */
  readonly skippedFiles: readonly SkippedFile[];
}

/** Options of {@link compactRaw}. */
export interface CompactionOptions {
  /** Lake directory. */
  readonly lake: string;
  /** @default all */
  readonly datasets?: readonly Dataset[];
  /**
   * Grace after an hour's end before its partition counts as closed (late flushes land meanwhile);
   * partitions whose hour ended less than this long ago are left alone. `gridstream up` uses minutes,
   * `gridstream curate --compact` the curation lateness window. @default 48 h
   */
  readonly latenessMs?: number;
  /** Return `locked: true` instead of throwing when a curation run holds the lake. @default false */
  readonly skipIfLocked?: boolean;
  /** @default 128 MiB */
  readonly targetFileSizeBytes?: number;
  /** Compact partitions with at least this many files. @default 2 */
  readonly minFiles?: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly onProgress?: (event: CurationProgress) => void;
}

/** Result of {@link compactRaw}. */
export interface CompactionSummary {
  readonly partitions: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly rows: number;
  /** Files left as they were (not the contract's exact schema, or unreadable). */
  readonly skippedFiles: readonly SkippedFile[];
  readonly durationMs: number;
  /** True when the run was skipped because a curation run held the lake (`skipIfLocked`). */
  readonly locked: boolean;
}
