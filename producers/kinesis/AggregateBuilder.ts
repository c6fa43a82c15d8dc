import { createHash } from 'node:crypto';
import { KPL_MAGIC, KPL_OVERHEAD_BYTES, userRecordSize } from './kplAggregation.js';

/** A user record as the builder takes it: the data may still be a string (written as UTF-8). */
export interface PendingUserRecord {
  readonly partitionKey: string;
  readonly data: string | Uint8Array;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * Accumulates user records into one KPL aggregated record without ever exceeding a maximum encoded
 * size. Each record's encoded size is computed as it is added, so `build()` allocates the exact buffer
 * once and writes keys and data straight into it (strings are UTF-8 encoded in place).
 * The output is the format `encodeAggregatedRecord` writes and `deaggregate` / aws-kinesis-agg read.
 *
 * @example
 * ```ts
 * const b = new AggregateBuilder<string>(51_200);
 * if (!b.tryAdd(record, eventId)) { send(b.build()); b.tryAdd(record, eventId); }
 * ```
 */
export class AggregateBuilder<T> {
  readonly #maxBytes: number;
  #keys = new Map<string, number>();
  #keyList: string[] = [];
  #data: (string | Uint8Array)[] = [];
  #dataLength: number[] = [];
  #keyIndex: number[] = [];
  #items: T[] = [];
  #size = KPL_OVERHEAD_BYTES;

  /**
   * @param maxBytes - max encoded size of the aggregate, magic and checksum included
   */
  public constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** User records in the aggregate. */
  public get count(): number {
    return this.#items.length;
  }

  /** Encoded size of the aggregate so far, bytes. */
  public get sizeBytes(): number {
    return this.#size;
  }

  /** Items added (what the caller attached to each user record), in order. */
  public get items(): readonly T[] {
    return this.#items;
  }

  /**
   * Adds a record when it fits. An empty builder accepts any record (the caller sends records too big
   * for any aggregate on their own).
   *
   * @param record - the user record
   * @param item - what to hand back with the aggregate (e.g. the event id for acknowledgement)
   * @param dataLength - byte length of `record.data`, when the caller already knows it
   * @returns false when the record would push the aggregate over the maximum size
   */
  public tryAdd(record: PendingUserRecord, item: T, dataLength?: number): boolean {
    const length =
      dataLength ?? (typeof record.data === 'string' ? Buffer.byteLength(record.data) : record.data.length);
    const known = this.#keys.get(record.partitionKey);
    const index = known ?? this.#keys.size;
    const add = userRecordSize(
      length,
      known === undefined ? Buffer.byteLength(record.partitionKey) : undefined,
      index,
    );
    if (this.#items.length > 0 && this.#size + add > this.#maxBytes) return false;
    if (known === undefined) {
      this.#keys.set(record.partitionKey, index);
      this.#keyList.push(record.partitionKey);
    }
    this.#data.push(record.data);
    this.#dataLength.push(length);
    this.#keyIndex.push(index);
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
    const out = Buffer.allocUnsafe(this.#size);
    KPL_MAGIC.copy(out, 0);
    let pos = KPL_MAGIC.length;
    for (const key of this.#keyList) {
      out[pos++] = 0x0a; // partition_key_table entry
      pos = writeVarint(out, pos, Buffer.byteLength(key));
      pos += out.write(key, pos, 'utf8');
    }
    for (let i = 0; i < this.#data.length; i++) {
      const length = this.#dataLength[i]!;
      const keyIndex = this.#keyIndex[i]!;
      out[pos++] = 0x1a; // records entry
      pos = writeVarint(out, pos, 1 + varintSize(keyIndex) + 1 + varintSize(length) + length);
      out[pos++] = 0x08; // partition_key_index
      pos = writeVarint(out, pos, keyIndex);
      out[pos++] = 0x1a; // data
      pos = writeVarint(out, pos, length);
      const data = this.#data[i]!;
      // ASCII text (UTF-8 length = string length, as every fast-path JSON is) has the same bytes in
      // latin1, which Node copies without running the UTF-8 encoder.
      if (typeof data === 'string') pos += out.write(data, pos, length === data.length ? 'latin1' : 'utf8');
      else {
        out.set(data, pos);
        pos += length;
      }
    }
    if (pos + 16 !== out.length) {
      throw new RangeError(`aggregate size mismatch: wrote ${pos + 16} bytes, computed ${out.length}`);
    }
    createHash('md5').update(out.subarray(KPL_MAGIC.length, pos)).digest().copy(out, pos);
    const items = this.#items;
    this.#keys = new Map();
    this.#keyList = [];
    this.#data = [];
    this.#dataLength = [];
    this.#keyIndex = [];
    this.#items = [];
    this.#size = KPL_OVERHEAD_BYTES;
    return { data: out, items };
  }
}
