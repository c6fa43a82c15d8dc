import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** An in-memory DuckDB for one run, in UTC. */
export interface DuckDbSession {
  readonly instance: DuckDBInstance;
  /** The session's first connection (open more with `instance.connect()`; each is set to UTC too). */
  readonly connection: DuckDBConnection;
  /** Opens another connection on the same database, in UTC. */
  connect(): Promise<DuckDBConnection>;
  /** Runs a query and returns its rows as plain JS values (BIGINT as bigint). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** Settings of a {@link DuckDbSession}; each is left at DuckDB's default when absent. */
export interface DuckDbOptions {
  /** Worker threads (DuckDB's default: every core). */
  readonly threads?: number;
  /** e.g. `256MB`. */
  readonly memoryLimit?: string;
  /** Where operators spill past the memory limit. */
  readonly tempDirectory?: string;
  /**
   * False lets COPY and aggregations stream without keeping input order (every output that needs an
   * order then orders explicitly). DuckDB's default is true.
   */
  readonly preserveInsertionOrder?: boolean;
  /** Freed memory goes back to the system past this size (DuckDB's default keeps 128 MB), e.g. `16MB`. */
  readonly allocatorFlushThreshold?: string;
  /**
   * Keep Parquet footers in memory, for a run that reads the same files more than once (curation's file
   * check, then its scan). Off by default, as in DuckDB.
   */
  readonly parquetMetadataCache?: boolean;
}

/**
 * The one way gridstream opens DuckDB: an in-memory database whose connections run in UTC (dates and
 * hours of timestamps are the lake's UTC partitions).
 *
 * @param options - threads, memory limit, spill directory, insertion order, allocator flush threshold,
 *   footer cache
 * @example
 * const db = await openDuckDb({ threads: 1, memoryLimit: '256MB' });
 * try { console.log(await db.rows('SELECT 42 AS answer')); } finally { db.close(); }
 */
export async function openDuckDb(options: DuckDbOptions = {}): Promise<DuckDbSession> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
  if (options.preserveInsertionOrder !== undefined)
    config.preserve_insertion_order = String(options.preserveInsertionOrder);
  if (options.allocatorFlushThreshold !== undefined)
    config.allocator_flush_threshold = options.allocatorFlushThreshold;
  const instance = await DuckDBInstance.create(':memory:', config);
  const connect = async (): Promise<DuckDBConnection> => {
    const c = await instance.connect();
    await c.run("SET TimeZone = 'UTC'");
    return c;
  };
  const connection = await connect();
  if (options.parquetMetadataCache) {
    await connection.run('LOAD parquet');
    await connection.run('SET parquet_metadata_cache = true');
  }
  return {
    instance,
    connection,
    connect,
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
