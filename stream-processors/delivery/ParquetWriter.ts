import { rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DuckDBConnection,
  type DuckDbSession,
  ident,
  openDuckDb,
  sqlString,
} from '../../datalake/duckdb/index.js';
import type { Contract } from '../../schemas/index.js';
import { MAX_EVENT_BYTES } from './constants.js';
import { DeliveryConfigurationError, ParquetWriteError } from './errors.js';
import { createScratchDir } from './scratchDir.js';

/** Options of {@link ParquetWriter.create}. */
export interface ParquetWriterOptions {
  /** COPY statements run at once (one DuckDB connection each). @default 2 */
  readonly concurrency?: number;
  /** DuckDB worker threads. @default 2 */
  readonly threads?: number;
  /**
   * DuckDB memory limit. A batch of 8 MiB of ~1 MB events needs ~100 MB per COPY; 40 MiB batches of such
   * events fit in the default (measured). @default '256MB'
   */
  readonly memoryLimit?: string;
  /**
   * Largest JSON row DuckDB must read. DuckDB sizes its per-thread read buffers from it, so a tight
   * bound keeps memory down; larger records were already rejected (`maxEventBytes`).
   * @default twice MAX_EVENT_BYTES (a re-serialised row can grow) plus 1 MiB
   */
  readonly maxObjectBytes?: number;
  /** Parent of the folder for the transient NDJSON files of {@link ParquetWriter.writeLines}. @default see `createScratchDir` */
  readonly scratchParent?: string;
}

/**
 * The SELECT list and `read_json` column map that turn a dataset's wire JSON into its contract columns:
 * epoch-millisecond timestamps become TIMESTAMPTZ (Parquet INT64 TIMESTAMP(MICROS, isAdjustedToUTC)),
 * Avro dates (days) become DATE; every other column is read as its DuckDB type directly.
 *
 * @param contract - the dataset's contract
 */
export function conversionSql(contract: Contract): { select: string; columns: string } {
  const select: string[] = [];
  const columns: string[] = [];
  contract.columns.forEach((c, i) => {
    const duck = contract.duckDbColumns[i]!.type;
    const name = ident(c.name);
    if (c.type === 'timestamp') {
      columns.push(`${sqlString(c.name)}: 'BIGINT'`);
      select.push(`make_timestamptz(${name} * 1000) AS ${name}`);
    } else if (c.type === 'date') {
      columns.push(`${sqlString(c.name)}: 'INTEGER'`);
      select.push(`CAST(DATE '1970-01-01' + ${name} AS DATE) AS ${name}`);
    } else {
      if (/timestamp|date/.test(c.type)) {
        throw new DeliveryConfigurationError(
          `column ${c.name} of ${contract.dataset} has nested type ${c.type}: nested timestamps/dates are not supported`,
        );
      }
      columns.push(`${sqlString(c.name)}: ${sqlString(duck)}`);
      select.push(name);
    }
  });
  return { select: select.join(', '), columns: `{${columns.join(', ')}}` };
}

/**
 * Converts newline-delimited JSON to Snappy Parquet with exactly a contract's columns and types, with
 * DuckDB (`read_json` → `COPY … (FORMAT parquet)`). Rows keep their input order.
 *
 * @example
 * ```ts
 * const writer = await ParquetWriter.create();
 * await writer.write(contractFor('grid'), 'batch.ndjson', 'batch.parquet');
 * ```
 */
export class ParquetWriter {
  readonly #session: DuckDbSession;
  readonly #idle: DuckDBConnection[];
  readonly #waiters: ((c: DuckDBConnection) => void)[] = [];
  readonly #sql = new Map<string, { select: string; columns: string }>();
  readonly #maxObjectBytes: number;
  readonly #scratch: string;
  #files = 0;

  private constructor(
    session: DuckDbSession,
    connections: DuckDBConnection[],
    maxObjectBytes: number,
    scratch: string,
  ) {
    this.#session = session;
    this.#idle = connections;
    this.#maxObjectBytes = maxObjectBytes;
    this.#scratch = scratch;
  }

  /**
   * Starts an in-memory DuckDB for writing.
   *
   * @param options - concurrency, threads, memory
   */
  public static async create(options: ParquetWriterOptions = {}): Promise<ParquetWriter> {
    const session = await openDuckDb({
      threads: options.threads ?? 2,
      memoryLimit: options.memoryLimit ?? '256MB',
      // Freed memory goes back to the system past 16 MB (DuckDB's default keeps 128 MB): the throughput
      // benchmark's peak RSS went from 513-541 to ~480 MiB.
      allocatorFlushThreshold: '16MB',
    });
    const connections: DuckDBConnection[] = [session.connection];
    for (let i = 1; i < Math.max(1, options.concurrency ?? 2); i++) connections.push(await session.connect());
    return new ParquetWriter(
      session,
      connections,
      options.maxObjectBytes ?? 2 * MAX_EVENT_BYTES + 1024 * 1024,
      await createScratchDir(options.scratchParent),
    );
  }

  #acquire(): Promise<DuckDBConnection> {
    const c = this.#idle.pop();
    if (c) return Promise.resolve(c);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(c: DuckDBConnection): void {
    const w = this.#waiters.shift();
    if (w) w(c);
    else this.#idle.push(c);
  }

  /**
   * Writes `ndjsonPath` (one contract-valid JSON object per line) to `parquetPath`.
   *
   * @param contract - the dataset's contract
   * @param ndjsonPath - input file
   * @param parquetPath - output file (replaced)
   * @throws ParquetWriteError when DuckDB fails
   */
  public async write(contract: Contract, ndjsonPath: string, parquetPath: string): Promise<void> {
    let sql = this.#sql.get(contract.dataset);
    if (!sql) {
      sql = conversionSql(contract);
      this.#sql.set(contract.dataset, sql);
    }
    const c = await this.#acquire();
    try {
      await c.run(
        `COPY (SELECT ${sql.select} FROM read_json(${sqlString(ndjsonPath)}, format = 'newline_delimited', ` +
          `columns = ${sql.columns}, maximum_object_size = ${this.#maxObjectBytes})) ` +
          `TO ${sqlString(parquetPath)} (FORMAT parquet, COMPRESSION snappy)`,
      );
    } catch (err) {
      throw new ParquetWriteError(parquetPath, err, ndjsonPath);
    } finally {
      this.#release(c);
    }
  }

  /**
   * Writes NDJSON lines to `parquetPath` (see {@link write}), through a transient file in the writer's
   * scratch folder (memory-backed where the system has one, see `createScratchDir`).
   *
   * @param contract - the dataset's contract
   * @param lines - the rows, each one JSON object followed by a newline (pieces may be split anywhere)
   * @param parquetPath - output file (replaced)
   * @throws ParquetWriteError when DuckDB fails; file-system errors as thrown
   */
  public async writeLines(
    contract: Contract,
    lines: readonly Uint8Array[],
    parquetPath: string,
  ): Promise<void> {
    const ndjson = join(this.#scratch, `batch-${++this.#files}.ndjson`);
    try {
      const fh = await open(ndjson, 'w');
      try {
        await fh.writev(lines as Uint8Array[]);
      } finally {
        await fh.close();
      }
      await this.write(contract, ndjson, parquetPath);
    } finally {
      await rm(ndjson, { force: true });
    }
  }

  /** Closes DuckDB and removes the scratch folder. */
  public close(): void {
    for (const c of this.#idle) c.closeSync();
    this.#idle.length = 0;
    this.#session.instance.closeSync();
    rmSync(this.#scratch, { recursive: true, force: true });
  }
}
