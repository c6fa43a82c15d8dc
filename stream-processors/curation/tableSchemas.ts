import { ident, openDuckDb } from '../../datalake/duckdb/index.js';
import { contractFor, duckDbToHiveType } from '../../schemas/index.js';
import { DT_COLUMN } from './constants.js';
import { emptyRelationSql } from './DuckDbCurationRun.js';
import { PipelineDefinitionError } from './errors.js';
import { PARTITION_COLUMN, rawInputDataset, renderStep } from './pipeline.js';
import type { Pipeline, TableSchema } from './types.js';

/**
 * Derives the schema of every published step by running the pipeline over empty raw inputs on
 * DuckDB: what sql/curated/tables.json holds (a test keeps it current; the Athena/Glue table
 * definitions, the Redshift DDL and the Spark runner use it).
 *
 * @param pipeline - a pipeline loaded with `withoutTables`
 * @returns schemas by step name, in pipeline order
 */
export async function describePipelineTables(pipeline: Pipeline): Promise<Record<string, TableSchema>> {
  const db = await openDuckDb({
    threads: 1,
    memoryLimit: '256MB',
    preserveInsertionOrder: false,
    parquetMetadataCache: true,
  });
  try {
    const out: Record<string, TableSchema> = {};
    for (const step of pipeline.steps) {
      for (const input of step.inputs) {
        const d = rawInputDataset(input);
        if (!d) continue;
        const empty = emptyRelationSql(contractFor(d).columns).replace(
          ' WHERE false',
          ', CAST(NULL AS VARCHAR) AS ingest_path WHERE false',
        );
        await db.connection.run(`CREATE OR REPLACE TEMP VIEW ${ident(input)} AS ${empty}`);
      }
      await db.connection.run(
        `CREATE OR REPLACE TEMP TABLE ${ident(step.name)} AS ${renderStep(pipeline, step, 'duckdb')}`,
      );
      if (!step.table) continue;
      const cols = (await db.rows(`DESCRIBE ${ident(step.name)}`)).map((r) => ({
        name: String(r.column_name),
        type: duckDbToHiveType(String(r.column_type)),
      }));
      const last = cols.pop();
      if (last?.name !== DT_COLUMN || last.type !== 'string') {
        throw new PipelineDefinitionError(
          `${step.sql} must end with a string column ${DT_COLUMN} (the partition)`,
        );
      }
      out[step.name] = {
        zone: step.table.zone,
        table: step.table.name,
        columns: cols,
        partitionKeys: [PARTITION_COLUMN],
      };
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * The text of sql/curated/tables.json.
 *
 * @param tables - from {@link describePipelineTables}
 */
export function tablesJson(tables: Record<string, TableSchema>): string {
  return `${JSON.stringify(
    {
      $comment:
        'Generated from the pipeline by stream-processors/curation/writeGenerated.ts; a test fails when it is stale. Hive types.',
      tables,
    },
    null,
    2,
  )}\n`;
}
