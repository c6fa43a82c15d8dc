/**
 * Rewrites the few Athena (Trino) constructs the analyst SQL in sql/athena uses into DuckDB, so the
 * same files run locally through `gridstream query -f` and on Athena. Everything else in those files is
 * already common to both (date_diff('unit', a, b), INTERVAL '1' HOUR, current_timestamp, corr, ...).
 *
 * | Athena                          | DuckDB                              |
 * |---------------------------------|-------------------------------------|
 * | date_format(ts, '%Y-%m-%d')     | strftime(ts, '%Y-%m-%d')            |
 * | from_iso8601_timestamp(s)       | CAST(s AS TIMESTAMPTZ)              |
 * | approx_distinct(x)              | approx_count_distinct(x)            |
 * | is_nan(x)                       | isnan(x)                            |
 * | CAST(x AS varchar) / VARCHAR    | unchanged (DuckDB has VARCHAR)      |
 *
 * @param sql - Athena SQL
 * @returns DuckDB SQL
 * @example
 * ```ts
 * athenaToDuckDb("select date_format(now(), '%Y-%m-%d')"); // "select strftime(now(), '%Y-%m-%d')"
 * ```
 */
export function athenaToDuckDb(sql: string): string {
  return sql
    .replace(/\bdate_format\s*\(/gi, 'strftime(')
    .replace(/\bapprox_distinct\s*\(/gi, 'approx_count_distinct(')
    .replace(/\bis_nan\s*\(/gi, 'isnan(')
    .replace(/\bfrom_iso8601_timestamp\s*\(([^()]*)\)/gi, 'CAST($1 AS TIMESTAMPTZ)');
}
