import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AggregateBuilder } from '../../kinesis/AggregateBuilder.js';
import {
  AggregateLayout,
  DeaggregationError,
  deaggregate,
  encodeAggregatedRecord,
  KPL_MAGIC,
  type UserRecord,
} from '../../kinesis/kplAggregation.js';
import { DATASETS } from '../../schemas/index.js';
import { eventOf } from '../helpers/events.js';
import { referenceAggregate, referenceDeaggregate } from './awsKinesisAgg.js';

function userRecords(n: number, keys: number): UserRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const event = eventOf(DATASETS[i % 3]!);
    return { partitionKey: `key-${i % keys}-ü`, data: Buffer.from(JSON.stringify(event)) };
  });
}

function dataOf(records: readonly { data: Uint8Array }[]): string[] {
  return records.map((r) => Buffer.from(r.data).toString('utf8'));
}

/** Re-signs a modified protobuf body so that only the structural damage is left to detect. */
function withBody(body: Uint8Array): Buffer {
  const digest = createHash('md5').update(body).digest();
  return Buffer.concat([KPL_MAGIC, body, digest]);
}

describe('KPL aggregation format', () => {
  it('round-trips user records, partition keys and order', () => {
    // Prepare
    const records = userRecords(50, 7);
    // Act
    const out = deaggregate(encodeAggregatedRecord(records), 'outer');
    // Assess
    expect(out.map((r) => r.partitionKey)).toEqual(records.map((r) => r.partitionKey));
    expect(dataOf(out)).toEqual(dataOf(records));
    expect(out.map((r) => r.subSequenceNumber)).toEqual(records.map((_, i) => i));
    expect(out.every((r) => r.aggregated)).toBe(true);
  });

  it('is read by aws-kinesis-agg with checksums on', () => {
    const records = userRecords(40, 5);
    const ref = referenceDeaggregate(encodeAggregatedRecord(records), records[0]!.partitionKey);
    expect(ref.map((r) => r.partitionKey)).toEqual(records.map((r) => r.partitionKey));
    expect(dataOf(ref)).toEqual(dataOf(records));
  });

  it('reads what aws-kinesis-agg aggregate() writes', async () => {
    const records = userRecords(300, 11).map((r) => ({
      partitionKey: r.partitionKey,
      data: Buffer.from(r.data),
    }));
    const encoded = await referenceAggregate(records.map((r) => ({ ...r })));
    const ours = encoded.flatMap((e) => deaggregate(e.data, e.partitionKey));
    expect(encoded.length).toBeGreaterThan(0);
    expect(ours.every((r) => r.aggregated)).toBe(true);
    expect(ours.map((r) => r.partitionKey)).toEqual(records.map((r) => r.partitionKey));
    expect(dataOf(ours)).toEqual(dataOf(records));
  });

  it('passes a plain (non-aggregated) record through as one user record', () => {
    const out = deaggregate(Buffer.from('{"a":1}'), 'pk');
    expect(out).toEqual([
      { partitionKey: 'pk', data: Buffer.from('{"a":1}'), subSequenceNumber: 0, aggregated: false },
    ]);
  });

  it.each([1_000, 5_000, 51_200])(
    'AggregateBuilder never exceeds a %i-byte aggregate and predicts its size',
    (max) => {
      // Prepare: records of uneven sizes, repeated and new keys
      const builder = new AggregateBuilder<number>(max);
      const sizes: number[] = [];
      const predicted: number[] = [];
      let total = 0;
      // Act
      for (let i = 0; i < 2_000; i++) {
        const r = { partitionKey: `k${i % 37}`, data: Buffer.alloc(20 + ((i * 7919) % 400), 97) };
        if (!builder.tryAdd(r, i)) {
          predicted.push(builder.sizeBytes);
          const { data, items } = builder.build();
          sizes.push(data.length);
          total += items.length;
          expect(builder.tryAdd(r, i)).toBe(true);
        }
      }
      predicted.push(builder.sizeBytes);
      const last = builder.build();
      sizes.push(last.data.length);
      total += last.items.length;
      // Assess
      expect(total).toBe(2_000);
      expect(sizes.length).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
      expect(sizes).toEqual(predicted);
    },
  );

  it('AggregateBuilder output (string and byte data, multi-byte keys) is read by aws-kinesis-agg and by us', () => {
    // Prepare: what the sink aggregates (JSON strings) mixed with byte payloads
    const records = userRecords(60, 9).map((r, i) =>
      i % 2 === 0 ? { partitionKey: r.partitionKey, data: `${Buffer.from(r.data).toString('utf8')}€` } : r,
    );
    const builder = new AggregateBuilder<number>(1024 * 1024);
    const added = records.map((r, i) => builder.tryAdd(r, i));
    // Act
    const { data, items } = builder.build();
    const ref = referenceDeaggregate(data, records[0]!.partitionKey);
    const ours = deaggregate(data, records[0]!.partitionKey);
    // Assess
    const expected = records.map((r) =>
      typeof r.data === 'string' ? r.data : Buffer.from(r.data).toString('utf8'),
    );
    expect(added.every(Boolean)).toBe(true);
    expect(items).toEqual(records.map((_, i) => i));
    expect(dataOf(ref)).toEqual(expected);
    expect(dataOf(ours)).toEqual(expected);
    expect(ours.map((r) => r.partitionKey)).toEqual(records.map((r) => r.partitionKey));
  });

  it('raises checksum_mismatch when the MD5 trailer does not match', () => {
    const data = encodeAggregatedRecord(userRecords(3, 2));
    data[10] = data[10]! ^ 0xff;
    expect(() => deaggregate(data, 'pk')).toThrowError(
      expect.objectContaining({ name: 'DeaggregationError', code: 'checksum_mismatch', retriable: false }),
    );
  });

  it('raises truncated when a record runs past the end (checksum valid)', () => {
    const data = encodeAggregatedRecord(userRecords(3, 2));
    const body = data.subarray(KPL_MAGIC.length, data.length - 16);
    const cut = withBody(body.subarray(0, body.length - 10));
    let caught: unknown;
    try {
      deaggregate(cut, 'pk');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DeaggregationError);
    expect((caught as DeaggregationError).code).toBe('truncated');
  });

  it('raises checksum_mismatch when the payload is cut inside the trailer', () => {
    const data = encodeAggregatedRecord(userRecords(3, 2));
    expect(() => deaggregate(data.subarray(0, data.length - 5), 'pk')).toThrowError(
      expect.objectContaining({ name: 'DeaggregationError', code: 'checksum_mismatch' }),
    );
  });

  it('raises malformed when a record points past the partition key table', () => {
    // AggregatedRecord { partition_key_table: ["a"], records: [{ partition_key_index: 3, data: "x" }] }
    const body = Buffer.from([0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x03, 0x1a, 0x01, 0x78]);
    expect(() => deaggregate(withBody(body), 'pk')).toThrowError(
      expect.objectContaining({ code: 'malformed' }),
    );
  });
});

describe('KPL fields gridstream does not use', () => {
  // Unknown fields of every wire type: varint, fixed64, length-delimited, fixed32.
  const unknown = [
    0x28, 0x96, 0x01, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3a, 0x03, 0x78, 0x79, 0x7a, 0x45, 1, 2, 3, 4,
  ];
  // Record { partition_key_index: 0, data: "{}", tags: [{ key: "a", value: "b" }], <unknown fields> }
  const record = [
    0x08,
    0x00,
    0x1a,
    0x02,
    0x7b,
    0x7d,
    0x22,
    0x06,
    0x0a,
    0x01,
    0x61,
    0x12,
    0x01,
    0x62,
    ...unknown,
  ];
  // AggregatedRecord { partition_key_table: ["k"], <unknown fields>, records: [record, record] }
  const body = Buffer.from([
    0x0a,
    0x01,
    0x6b,
    ...unknown,
    0x1a,
    record.length,
    ...record,
    0x1a,
    record.length,
    ...record,
  ]);

  it('skips tags and unknown fields of every wire type, as aws-kinesis-agg does', () => {
    const data = withBody(body);
    const expected = [
      ['k', '{}'],
      ['k', '{}'],
    ];
    expect(deaggregate(data, 'outer').map((r) => [r.partitionKey, Buffer.from(r.data).toString()])).toEqual(
      expected,
    );
    expect(referenceDeaggregate(data, 'outer').map((r) => [r.partitionKey, r.data.toString()])).toEqual(
      expected,
    );
  });
});

describe('KPL unknown fields, random placement', () => {
  it('never change what is read, wherever well-formed unknown fields are inserted', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const varint = (n: number): number[] => {
      const out: number[] = [];
      while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
      }
      out.push(n);
      return out;
    };
    const unknownField = (): number[] => {
      const field = 5 + random(20);
      switch (random(4)) {
        case 0:
          return [...varint(field * 8), ...varint(random(2 ** 30))];
        case 1:
          return [...varint(field * 8 + 1), ...Array.from({ length: 8 }, () => random(256))];
        case 2: {
          const n = random(300);
          return [...varint(field * 8 + 2), ...varint(n), ...Array.from({ length: n }, () => random(256))];
        }
        default:
          return [...varint(field * 8 + 5), ...Array.from({ length: 4 }, () => random(256))];
      }
    };
    const withUnknown = (fields: number[][]): number[] => {
      const out = [...fields];
      for (let k = random(4); k > 0; k--) out.splice(random(out.length + 1), 0, unknownField());
      return out.flat();
    };
    for (let round = 0; round < 200; round++) {
      const keys = ['k0', 'k1', 'k2'];
      const records = Array.from({ length: 1 + random(5) }, (_, i) => ({
        pk: random(3),
        data: `{"i":${i}}`,
      }));
      const body = withUnknown([
        ...keys.map((k) => [0x0a, k.length, ...Buffer.from(k)]),
        ...records.map((r) => {
          const inner = withUnknown([
            [0x08, r.pk],
            [0x1a, r.data.length, ...Buffer.from(r.data)],
          ]);
          return [0x1a, ...varint(inner.length), ...inner];
        }),
      ]);
      const got = deaggregate(withBody(Buffer.from(body)), 'outer');
      expect(got.map((r) => [r.partitionKey, Buffer.from(r.data).toString()])).toEqual(
        records.map((r) => [keys[r.pk], r.data]),
      );
    }
  });
});

describe('AggregateLayout (offsets instead of objects)', () => {
  it('locates each user record, its partition key and explicit hash key, reused across records', () => {
    // Prepare: a large aggregate with explicit hash keys on some records, then a small one
    const big: UserRecord[] = userRecords(150, 9).map((r, i) =>
      i % 3 === 0 ? { ...r, explicitHashKey: String(BigInt(i) * 10n ** 30n) } : r,
    );
    const small = userRecords(2, 1);
    const layout = new AggregateLayout();
    for (const records of [big, small]) {
      const data = encodeAggregatedRecord(records);
      // Act
      layout.read(data, 'outer');
      // Assess
      expect(layout.aggregated).toBe(true);
      expect(layout.count).toBe(records.length);
      records.forEach((r, i) => {
        const bytes = data.subarray(layout.starts[i], layout.ends[i]);
        expect(Buffer.from(bytes).equals(Buffer.from(r.data))).toBe(true);
        expect(layout.partitionKey(i)).toBe(r.partitionKey);
        expect(layout.explicitHashKey(i)).toBe(r.explicitHashKey);
      });
    }
  });

  it('takes a plain payload as one user record under the Kinesis partition key', () => {
    const layout = new AggregateLayout();
    layout.read(encodeAggregatedRecord(userRecords(5, 2)), 'outer');
    layout.read(Buffer.from('{"a":1}'), 'pk');
    expect([layout.aggregated, layout.count, layout.starts[0], layout.ends[0]]).toEqual([false, 1, 0, 7]);
    expect(layout.partitionKey(0)).toBe('pk');
    expect(layout.explicitHashKey(0)).toBeUndefined();
  });

  it('raises the same errors as deaggregate', () => {
    const data = encodeAggregatedRecord(userRecords(3, 1));
    data[10] = data[10]! ^ 0xff;
    expect(() => new AggregateLayout().read(data, 'pk')).toThrowError(
      expect.objectContaining({ code: 'checksum_mismatch' }),
    );
  });
});
