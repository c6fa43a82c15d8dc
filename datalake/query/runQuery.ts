import { type DuckDBConnection, StatementType } from '../duckdb/index.js';
import type { QueryResult } from './types.js';

// Earlier statements of a script print only when they produce rows to read (not INSERT's "Count").
const SHOWN_STATEMENTS: ReadonlySet<StatementType> = new Set([
  StatementType.SELECT,
  StatementType.EXPLAIN,
  StatementType.PRAGMA,
]);
const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT']);

/**
 * Runs one or more `;`-separated statements and returns, in order, the result of each SELECT-like
 * statement (SELECT, SHOW, DESCRIBE, EXPLAIN, PRAGMA) and of the last statement.
 *
 * @param connection - a DuckDB connection (typically from `openLakeConnection`)
 * @param sql - the SQL text
 */
export async function runQuery(connection: DuckDBConnection, sql: string): Promise<QueryResult[]> {
  const statements = await connection.extractStatements(sql);
  const results: QueryResult[] = [];
  for (let i = 0; i < statements.count; i++) {
    const prepared = await statements.prepare(i);
    const shows = i === statements.count - 1 || SHOWN_STATEMENTS.has(prepared.statementType);
    const reader = await prepared.runAndReadAll();
    if (reader.columnCount === 0 || !shows) continue;
    const columns = reader.columnNames();
    const types = reader.columnTypes().map(String);
    // DuckDB renders 64-bit integers as strings in JSON; counts and sums read better as numbers.
    const json = reader.getRowObjectsJson().map((row) => {
      const out: Record<string, unknown> = {};
      columns.forEach((c, j) => {
        const v = (row as Record<string, unknown>)[c];
        out[c] =
          typeof v === 'string' && INTEGER_TYPES.has(types[j]!) && Number.isSafeInteger(Number(v))
            ? Number(v)
            : v;
      });
      return out;
    });
    const rows = reader.getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
    results.push({ columns, types, rows, json });
  }
  return results;
}
