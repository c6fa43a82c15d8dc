// The Athena shim renames the functions DuckDB spells otherwise, and nothing else.
import { describe, expect, it } from 'vitest';
import { athenaToDuckDb } from '../../stream-processors/curation/index.js';

describe('athenaToDuckDb', () => {
  it.each([
    ["date_format(ts, '%Y-%m-%d')", "strftime(ts, '%Y-%m-%d')"],
    ['approx_distinct(trade_id)', 'approx_count_distinct(trade_id)'],
    ['NOT is_nan(load_mw)', 'NOT isnan(load_mw)'],
    ["from_iso8601_timestamp('2026-12-05T00:00:00Z')", "CAST('2026-12-05T00:00:00Z' AS TIMESTAMPTZ)"],
  ])('%s', (athena, duckdb) => {
    expect(athenaToDuckDb(athena)).toBe(duckdb);
  });

  it('leaves names that only contain a shimmed name alone', () => {
    expect(athenaToDuckDb('SELECT this_is_nan(x), my_date_format FROM t')).toBe(
      'SELECT this_is_nan(x), my_date_format FROM t',
    );
  });
});
