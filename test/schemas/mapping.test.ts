import { describe, expect, it } from 'vitest';
import {
  type AvroSchema,
  avroToHiveType,
  avroToTsType,
  CONTRACTS,
  contractFor,
  hiveToDuckDbType,
  partitionOf,
  partitionPrefix,
} from '../../schemas/index.js';

// Every Avro type the contracts use, and the ones a later schema version may use, with the Hive type
// (Glue/Athena/Firehose), the DuckDB type that writes the same Parquet type, and the TS wire type.
const cases: [string, AvroSchema, string, string, string][] = [
  ['string', 'string', 'string', 'VARCHAR', 'string'],
  ['int', 'int', 'int', 'INTEGER', 'number'],
  ['long', 'long', 'bigint', 'BIGINT', 'number'],
  ['float', 'float', 'float', 'FLOAT', 'number'],
  ['double', 'double', 'double', 'DOUBLE', 'number'],
  ['boolean', 'boolean', 'boolean', 'BOOLEAN', 'boolean'],
  ['bytes', 'bytes', 'binary', 'BLOB', 'string'],
  [
    'timestamp-millis',
    { type: 'long', logicalType: 'timestamp-millis' },
    'timestamp',
    'TIMESTAMPTZ',
    'number',
  ],
  [
    'timestamp-micros',
    { type: 'long', logicalType: 'timestamp-micros' },
    'timestamp',
    'TIMESTAMPTZ',
    'number',
  ],
  ['date', { type: 'int', logicalType: 'date' }, 'date', 'DATE', 'number'],
  [
    'decimal (bytes)',
    { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 4 },
    'decimal(12,4)',
    'DECIMAL(12,4)',
    'string',
  ],
  ['enum', { type: 'enum', name: 'Side', symbols: ['BUY', 'SELL'] }, 'string', 'VARCHAR', "'BUY' | 'SELL'"],
  ['nullable union', ['null', 'double'], 'double', 'DOUBLE', 'number | null'],
  ['array', { type: 'array', items: 'string' }, 'array<string>', 'VARCHAR[]', 'Array<string>'],
  [
    'map',
    { type: 'map', values: 'double' },
    'map<string,double>',
    'MAP(VARCHAR, DOUBLE)',
    'Record<string, number>',
  ],
  [
    'record',
    {
      type: 'record',
      name: 'Window',
      fields: [
        { name: 'start', type: 'long' },
        { name: 'label', type: 'string' },
      ],
    },
    'struct<start:bigint,label:string>',
    'STRUCT("start" BIGINT, "label" VARCHAR)',
    '{ start: number; label: string }',
  ],
];

describe('Avro → Hive / DuckDB / TypeScript mapping', () => {
  it.each(cases)('%s', (_name, avro, hive, duck, ts) => {
    expect(avroToHiveType(avro)).toBe(hive);
    expect(hiveToDuckDbType(hive)).toBe(duck);
    expect(avroToTsType(avro)).toBe(ts);
  });

  it('rejects unions that cannot be a column', () => {
    expect(() => avroToHiveType(['string', 'double'])).toThrow(/only \["null", T\] unions/);
  });

  it('covers every Avro type the contracts use', () => {
    const label = (t: AvroSchema): string => {
      if (Array.isArray(t)) return 'nullable union';
      if (typeof t === 'string') return t;
      if ('logicalType' in t && t.logicalType) return t.logicalType;
      return t.type;
    };
    const used = new Set<string>();
    for (const c of Object.values(CONTRACTS)) {
      for (const f of c.schema.fields) {
        used.add(label(f.type));
        if (Array.isArray(f.type)) for (const b of f.type) if (b !== 'null') used.add(label(b));
      }
    }
    const tested = new Set(cases.map((c) => label(c[1])));
    expect([...used].filter((u) => !tested.has(u))).toEqual([]);
  });
});

describe('columns and layout derived from the contracts', () => {
  it('lists every field as a column, in schema order, with partition keys dt/hr', () => {
    const c = contractFor('transactions');
    expect(c.columns.map((x) => x.name)).toEqual(c.schema.fields.map((f) => f.name));
    expect(c.columns.find((x) => x.name === 'delivery_start')?.type).toBe('timestamp');
    expect(c.columns.find((x) => x.name === 'status')?.type).toBe('string');
    expect(c.columns.find((x) => x.name === 'is_block')?.type).toBe('boolean');
    expect(c.partitionKeys.map((p) => `${p.name}:${p.type}`)).toEqual(['dt:string', 'hr:string']);
    expect(c.duckDbColumns.length).toBe(c.columns.length);
  });

  it('partitions by UTC event time', () => {
    const t = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
    expect(partitionOf(t)).toEqual({ dt: '2026-01-31', hr: '23' });
    expect(partitionPrefix('raw', 'grid', t + 1)).toBe('raw/grid/dt=2026-02-01/hr=00/');
  });
});
