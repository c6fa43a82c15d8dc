/**
 * Lake zones that get views by default, in the order they are registered. A zone is a top-level
 * folder (`raw/`, `curated/`, `gold/`); every folder below it holding Parquet becomes a view
 * `<zone>_<folder>` (e.g. `raw_grid`, `curated_grid`, `gold_daily_prices`).
 */
export const LAKE_VIEW_ZONES = ['raw', 'curated', 'gold'] as const;

/** DuckDB types of the Hive partition columns every raw and curated table has. */
export const PARTITION_COLUMN_TYPES = { dt: 'DATE', hr: 'INTEGER' } as const;

/** Output formats of `gridstream query`. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
