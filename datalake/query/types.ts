import type { OUTPUT_FORMATS } from './constants.js';

/** One registered view. */
export interface LakeView {
  /** View name, `<zone>_<table>`. */
  readonly name: string;
  /** Zone folder (`raw`, `curated`, `gold`, …). */
  readonly zone: string;
  /** Table folder under the zone (a dataset for raw and curated). */
  readonly table: string;
  /** What the view reads: a Parquet glob, or nothing for an empty view. */
  readonly glob: string | undefined;
  /** Parquet files found when the view was registered. */
  readonly files: number;
}

/** A column of an empty view. */
export interface ViewColumn {
  readonly name: string;
  /** DuckDB type. */
  readonly type: string;
}

/** Options of `registerLakeViews`. */
export interface LakeViewOptions {
  /** Zones to scan. @default `LAKE_VIEW_ZONES` (raw, curated, gold) */
  readonly zones?: readonly string[];
  /**
   * Columns of a view whose folder has no Parquet yet, so a query on an empty lake returns zero rows
   * instead of failing. Partition columns `dt`, `hr` are added. Consulted first; when it returns
   * undefined the default applies (the contract's columns for the `raw` datasets, else no view).
   * @default the contract's columns for the `raw` datasets, undefined otherwise
   */
  readonly emptyViewColumns?: (zone: string, table: string) => readonly ViewColumn[] | undefined;
  /** Replace views that exist. @default true */
  readonly replace?: boolean;
}

/** Output format of query results. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A query's result, ready to print. */
export interface QueryResult {
  /** Column names. */
  readonly columns: readonly string[];
  /** DuckDB type of each column. */
  readonly types: readonly string[];
  /** Rows as DuckDB renders values (strings, null for NULL). */
  readonly rows: readonly (readonly (string | null)[])[];
  /** Rows as JSON-compatible values. */
  readonly json: readonly Record<string, unknown>[];
}
