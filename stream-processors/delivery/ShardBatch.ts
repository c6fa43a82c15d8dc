import type { BufferPool } from '../../common/index.js';
import type { BufferBudget } from './BufferBudget.js';
import type { ErrorRecord, ErrorType } from './types.js';

const HOUR_MS = 3_600_000;

/** First and largest size of a partition's NDJSON chunks: small partitions stay small, large ones few. */
const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
/** A row's origin is `record ordinal × ORIGIN_RECORD + sub-sequence number` (exact below 2^53). */
const ORIGIN_RECORD = 2 ** 24;

/**
 * Rows of one event-time hour inside a batch, as the NDJSON text DuckDB will read: each row's bytes
 * are copied into a few growing chunks as it is added, so a batch holds no object per row and the
 * GetRecords responses it came from are free once decoded.
 */
export class PartitionBuffer {
  /** Start of the hour, epoch ms. */
  public readonly hourStartMs: number;
  /** `produced_at` of each row, epoch ms, for freshness. */
  public readonly producedAt: number[] = [];
  /**
   * Where each row came from in its batch: the Kinesis record's ordinal and the user record's
   * sub-sequence number (see {@link ShardBatch.originOf}). Read only when DuckDB refuses a row.
   */
  public readonly origins: number[] = [];
  /** Bytes of NDJSON text (rows and their newlines). */
  public bytes = 0;
  readonly #full: Buffer[] = [];
  /** Whole chunks, to give back to the pool. */
  readonly #chunks: Buffer[] = [];
  #chunk: Buffer | undefined;
  #used = 0;
  readonly #pool: BufferPool | undefined;

  /**
   * @param hourStartMs - start of the hour, epoch ms
   * @param pool - where chunks come from (else new buffers)
   */
  public constructor(hourStartMs: number, pool?: BufferPool) {
    this.hourStartMs = hourStartMs;
    this.#pool = pool;
  }

  /** Appends `source[start, end)` and a newline. */
  public append(source: Buffer, start: number, end: number): void {
    const need = end - start + 1;
    let chunk = this.#chunk;
    if (chunk === undefined || this.#used + need > chunk.length) {
      if (chunk !== undefined) this.#full.push(chunk.subarray(0, this.#used));
      const next = chunk === undefined ? FIRST_CHUNK_BYTES : Math.min(2 * chunk.length, MAX_CHUNK_BYTES);
      const size = Math.max(next, need);
      // Not a pooled GetRecords buffer for a small partition: the budget counts rows, not chunk sizes.
      chunk = this.#pool?.take(size, 2 * size) ?? Buffer.allocUnsafeSlow(size);
      this.#chunks.push(chunk);
      this.#chunk = chunk;
      this.#used = 0;
    }
    this.#used += source.copy(chunk, this.#used, start, end);
    chunk[this.#used++] = NEWLINE;
    this.bytes += need;
  }

  /**
   * Gives the chunks back to the pool: the partition is written and nothing reads {@link ndjson} any
   * more. The partition is empty afterwards.
   */
  public release(): void {
    if (this.#pool) for (const c of this.#chunks) this.#pool.give(c);
    this.#chunks.length = 0;
    this.#full.length = 0;
    this.#chunk = undefined;
    this.#used = 0;
  }

  /**
   * Each row's JSON (without its newline), in the order added: views of the chunks, for the rare
   * conversion that has to look at rows one by one (see `convertPartition`).
   */
  public rows(): Buffer[] {
    const out: Buffer[] = [];
    for (const chunk of this.ndjson()) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        out.push(chunk.subarray(start, end));
        start = end + 1;
      }
    }
    return out;
  }

  /** The NDJSON text: rows in the order added, each ending with `\n`. */
  public ndjson(): Buffer[] {
    return this.#chunk === undefined || this.#used === 0
      ? this.#full
      : [...this.#full, this.#chunk.subarray(0, this.#used)];
  }
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
  /** Sequence number, arrival time and partition key of each Kinesis record, by ordinal. */
  readonly #sequenceNumbers: string[] = [];
  readonly #arrivals: number[] = [];
  readonly #partitionKeys: string[] = [];
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
   * @param partitionKey - the Kinesis record's partition key
   */
  public beginRecord(sequenceNumber: string, arrivalMs: number, now: number, partitionKey = ''): void {
    this.#sequenceNumbers.push(sequenceNumber);
    this.#arrivals.push(arrivalMs);
    this.#partitionKeys.push(partitionKey);
    if (this.kinesisRecords === 0) {
      this.firstSequenceNumber = sequenceNumber;
      this.firstArrivalMs = arrivalMs;
      this.openedAt = now;
    }
    this.lastSequenceNumber = sequenceNumber;
    this.kinesisRecords++;
  }

  /**
   * Adds a valid row: copies `source[start, end)` (one JSON object, no newline) into its partition.
   *
   * @param eventTimeMs - the row's event time (chooses the partition)
   * @param producedAtMs - the row's `produced_at`
   * @param source - bytes holding the row
   * @param start - where the row starts in `source`
   * @param end - where it ends (exclusive)
   * @param subSequenceNumber - the user record's index in its aggregate (0 when not aggregated)
   */
  public addRow(
    eventTimeMs: number,
    producedAtMs: number,
    source: Buffer,
    start = 0,
    end = source.length,
    subSequenceNumber = 0,
  ): void {
    const hour = Math.floor(eventTimeMs / HOUR_MS);
    let p = this.#partitions.get(hour);
    if (!p) {
      p = new PartitionBuffer(hour * HOUR_MS, this.#budget?.pool);
      this.#partitions.set(hour, p);
    }
    p.append(source, start, end);
    p.producedAt.push(producedAtMs);
    p.origins.push((this.kinesisRecords - 1) * ORIGIN_RECORD + subSequenceNumber);
    const n = end - start + 1;
    this.bytes += n;
    this.#budget?.add(n);
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

  /**
   * The Kinesis record a row came from (see {@link PartitionBuffer.origins}).
   *
   * @param origin - the row's origin
   * @returns its sequence number, arrival time and partition key (the Kinesis record's), and the user
   *   record's sub-sequence number
   */
  public originOf(origin: number): {
    sequenceNumber: string;
    arrivalMs: number;
    partitionKey: string;
    subSequenceNumber: number;
  } {
    const k = Math.floor(origin / ORIGIN_RECORD);
    return {
      sequenceNumber: this.#sequenceNumbers[k]!,
      arrivalMs: this.#arrivals[k]!,
      partitionKey: this.#partitionKeys[k]!,
      subSequenceNumber: origin - k * ORIGIN_RECORD,
    };
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
