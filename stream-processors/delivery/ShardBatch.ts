import type { BufferBudget } from './BufferBudget.js';
import type { ErrorRecord, ErrorType } from './types.js';

const HOUR_MS = 3_600_000;

/** Rows of one event-time hour inside a batch, kept as the NDJSON lines DuckDB will read. */
export interface PartitionBuffer {
  /** Start of the hour, epoch ms. */
  readonly hourStartMs: number;
  /** NDJSON lines, each ending with `\n`, in (sequence, sub-sequence) order. */
  readonly lines: Buffer[];
  /** `produced_at` of each row, epoch ms, for freshness. */
  readonly producedAt: number[];
  /** Bytes in {@link lines}. */
  bytes: number;
}

/** Error records of one (error type, arrival hour) inside a batch. */
export interface ErrorBuffer {
  /** Error type folder. */
  readonly type: ErrorType;
  /** Start of the arrival hour, epoch ms. */
  readonly hourStartMs: number;
  /** The records, in (sequence, sub-sequence) order. */
  readonly records: ErrorRecord[];
}

const NEWLINE = Buffer.from('\n');

/**
 * The records of one shard read since its last flush: a contiguous range of Kinesis sequence numbers,
 * split by event-time hour (rows) and by error type and arrival hour (errors). A batch is flushed as a
 * whole and checkpointed at its last sequence number, so every record of the range is durable before
 * the checkpoint moves past it.
 */
export class ShardBatch {
  /** First Kinesis sequence number, set by the first record. */
  public firstSequenceNumber: string | undefined;
  /** Last Kinesis sequence number added. */
  public lastSequenceNumber: string | undefined;
  /** ApproximateArrivalTimestamp of the first record, epoch ms. */
  public firstArrivalMs = 0;
  /** When the first record was added (reader clock), epoch ms. */
  public openedAt = 0;
  /** Kinesis records added. */
  public kinesisRecords = 0;
  /** Rows added. */
  public rows = 0;
  /** Error records added. */
  public errorCount = 0;
  /** Raw bytes added (rows and errors), for the size trigger. */
  public bytes = 0;
  readonly #partitions = new Map<number, PartitionBuffer>();
  readonly #errors = new Map<string, ErrorBuffer>();
  readonly #budget: BufferBudget | undefined;

  /** @param budget - the worker's buffer budget, charged with every byte added */
  public constructor(budget?: BufferBudget) {
    this.#budget = budget;
  }

  /** True while no Kinesis record was added. */
  public get isEmpty(): boolean {
    return this.kinesisRecords === 0;
  }

  /**
   * Marks the start of a Kinesis record (its user records follow).
   *
   * @param sequenceNumber - the record's sequence number
   * @param arrivalMs - its ApproximateArrivalTimestamp, epoch ms
   * @param now - reader clock, epoch ms
   */
  public beginRecord(sequenceNumber: string, arrivalMs: number, now: number): void {
    if (this.kinesisRecords === 0) {
      this.firstSequenceNumber = sequenceNumber;
      this.firstArrivalMs = arrivalMs;
      this.openedAt = now;
    }
    this.lastSequenceNumber = sequenceNumber;
    this.kinesisRecords++;
  }

  /**
   * Adds a valid row.
   *
   * @param eventTimeMs - the row's event time (chooses the partition)
   * @param producedAtMs - the row's `produced_at`
   * @param line - the row as one JSON object without a newline
   */
  public addRow(eventTimeMs: number, producedAtMs: number, line: Uint8Array): void {
    const hour = Math.floor(eventTimeMs / HOUR_MS);
    let p = this.#partitions.get(hour);
    if (!p) {
      p = { hourStartMs: hour * HOUR_MS, lines: [], producedAt: [], bytes: 0 };
      this.#partitions.set(hour, p);
    }
    const buf = Buffer.isBuffer(line) ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
    p.lines.push(buf, NEWLINE);
    p.producedAt.push(producedAtMs);
    p.bytes += buf.length + 1;
    this.bytes += buf.length + 1;
    this.#budget?.add(buf.length + 1);
    this.rows++;
  }

  /**
   * Adds an error record.
   *
   * @param record - the error record
   */
  public addError(record: ErrorRecord): void {
    const hour = Math.floor(record.arrivalTimestamp / HOUR_MS);
    const key = `${record.errorType}|${hour}`;
    let e = this.#errors.get(key);
    if (!e) {
      e = { type: record.errorType, hourStartMs: hour * HOUR_MS, records: [] };
      this.#errors.set(key, e);
    }
    e.records.push(record);
    this.bytes += record.rawData.length;
    this.#budget?.add(record.rawData.length);
    this.errorCount++;
  }

  /** Row partitions, in hour order. */
  public partitions(): PartitionBuffer[] {
    return [...this.#partitions.values()].sort((a, b) => a.hourStartMs - b.hourStartMs);
  }

  /** Error groups, in (type, hour) order. */
  public errorGroups(): ErrorBuffer[] {
    return [...this.#errors.values()].sort((a, b) =>
      a.type === b.type ? a.hourStartMs - b.hourStartMs : a.type < b.type ? -1 : 1,
    );
  }
}
