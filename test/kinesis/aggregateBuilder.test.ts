import { describe, expect, it } from 'vitest';
import { AggregateBuilder } from '../../kinesis/AggregateBuilder.js';
import { deaggregate, encodeAggregatedRecord } from '../../kinesis/kplAggregation.js';
import { createGenerator } from '../../producers/sources/index.js';
import { DATASETS } from '../../schemas/index.js';
import { referenceDeaggregate } from './awsKinesisAgg.js';

interface TextRecord {
  readonly partitionKey: string;
  readonly data: string | Uint8Array;
}

/** Fills builders of a size limit with the records; returns each aggregate and the records it holds. */
function aggregate(
  records: readonly TextRecord[],
  maxBytes: number,
): { data: Buffer; records: TextRecord[] }[] {
  const builder = new AggregateBuilder<TextRecord>(maxBytes);
  const out: { data: Buffer; records: TextRecord[] }[] = [];
  const seal = () => {
    const { data, items } = builder.build();
    out.push({ data, records: items });
  };
  for (const r of records) {
    const length = typeof r.data === 'string' ? Buffer.byteLength(r.data) : r.data.length;
    if (!builder.tryAdd(r, r, length)) {
      seal();
      builder.tryAdd(r, r, length);
    }
  }
  if (builder.count > 0) seal();
  return out;
}

const asBytes = (records: readonly TextRecord[]) =>
  records.map((r) => ({ partitionKey: r.partitionKey, data: Buffer.from(r.data) }));

describe('AggregateBuilder', () => {
  it.each([300, 5_000, 51_200])(
    'writes ASCII text (what the sink aggregates) byte for byte as encodeAggregatedRecord, %i-byte aggregates',
    (maxBytes) => {
      // Prepare: generated events as JSON, keyed like the sink keys them, plus edge sizes
      const records: TextRecord[] = [];
      for (const d of DATASETS) {
        const gen = createGenerator(d, { seed: 3 });
        for (let i = 0; i < 700; i++) {
          const json = JSON.stringify(gen.next());
          records.push({ partitionKey: `${d}-${i % 41}`, data: i % 97 === 0 ? json.repeat(40) : json });
        }
      }
      records.push(
        { partitionKey: 'empty', data: '' },
        { partitionKey: 'k'.repeat(256), data: 'x'.repeat(127) },
      );
      // Act
      const aggregates = aggregate(records, maxBytes);
      // Assess
      expect(aggregates.flatMap((a) => a.records)).toEqual(records);
      for (const a of aggregates) {
        expect(a.data.equals(encodeAggregatedRecord(asBytes(a.records)))).toBe(true);
        if (a.records.length > 1) expect(a.data.length).toBeLessThanOrEqual(maxBytes);
      }
    },
  );

  it('writes text that is not all ASCII, and bytes, the general way with the same result', () => {
    // Prepare: one non-ASCII record or key, or one byte record, among ASCII text
    const ascii = Array.from({ length: 30 }, (_, i) => ({ partitionKey: `k${i % 4}`, data: `{"n":${i}}` }));
    const variants: TextRecord[][] = [
      [...ascii, { partitionKey: 'k1', data: '{"city":"Zürich"}' }],
      [...ascii, { partitionKey: 'ключ', data: '{"n":-1}' }],
      [...ascii, { partitionKey: 'k2', data: Buffer.from('{"bytes":true}') }],
    ];
    for (const records of variants) {
      // Act
      const [only] = aggregate(records, 1024 * 1024);
      // Assess
      expect(only!.data.equals(encodeAggregatedRecord(asBytes(records)))).toBe(true);
      const ours = deaggregate(only!.data, 'outer');
      const ref = referenceDeaggregate(only!.data, 'outer');
      const texts = records.map((r) => Buffer.from(r.data).toString('utf8'));
      expect(ours.map((r) => Buffer.from(r.data).toString('utf8'))).toEqual(texts);
      expect(ref.map((r) => Buffer.from(r.data).toString('utf8'))).toEqual(texts);
      expect(ref.map((r) => r.partitionKey)).toEqual(records.map((r) => r.partitionKey));
    }
  });

  it('starts each aggregate afresh after build()', () => {
    const builder = new AggregateBuilder<number>(1024);
    builder.tryAdd({ partitionKey: 'é', data: Buffer.from('x') }, 1);
    builder.build();
    builder.tryAdd({ partitionKey: 'a', data: 'plain' }, 2, 5);
    const { data, items } = builder.build();
    expect(items).toEqual([2]);
    expect(data.equals(encodeAggregatedRecord([{ partitionKey: 'a', data: Buffer.from('plain') }]))).toBe(
      true,
    );
  });
});
