/**
 * A SQL string literal: the value in single quotes, embedded quotes doubled.
 *
 * @param s - the value
 */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * A quoted SQL identifier: the name in double quotes, embedded quotes doubled.
 *
 * @param s - the column, table or view name
 */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/**
 * A DuckDB list literal of string literals, e.g. for `read_parquet`'s file list.
 *
 * @param items - the values
 */
export function sqlList(items: readonly string[]): string {
  return `[${items.map(sqlString).join(', ')}]`;
}
