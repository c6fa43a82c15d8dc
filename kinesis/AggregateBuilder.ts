import { hash } from 'node:crypto';
import { KPL_MAGIC, KPL_OVERHEAD_BYTES, userRecordSize, varintSize, writeVarint } from './kplAggregation.js';
import { utf8Length } from './utf8Length.js';

/** A user record as the builder takes it: the data may still be a string (written as UTF-8). */
export interface PendingUserRecord {
  readonly partitionKey: string;
  readonly data: string | Uint8Array;
}

/**
 * Accumulates user records into one KPL aggregated record without ever exceeding a maximum encoded
 * size. Each record's encoded size is computed as it is added, so `build()` allocates the exact buffer
 * once and writes keys and data straight into it (strings are UTF-8 encoded in place; when all of them
 * are ASCII, as the sink's JSON is, in one copy per aggregate).
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
  /** Every key and every data so far is an ASCII string: `build()` can copy them all at once. */
  #allAscii = true;
  /** Characters of the keys and data so far (their bytes, while {@link #allAscii}). */
  #textLength = 0;

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
   * @param dataLength - UTF-8 byte length of `record.data`, when the caller already knows it; it must
   *   be exact (it sizes the aggregate, and a string whose byte length is its length is copied as ASCII)
   * @returns false when the record would push the aggregate over the maximum size
   */
  public tryAdd(record: PendingUserRecord, item: T, dataLength?: number): boolean {
    const length =
      dataLength ?? (typeof record.data === 'string' ? Buffer.byteLength(record.data) : record.data.length);
    const known = this.#keys.get(record.partitionKey);
    const index = known ?? this.#keys.size;
    const keyLength = known === undefined ? utf8Length(record.partitionKey) : undefined;
    const add = userRecordSize(length, keyLength, index);
    if (this.#items.length > 0 && this.#size + add > this.#maxBytes) return false;
    if (known === undefined) {
      this.#keys.set(record.partitionKey, index);
      this.#keyList.push(record.partitionKey);
      this.#textLength += record.partitionKey.length;
      if (keyLength !== record.partitionKey.length) this.#allAscii = false;
    }
    // A string whose UTF-8 length is its length is ASCII; bytes or other text take the general path.
    if (typeof record.data !== 'string' || record.data.length !== length) this.#allAscii = false;
    this.#textLength += length;
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
    const pos = this.#allAscii
      ? this.#writeAscii(out, KPL_MAGIC.length)
      : this.#writeEach(out, KPL_MAGIC.length);
    if (pos + 16 !== out.length) {
      throw new RangeError(`aggregate size mismatch: wrote ${pos + 16} bytes, computed ${out.length}`);
    }
    hash('md5', out.subarray(KPL_MAGIC.length, pos), 'buffer').copy(out, pos);
    const items = this.#items;
    this.#keys = new Map();
    this.#keyList = [];
    this.#data = [];
    this.#dataLength = [];
    this.#keyIndex = [];
    this.#items = [];
    this.#size = KPL_OVERHEAD_BYTES;
    this.#allAscii = true;
    this.#textLength = 0;
    return { data: out, items };
  }

  /**
   * Writes the key table and the records when every key and data is ASCII text (what the sink
   * aggregates): all the text goes into the end of the body in one copy (one native call per
   * aggregate instead of one per record), then each piece slides left into place behind its protobuf
   * header. Left to right, a piece's destination never reaches text not yet moved: the headers still
   * to write are all in front of it.
   *
   * @returns the position after the last record
   */
  #writeAscii(out: Buffer, start: number): number {
    const keys = this.#keyList;
    const data = this.#data as string[];
    let text = '';
    for (let i = 0; i < keys.length; i++) text += keys[i]!;
    for (let i = 0; i < data.length; i++) text += data[i]!;
    let src = this.#size - 16 - this.#textLength;
    out.write(text, src, 'latin1');
    let pos = start;
    for (let i = 0; i < keys.length; i++) {
      const length = keys[i]!.length;
      out[pos++] = 0x0a; // partition_key_table entry
      pos = writeVarint(out, pos, length);
      if (pos !== src) out.copyWithin(pos, src, src + length);
      pos += length;
      src += length;
    }
    for (let i = 0; i < data.length; i++) {
      const length = this.#dataLength[i]!;
      pos = this.#writeRecordHeader(out, pos, this.#keyIndex[i]!, length);
      if (pos !== src) out.copyWithin(pos, src, src + length);
      pos += length;
      src += length;
    }
    return pos;
  }

  /** Writes the key table and the records one by one (bytes, or text that is not all ASCII). */
  #writeEach(out: Buffer, start: number): number {
    let pos = start;
    for (const key of this.#keyList) {
      out[pos++] = 0x0a; // partition_key_table entry
      pos = writeVarint(out, pos, Buffer.byteLength(key));
      pos += out.write(key, pos, 'utf8');
    }
    for (let i = 0; i < this.#data.length; i++) {
      const length = this.#dataLength[i]!;
      pos = this.#writeRecordHeader(out, pos, this.#keyIndex[i]!, length);
      const data = this.#data[i]!;
      // ASCII text (UTF-8 length = string length) has the same bytes in latin1, copied without the
      // UTF-8 encoder.
      if (typeof data === 'string') pos += out.write(data, pos, length === data.length ? 'latin1' : 'utf8');
      else {
        out.set(data, pos);
        pos += length;
      }
    }
    return pos;
  }

  /** Writes a `records` entry's tag, length and partition key index, up to its data bytes. */
  #writeRecordHeader(out: Buffer, at: number, keyIndex: number, length: number): number {
    let pos = at;
    out[pos++] = 0x1a; // records entry
    pos = writeVarint(out, pos, 1 + varintSize(keyIndex) + 1 + varintSize(length) + length);
    out[pos++] = 0x08; // partition_key_index
    pos = writeVarint(out, pos, keyIndex);
    out[pos++] = 0x1a; // data
    return writeVarint(out, pos, length);
  }
}
