import { readFile } from 'node:fs/promises';
import {
  assertLocalLake,
  formatResult,
  NoLakeError,
  OUTPUT_FORMATS,
  type OutputFormat,
  openLakeConnection,
  runQuery,
} from '../../datalake/query/index.js';
import { DEFAULT_LAKE } from '../../datalake/storage/index.js';
import { athenaToDuckDb, registerCurationViews } from '../../stream-processors/curation/index.js';
import { type Command, LAKE_OPTION, UsageError } from '../command.js';

/** A `--lake` value naming a remote store (`s3://…`) rather than a local directory. */
export const REMOTE_LAKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Refuses (exit 2) a local `--lake` that holds no lake, instead of answering 0 rows from it or writing
 * state into it.
 *
 * @param lake - the `--lake` value
 * @throws UsageError naming the path and what is missing
 */
export async function checkedLake(lake: string): Promise<void> {
  try {
    await assertLocalLake(lake);
  } catch (err) {
    if (err instanceof NoLakeError) throw new UsageError(err.message);
    throw err;
  }
}

/** `gridstream query`: SQL over the lake with DuckDB, one view per zone and table. */
export const command: Command = {
  name: 'query',
  summary:
    'Run SQL over the lake with DuckDB (views raw_grid, raw_weather, raw_transactions, curated_*, gold_*)',
  usage: '[--lake DIR|s3://bucket/prefix] [--format table|csv|json] ("<SQL>" | -f FILE.sql)',
  details: `
Every <zone>/<table>/ folder of the lake is a view <zone>_<table>: raw_grid, raw_weather,
raw_transactions (and curated_<dataset>, gold_<table> once curation writes them). Partition columns
dt (DATE) and hr (INTEGER) prune folders: WHERE dt = DATE '2026-11-22' AND hr = 12 reads one hour.
Timestamps are TIMESTAMPTZ shown in UTC. A local --lake must hold a lake (a raw/ or _checkpoints/
folder, as \`gridstream up\`/\`deliver\` create): any other path is refused with exit 2, so a typo does
not answer 0 rows. A lake with no data yet gives empty views. An s3:// lake needs DuckDB's
httpfs extension (DuckDB installs it on first use when it can reach its extension repository).

Examples:
  gridstream query "select dt, hr, count(*) from raw_grid group by all order by all"
  gridstream query --format csv "select * from raw_weather where dt = current_date limit 10"
  gridstream query -f report.sql --format json`,
  options: {
    lake: LAKE_OPTION,
    format: {
      type: 'string',
      description: 'Output format: table, csv or json',
      valueName: 'FMT',
      default: 'table',
    },
    file: { type: 'string', short: 'f', description: 'Read the SQL from a file', valueName: 'FILE' },
  },
  allowPositionals: true,
  async run(values, positionals) {
    const format = String(values.format ?? 'table');
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(
        `--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
      );
    }
    let sql: string;
    if (values.file !== undefined) {
      if (positionals.length > 0)
        throw new UsageError('give the SQL either as an argument or with -f, not both');
      sql = await readFile(String(values.file), 'utf8');
    } else {
      if (positionals.length === 0) throw new UsageError('missing the SQL to run');
      sql = positionals.join(' ');
    }
    if (sql.trim() === '') throw new UsageError('the SQL is empty');
    const lake = String(values.lake ?? DEFAULT_LAKE);
    if (!REMOTE_LAKE.test(lake)) await checkedLake(lake);
    // Raw views glob the partitions; curated and gold tables are read through their manifests (a glob
    // would also read superseded version folders), plus the analyst views of sql/athena/views.
    const { instance, connection } = await openLakeConnection(lake, { zones: ['raw'] });
    try {
      await registerCurationViews(connection, lake);
      // Analyst SQL is written for Athena; the shim rewrites the few functions DuckDB spells otherwise.
      const results = await runQuery(connection, athenaToDuckDb(sql));
      results.forEach((r, i) => {
        if (i > 0 && format === 'table') process.stdout.write('\n');
        process.stdout.write(formatResult(r, format as OutputFormat));
      });
      return 0;
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  },
};
