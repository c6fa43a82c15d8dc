import { rm } from 'node:fs/promises';
import type { Contract } from '../../schemas/index.js';
import { ParquetWriteError } from './errors.js';
import type { ParquetWriter } from './ParquetWriter.js';
import type { PartitionBuffer } from './ShardBatch.js';

/** A row DuckDB refused to convert. */
export interface RefusedRow {
  /** Index of the row in its partition. */
  readonly index: number;
  /** The row's origin in its batch (see `PartitionBuffer.origins`). */
  readonly origin: number;
  /** The row's JSON. */
  readonly data: Buffer;
  /** DuckDB's message for the row alone. */
  readonly reason: string;
}

/** What {@link convertPartition} wrote. */
export interface PartitionConversion {
  /** Rows in the Parquet file; 0 when every row was refused (no file is written then). */
  readonly rows: number;
  /** The rows DuckDB refused, in partition order. */
  readonly refused: readonly RefusedRow[];
}

const NEWLINE = Buffer.from('\n');

function linesOf(rows: readonly Buffer[], indexes: Iterable<number>): Buffer[] {
  const out: Buffer[] = [];
  for (const i of indexes) out.push(rows[i]!, NEWLINE);
  return out;
}

function refusal(err: unknown): ParquetWriteError {
  if (err instanceof ParquetWriteError && err.refusedInput) return err;
  throw err;
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

/**
 * Converts a partition's rows to one Parquet file, the last line of defence against rows the decoder
 * let through but DuckDB refuses. The whole partition is converted at once; only when DuckDB refuses
 * the input (`ParquetWriteError.refusedInput`) is it bisected: each failing range is split in halves
 * and each half converted on its own, down to the single rows DuckDB refuses, which are left out with
 * DuckDB's message for them; every other row is then written, in its order, to `parquetPath`.
 *
 * Deterministic: the same rows in the same order reach the same split (DuckDB refuses a row for what
 * it holds), so a replay of a batch after a crash writes the same file and refuses the same rows.
 * A failure that is not a refusal of the input (memory, disk), or a batch that fails whole although
 * no single row fails, is thrown as before. Cost: one conversion when nothing is refused; about
 * 2·k·log2(n) small conversions for k refused rows among n.
 *
 * @param writer - the Parquet writer
 * @param contract - the dataset's contract
 * @param partition - the rows
 * @param parquetPath - output file (replaced; not written when every row is refused)
 * @returns rows written and rows refused
 * @throws ParquetWriteError when DuckDB fails otherwise; file-system errors as thrown
 */
export async function convertPartition(
  writer: ParquetWriter,
  contract: Contract,
  partition: PartitionBuffer,
  parquetPath: string,
): Promise<PartitionConversion> {
  let first: ParquetWriteError;
  try {
    await writer.writeLines(contract, partition.ndjson(), parquetPath);
    return { rows: partition.origins.length, refused: [] };
  } catch (err) {
    first = refusal(err);
  }
  const rows = partition.rows();
  if (rows.length !== partition.origins.length) throw first;
  const probe = `${parquetPath}.part`;
  const refused = new Map<number, string>();
  // Ranges known to be refused, with DuckDB's message for them; an explicit stack (depth log2(n)).
  const failing: [number, number, string][] = [[0, rows.length, first.detail]];
  try {
    while (failing.length > 0) {
      const [lo, hi, detail] = failing.pop()!;
      if (hi - lo === 1) {
        refused.set(lo, detail);
        continue;
      }
      const mid = lo + Math.floor((hi - lo) / 2);
      const halves: [number, number, string][] = [];
      for (const [a, b] of [
        [lo, mid],
        [mid, hi],
      ] as const) {
        try {
          await writer.writeLines(contract, linesOf(rows, range(a, b)), probe);
        } catch (err) {
          halves.push([a, b, refusal(err).detail]);
        }
      }
      // Left half first, so rows are found in order.
      failing.push(...halves.reverse());
    }
  } finally {
    await rm(probe, { force: true });
  }
  if (refused.size === 0) throw first;
  const kept = [...range(0, rows.length)].filter((i) => !refused.has(i));
  if (kept.length > 0) await writer.writeLines(contract, linesOf(rows, kept), parquetPath);
  // DuckDB may leave a partial file behind a failed COPY.
  else await rm(parquetPath, { force: true });
  return {
    rows: kept.length,
    refused: [...refused.keys()]
      .sort((a, b) => a - b)
      .map((index) => ({
        index,
        origin: partition.origins[index]!,
        // A copy: the partition's chunks go back to the pool once it is written.
        data: Buffer.from(rows[index]!),
        reason: refused.get(index)!,
      })),
  };
}
