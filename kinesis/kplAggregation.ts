import { createHash } from 'node:crypto';
import { DeaggregationError } from './errors.js';

export { DeaggregationError } from './errors.js';

/** First four bytes of every KPL aggregated record. */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const MD5_LENGTH = 16;

/** One user record inside (or destined for) an aggregated record. */
export interface UserRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Uint8Array;
}

/** A user record taken out of a Kinesis record, with its position inside it. */
export interface DeaggregatedRecord extends UserRecord {
  /** Index of the user record inside its aggregate (KCL's sub-sequence number); 0 when not aggregated. */
  readonly subSequenceNumber: number;
  /** True when the Kinesis record was a KPL aggregate. */
  readonly aggregated: boolean;
}

/** Bytes a protobuf varint takes for `n` (a non-negative integer). */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/**
 * Writes `n` as a protobuf varint at `pos`.
 *
 * @returns the position after it
 */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * Size in bytes that one user record adds to an aggregate, given whether its partition key
 * (and explicit hash key) are already in the aggregate's key tables. Used by the aggregator
 * to respect the maximum aggregated size before encoding.
 *
 * @param dataLength - user record data length
 * @param newPartitionKeyLength - byte length of the partition key when new to the table, else undefined
 * @param pkIndex - index the record's partition key will have in the table
 */
export function userRecordSize(
  dataLength: number,
  newPartitionKeyLength: number | undefined,
  pkIndex: number,
): number {
  const inner = 1 + varintSize(pkIndex) + 1 + varintSize(dataLength) + dataLength;
  let size = 1 + varintSize(inner) + inner;
  if (newPartitionKeyLength !== undefined)
    size += 1 + varintSize(newPartitionKeyLength) + newPartitionKeyLength;
  return size;
}

/** Bytes an aggregate adds around its protobuf body: magic and MD5 trailer. */
export const KPL_OVERHEAD_BYTES = KPL_MAGIC.length + MD5_LENGTH;

/**
 * Encodes user records as one KPL aggregated record (magic + protobuf `AggregatedRecord` + MD5),
 * which Firehose, KCL and aws-kinesis-agg de-aggregate.
 *
 * @param records - the user records, in order
 * @returns the Kinesis record payload
 */
export function encodeAggregatedRecord(records: readonly UserRecord[]): Buffer {
  const pkIndex = new Map<string, number>();
  const ehkIndex = new Map<string, number>();
  const pkTable: Buffer[] = [];
  const ehkTable: Buffer[] = [];
  const recPk: number[] = [];
  const recEhk: (number | undefined)[] = [];
  for (const r of records) {
    let i = pkIndex.get(r.partitionKey);
    if (i === undefined) {
      i = pkTable.length;
      pkIndex.set(r.partitionKey, i);
      pkTable.push(Buffer.from(r.partitionKey, 'utf8'));
    }
    recPk.push(i);
    if (r.explicitHashKey !== undefined) {
      let e = ehkIndex.get(r.explicitHashKey);
      if (e === undefined) {
        e = ehkTable.length;
        ehkIndex.set(r.explicitHashKey, e);
        ehkTable.push(Buffer.from(r.explicitHashKey, 'utf8'));
      }
      recEhk.push(e);
    } else recEhk.push(undefined);
  }
  let size = 0;
  for (const k of pkTable) size += 1 + varintSize(k.length) + k.length;
  for (const k of ehkTable) size += 1 + varintSize(k.length) + k.length;
  const innerSizes: number[] = [];
  records.forEach((r, n) => {
    const ehk = recEhk[n];
    const inner =
      1 +
      varintSize(recPk[n]!) +
      (ehk === undefined ? 0 : 1 + varintSize(ehk)) +
      1 +
      varintSize(r.data.length) +
      r.data.length;
    innerSizes.push(inner);
    size += 1 + varintSize(inner) + inner;
  });
  const out = Buffer.allocUnsafe(KPL_MAGIC.length + size + MD5_LENGTH);
  KPL_MAGIC.copy(out, 0);
  let pos = KPL_MAGIC.length;
  for (const k of pkTable) {
    out[pos++] = 0x0a; // field 1, length-delimited
    pos = writeVarint(out, pos, k.length);
    pos += k.copy(out, pos);
  }
  for (const k of ehkTable) {
    out[pos++] = 0x12; // field 2, length-delimited
    pos = writeVarint(out, pos, k.length);
    pos += k.copy(out, pos);
  }
  records.forEach((r, n) => {
    out[pos++] = 0x1a; // field 3, length-delimited (Record)
    pos = writeVarint(out, pos, innerSizes[n]!);
    out[pos++] = 0x08; // partition_key_index, varint
    pos = writeVarint(out, pos, recPk[n]!);
    const ehk = recEhk[n];
    if (ehk !== undefined) {
      out[pos++] = 0x10; // explicit_hash_key_index, varint
      pos = writeVarint(out, pos, ehk);
    }
    out[pos++] = 0x1a; // data, length-delimited
    pos = writeVarint(out, pos, r.data.length);
    out.set(r.data, pos);
    pos += r.data.length;
  });
  createHash('md5').update(out.subarray(KPL_MAGIC.length, pos)).digest().copy(out, pos);
  return out;
}

/** True when the payload starts with the KPL magic number. */
export function isAggregated(data: Uint8Array): boolean {
  return (
    data.length >= KPL_OVERHEAD_BYTES &&
    data[0] === KPL_MAGIC[0] &&
    data[1] === KPL_MAGIC[1] &&
    data[2] === KPL_MAGIC[2] &&
    data[3] === KPL_MAGIC[3]
  );
}

class Reader {
  public pos: number;
  public constructor(
    private readonly buf: Uint8Array,
    start: number,
    public readonly end: number,
  ) {
    this.pos = start;
  }
  public varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end)
        throw new DeaggregationError('truncated', 'varint runs past the end of the record');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new DeaggregationError('malformed', 'varint longer than 10 bytes');
  }
  /** A length-delimited field's length, checked against the end; `pos` is left at its first byte. */
  public length(): number {
    const len = this.varint();
    if (this.pos + len > this.end) {
      throw new DeaggregationError('truncated', `field of ${len} bytes runs past the end of the record`);
    }
    return len;
  }
  public skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) {
      // Not `this.pos += this.length()`: that would add the length to the position before its varint.
      const n = this.length();
      this.pos += n;
    } else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new DeaggregationError('malformed', `unsupported protobuf wire type ${wireType}`);
    if (this.pos > this.end)
      throw new DeaggregationError('truncated', 'field runs past the end of the record');
  }
}

/** Grows a scratch array to at least `n` entries, keeping its contents. */
function grown<T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (length: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** Records the span of a key table's entry number `n` (the field at `r`) in `spans`, and skips it. */
function tableEntry(r: Reader, spans: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const len = r.length();
  const out = grown(spans, 2 * n + 2);
  out[2 * n] = r.pos;
  out[2 * n + 1] = r.pos + len;
  r.pos += len;
  return out;
}

/**
 * The user records of one Kinesis record as offsets into its payload, without an object, a view or a
 * string per user record: for readers that de-aggregate millions of records and copy, check or
 * skip each payload in place (delivery). One layout is reused for record after record; what
 * {@link AggregateLayout.read} fills stays valid until its next call.
 *
 * @example
 * ```ts
 * const layout = new AggregateLayout();
 * layout.read(payload, kinesisPartitionKey);
 * for (let i = 0; i < layout.count; i++) use(payload.subarray(layout.starts[i], layout.ends[i]));
 * ```
 */
export class AggregateLayout {
  /** User records found. */
  public count = 0;
  /** True when the payload was a KPL aggregate (else it is one user record: the whole payload). */
  public aggregated = false;
  /** Start of each user record's data in the payload. */
  public starts = new Int32Array(64);
  /** End (exclusive) of each user record's data in the payload. */
  public ends = new Int32Array(64);
  /** Partition key table index of each user record (varints can exceed 32 bits). */
  #pk = new Float64Array(64);
  /** Explicit hash key table index of each user record, -1 for none. */
  #ehk = new Float64Array(64);
  /** Start/end pairs of the partition key and explicit hash key tables' entries. */
  #pkSpans = new Int32Array(16);
  #ehkSpans = new Int32Array(16);
  #pkCount = 0;
  #ehkCount = 0;
  #data: Uint8Array = new Uint8Array(0);
  #kinesisPartitionKey = '';
  readonly #decoder = new TextDecoder();

  /**
   * Reads one Kinesis record's payload. A payload without the KPL magic is one user record; an
   * aggregate is verified (MD5) and its user records located.
   *
   * @param data - the Kinesis record payload
   * @param partitionKey - the Kinesis record's partition key (the user record's, when not aggregated)
   * @throws DeaggregationError when the checksum does not match or the protobuf is truncated or malformed
   */
  public read(data: Uint8Array, partitionKey: string): void {
    this.#data = data;
    this.#kinesisPartitionKey = partitionKey;
    this.count = 0;
    this.#pkCount = 0;
    this.#ehkCount = 0;
    this.aggregated = isAggregated(data);
    if (!this.aggregated) {
      this.starts[0] = 0;
      this.ends[0] = data.length;
      this.count = 1;
      return;
    }
    const bodyEnd = data.length - MD5_LENGTH;
    const digest = createHash('md5').update(data.subarray(KPL_MAGIC.length, bodyEnd)).digest();
    if (!digest.equals(data.subarray(bodyEnd))) {
      throw new DeaggregationError(
        'checksum_mismatch',
        'MD5 of the aggregated record does not match its trailer',
      );
    }
    const r = new Reader(data, KPL_MAGIC.length, bodyEnd);
    while (r.pos < r.end) {
      const tag = r.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 1 && wire === 2) this.#pkSpans = tableEntry(r, this.#pkSpans, this.#pkCount++);
      else if (field === 2 && wire === 2) this.#ehkSpans = tableEntry(r, this.#ehkSpans, this.#ehkCount++);
      else if (field === 3 && wire === 2) {
        const len = r.varint();
        const end = r.pos + len;
        if (end > r.end)
          throw new DeaggregationError('truncated', `record of ${len} bytes runs past the end`);
        const inner = new Reader(data, r.pos, end);
        let pk = -1;
        let ehk = -1;
        let payloadStart = -1;
        let payloadEnd = -1;
        while (inner.pos < inner.end) {
          const t = inner.varint();
          const f = Math.floor(t / 8);
          const w = t & 7;
          if (f === 1 && w === 0) pk = inner.varint();
          else if (f === 2 && w === 0) ehk = inner.varint();
          else if (f === 3 && w === 2) {
            const n = inner.length();
            payloadStart = inner.pos;
            payloadEnd = inner.pos + n;
            inner.pos = payloadEnd;
          } else inner.skip(w);
        }
        if (pk === -1 || payloadStart === -1) {
          throw new DeaggregationError(
            'malformed',
            `user record ${this.count} lacks partition_key_index or data`,
          );
        }
        const i = this.count++;
        if (i >= this.starts.length) {
          this.starts = grown(this.starts, i + 1);
          this.ends = grown(this.ends, i + 1);
          this.#pk = grown(this.#pk, i + 1);
          this.#ehk = grown(this.#ehk, i + 1);
        }
        this.starts[i] = payloadStart;
        this.ends[i] = payloadEnd;
        this.#pk[i] = pk;
        this.#ehk[i] = ehk;
        r.pos = end;
      } else r.skip(wire);
    }
    for (let i = 0; i < this.count; i++) {
      if (this.#pk[i]! >= this.#pkCount) {
        throw new DeaggregationError(
          'malformed',
          `user record ${i} points at partition key ${this.#pk[i]} (table has ${this.#pkCount})`,
        );
      }
    }
  }

  /** The partition key of user record `i`. */
  public partitionKey(i: number): string {
    if (!this.aggregated) return this.#kinesisPartitionKey;
    const k = this.#pk[i]!;
    return this.#decoder.decode(this.#data.subarray(this.#pkSpans[2 * k], this.#pkSpans[2 * k + 1]));
  }

  /** The explicit hash key of user record `i`, if it has one that is in the table. */
  public explicitHashKey(i: number): string | undefined {
    const k = this.aggregated ? this.#ehk[i]! : -1;
    if (k < 0 || k >= this.#ehkCount) return undefined;
    return this.#decoder.decode(this.#data.subarray(this.#ehkSpans[2 * k], this.#ehkSpans[2 * k + 1]));
  }
}

const scratchLayout = new AggregateLayout();

/**
 * De-aggregates one Kinesis record. A payload without the KPL magic is returned as a single user
 * record; an aggregate is verified (MD5) and split into its user records.
 *
 * @param data - the Kinesis record payload
 * @param partitionKey - the Kinesis record's partition key (used for non-aggregated records)
 * @throws DeaggregationError when the checksum does not match or the protobuf is truncated or malformed
 */
export function deaggregate(data: Uint8Array, partitionKey: string): DeaggregatedRecord[] {
  const layout = scratchLayout;
  layout.read(data, partitionKey);
  if (!layout.aggregated) return [{ partitionKey, data, subSequenceNumber: 0, aggregated: false }];
  const out: DeaggregatedRecord[] = [];
  for (let i = 0; i < layout.count; i++) {
    const ehk = layout.explicitHashKey(i);
    out.push({
      partitionKey: layout.partitionKey(i),
      ...(ehk === undefined ? {} : { explicitHashKey: ehk }),
      data: data.subarray(layout.starts[i], layout.ends[i]),
      subSequenceNumber: i,
      aggregated: true,
    });
  }
  return out;
}
