export {
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBValue,
  StatementType,
} from '@duckdb/node-api';
export { type DuckDbOptions, type DuckDbSession, openDuckDb } from './openDuckDb.js';
export { ident, sqlList, sqlString } from './sqlQuote.js';
