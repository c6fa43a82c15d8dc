import { encodeAggregatedRecord, KPL_OVERHEAD_BYTES, type UserRecord, userRecordSize } from './kplAggregation.js';

/**
 * Accumulates user records into one KPL aggregated record without ever exceeding a maximum encoded
 * size: the size of each record is computed before it is added (the same arithmetic the encoder uses),
 * so the aggregate is never encoded twice.
 *
 * @example
 * ```ts
 * const b = new AggregateBuilder<UserRecord>(51_200);
 * if (!b.tryAdd(r, r)) { send(b.build()); b.tryAdd(r, r); }
 * ```
 */
export class AggregateBuilder<T> {
  readonly #maxBytes: number;
  #records: UserRecord[] = [];
  #items: T[] = [];
  #keys = new Map<string, number>();
  #size = KPL_OVERHEAD_BYTES;

  /**
   * @param maxBytes - max encoded size of the aggregate, magic and checksum included
   */
  public constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** User records in the aggregate. */
  public get count(): number {
    return this.#records.length;
  }

  /** Encoded size of the aggregate so far, bytes. */
  public get sizeBytes(): number {
    return this.#size;
  }

  /** Items added (what the caller attached to each user record). */
  public get items(): readonly T[] {
    return this.#items;
  }

  /**
   * The encoded size a record would add.
   *
   * @param record - the user record
   */
  public sizeOf(record: UserRecord): number {
    const index = this.#keys.get(record.partitionKey);
    return index === undefined
      ? userRecordSize(record.data.length, Buffer.byteLength(record.partitionKey), this.#keys.size)
      : userRecordSize(record.data.length, undefined, index);
  }

  /**
   * Adds a record when it fits. An empty builder accepts any record (the caller sends records too big
   * for any aggregate on their own).
   *
   * @param record - the user record
   * @param item - what to hand back with the aggregate (e.g. the event id for acknowledgement)
   * @returns false when the record would push the aggregate over the maximum size
   */
  public tryAdd(record: UserRecord, item: T): boolean {
    const add = this.sizeOf(record);
    if (this.#records.length > 0 && this.#size + add > this.#maxBytes) return false;
    if (!this.#keys.has(record.partitionKey)) this.#keys.set(record.partitionKey, this.#keys.size);
    this.#records.push(record);
    this.#items.push(item);
    this.#size += add;
    return true;
  }

  /**
   * Encodes the aggregate and empties the builder.
   *
   * @returns the Kinesis record payload and the items, in order
   */
  public build(): { data: Buffer; items: T[] } {
    const data = encodeAggregatedRecord(this.#records);
    const items = this.#items;
    this.#records = [];
    this.#items = [];
    this.#keys = new Map();
    this.#size = KPL_OVERHEAD_BYTES;
    return { data, items };
  }
}
