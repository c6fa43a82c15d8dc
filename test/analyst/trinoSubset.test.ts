// The analyst SQL must run on Athena (engine v3, Trino) as written, and no Trino runs here: the files
// may use only the functions and forms listed in sql/athena/README.md, which both engines have (the
// Athena shim renames the few DuckDB spells otherwise). DuckDB itself runs every file in the other
// analyst tests; this one refuses what only DuckDB would accept.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SQL_ATHENA_DIR } from '../../stream-processors/curation/index.js';

/** Functions (and parameterised types) the analyst SQL may call: in Trino 3xx and, via the shim, DuckDB. */
const SHARED_FUNCTIONS = new Set([
  'avg',
  'coalesce',
  'corr',
  'count',
  'date_diff',
  'date_format', // shim: strftime
  'date_trunc',
  'approx_distinct', // shim: approx_count_distinct
  'floor',
  'from_iso8601_timestamp', // shim: CAST(... AS TIMESTAMPTZ)
  'hour',
  'is_nan', // shim: isnan
  'lpad',
  'max',
  'min',
  'round',
  'row_number',
  'sum',
  'decimal', // the type decimal(p, s)
]);

/** Words followed by "(" that are syntax, not calls. */
const SYNTAX = new Set([
  'as',
  'in',
  'over',
  'and',
  'or',
  'not',
  'exists',
  'from',
  'join',
  'on',
  'by',
  'when',
  'then',
  'else',
  'select',
  'where',
  'cast',
  'all',
  'union',
  'view',
]);

/** DuckDB-only forms Athena refuses, each with the reason. */
const DUCKDB_ONLY: readonly [RegExp, string][] = [
  [/::/, 'the :: cast (Trino: CAST(x AS type))'],
  [/\bINTERVAL\s+(?!')/i, "an unquoted interval (Trino: INTERVAL '1' HOUR)"],
  [/\bINTERVAL\s+'[^']*\s[^']*'/i, "a unit inside the interval string (Trino: INTERVAL '1' HOUR)"],
  [/\bGROUP\s+BY\s+ALL\b|\bORDER\s+BY\s+ALL\b/i, 'GROUP BY ALL / ORDER BY ALL'],
  [/\bQUALIFY\b/i, 'QUALIFY'],
  [/\bILIKE\b/i, 'ILIKE'],
  [/\bEXCLUDE\s*\(/i, 'SELECT * EXCLUDE'],
  [/\bTIMESTAMPTZ\b/i, 'TIMESTAMPTZ (Trino: timestamp with time zone)'],
  [/"/, 'a double-quoted identifier (Glue names are lower-case words; quoting differs in meaning)'],
  [/\bcurrent_date\s*-\s*\d/i, 'date minus an integer (Trino: current_date - INTERVAL ... DAY)'],
];

const files = ['queries', 'views'].flatMap((dir) =>
  readdirSync(join(SQL_ATHENA_DIR, dir))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => `${dir}/${f}`),
);

/** The SQL without comments and string literals. */
function code(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/'[^']*'/g, "''");
}

describe('analyst SQL stays within what Athena engine v3 (Trino) and DuckDB share', () => {
  it.each(files)('%s calls only shared functions', (file) => {
    const sql = code(readFileSync(join(SQL_ATHENA_DIR, file), 'utf8'));
    const calls = [...sql.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1]!.toLowerCase());
    expect(calls.filter((c) => !SYNTAX.has(c) && !SHARED_FUNCTIONS.has(c))).toEqual([]);
  });

  it.each(files)('%s uses no DuckDB-only form', (file) => {
    const text = readFileSync(join(SQL_ATHENA_DIR, file), 'utf8');
    const sql = code(text).replace(/''/g, "'1'");
    const found = DUCKDB_ONLY.filter(([re]) =>
      re.test(re.source.includes("'") ? text.replace(/--[^\n]*/g, '') : sql),
    );
    expect(found.map(([, why]) => why)).toEqual([]);
  });

  it('refuses a DuckDB-only query (the check can fail)', () => {
    const sql = code("SELECT strftime(now(), '%Y') AS y, x::int FROM t GROUP BY ALL");
    const calls = [...sql.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1]!.toLowerCase());
    expect(calls.filter((c) => !SYNTAX.has(c) && !SHARED_FUNCTIONS.has(c))).toEqual(['strftime', 'now']);
    expect(DUCKDB_ONLY.filter(([re]) => re.test(sql)).map(([, why]) => why)).toEqual([
      'the :: cast (Trino: CAST(x AS type))',
      'GROUP BY ALL / ORDER BY ALL',
    ]);
  });
});
