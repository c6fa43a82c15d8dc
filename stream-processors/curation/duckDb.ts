import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** An in-memory DuckDB for one run, in UTC. */
export interface DuckDbSession {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** Runs a query and returns its rows as plain JS values (BIGINT as bigint). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/**
 * Opens an in-memory DuckDB with the session settings curation relies on: UTC (dates and hours of
 * timestamps), a memory limit with a spill directory, and no insertion-order guarantee (lets COPY and
 * aggregations stream; every output is ordered explicitly where order matters).
 *
 * @param options - threads, memory limit and spill directory
 */
export async function openDuckDb(options: {
  threads: number;
  memoryLimit: string;
  tempDirectory?: string;
}): Promise<DuckDbSession> {
  const config: Record<string, string> = {
    threads: String(options.threads),
    memory_limit: options.memoryLimit,
    preserve_insertion_order: 'false',
  };
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(':memory:', config);
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  // Footers are read by the file check and again by the scan: read them once.
  await connection.run('LOAD parquet');
  await connection.run('SET parquet_metadata_cache = true');
  return {
    instance,
    connection,
    async rows(sql: string) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Maps a DuckDB column type (as DESCRIBE prints it) to the Hive type of the same Parquet column. */
export function duckDbToHiveType(duckType: string): string {
  const t = duckType.toUpperCase();
  const map: Record<string, string> = {
    VARCHAR: 'string',
    INTEGER: 'int',
    BIGINT: 'bigint',
    DOUBLE: 'double',
    FLOAT: 'float',
    BOOLEAN: 'boolean',
    'TIMESTAMP WITH TIME ZONE': 'timestamp',
    DATE: 'date',
  };
  const hive = map[t];
  if (hive) return hive;
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  // A type Hive/Athena/Spark would read differently (HUGEINT, naive TIMESTAMP, ...): a SQL defect.
  throw new TypeError(`DuckDB type ${duckType} has no portable Hive type; cast it in the SQL`);
}
