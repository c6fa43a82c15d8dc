import { describe, expect, it } from 'vitest';
import { mulberry32, type RandomStream } from '../../producers/sources/index.js';
import {
  type AvroField,
  type AvroSchema,
  type Contract,
  compileFastEncoder,
  contractFor,
  DATASETS,
  type Dataset,
  MAX_SHAPES,
  type SerializedEvent,
} from '../../schemas/index.js';
import { eventOf, generatedEvents } from '../helpers/events.js';

type Json = Record<string, unknown>;

/** Text the fast path prints itself (per compileFastEncoder's TSDoc): printable ASCII without `"` or `\\`. */
const PLAIN = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]*$/;

const isPlain = (event: Json): boolean =>
  Object.values(event).every((v) => typeof v !== 'string' || PLAIN.test(v));

/**
 * The shape compileFastEncoder keys its printers on, per its TSDoc: the symbol of each enum, each
 * boolean, and which nullable fields hold null. Written from the schema, not from the encoder's plans.
 */
function shapeOf(fields: readonly AvroField[], event: Json): string {
  return fields
    .map((f) => {
      const value = event[f.name];
      const base = Array.isArray(f.type) ? f.type.find((t) => t !== 'null') : f.type;
      const isChoice = base === 'boolean' || (typeof base === 'object' && 'symbols' in base);
      if (isChoice) return String(value);
      return Array.isArray(f.type) ? String(value === null) : '';
    })
    .join('|');
}

/**
 * What the fast path must return for each plain object holding the schema's fields in schema order,
 * fed to one fresh encoder in this order: JSON.stringify's text when every string is plain and the
 * event's shape is one of the first {@link MAX_SHAPES} shapes the encoder printed, `undefined` (the
 * exact path) otherwise.
 */
function expectedFastOutputs(fields: readonly AvroField[], events: readonly Json[]): (string | undefined)[] {
  const printed = new Set<string>();
  return events.map((event) => {
    if (!isPlain(event)) return undefined;
    const shape = shapeOf(fields, event);
    if (!printed.has(shape)) {
      if (printed.size >= MAX_SHAPES) return undefined;
      printed.add(shape);
    }
    return JSON.stringify(event);
  });
}

/** The events whose fast output differs from the expected one, with both. */
function mismatches(
  events: readonly Json[],
  actual: readonly (string | undefined)[],
  expected: readonly (string | undefined)[],
): unknown[] {
  return events.flatMap((event, i) =>
    actual[i] === expected[i] ? [] : [{ index: i, event, actual: actual[i], expected: expected[i] }],
  );
}

const PLAIN_CHARACTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:./~';
const CHARACTERS_TO_ESCAPE = ['"', '\\', '\n', '\t', '\u0000', '\u007f', 'é', '€', '\ud83d\ude00'];
const SPECIAL_DOUBLES = [0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 0.1 + 0.2];

/**
 * A random valid value of a type from a seeded stream: every union branch equally likely, numbers
 * across their whole range, and now and then a string that needs escaping (about 1 character in 80).
 */
function randomValue(type: AvroSchema, random: RandomStream): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  if (Array.isArray(type)) return randomValue(pick(type), random);
  const t = typeof type === 'string' ? { type } : type;
  switch (t.type) {
    case 'null':
      return null;
    case 'boolean':
      return random() < 0.5;
    case 'int':
      return (random() * 2 ** 32) | 0;
    case 'long':
      return Math.round((random() * 2 - 1) * 9_007_199_254_740_990);
    case 'double':
      return random() < 0.1 ? pick(SPECIAL_DOUBLES) : (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
    case 'string':
      return Array.from({ length: Math.floor(random() * 12) }, () =>
        random() < 1 / 80 ? pick(CHARACTERS_TO_ESCAPE) : pick([...PLAIN_CHARACTERS]),
      ).join('');
    case 'enum':
      return pick(t.symbols);
    default:
      throw new Error(`randomValue: no generator for ${JSON.stringify(type)}`);
  }
}

/** A random valid event of a record schema: a plain object with the fields in schema order. */
const randomEvent = (fields: readonly AvroField[], random: RandomStream): Json =>
  Object.fromEntries(fields.map((f) => [f.name, randomValue(f.type, random)]));

const JULY = Date.UTC(2026, 6, 1);

const generated = (dataset: Dataset, count: number): Json[] => generatedEvents(dataset, count);

/** What `serialize` must return for any value: exactly validate()'s verdict, and JSON.stringify's text. */
function expectSerializedLikeValidate(contract: Contract, value: unknown): void {
  const violations = contract.validate(value);
  const out = contract.serialize(value);
  if (violations.length > 0) {
    expect(out).toEqual(violations);
    return;
  }
  expect(Array.isArray(out)).toBe(false);
  const json = JSON.stringify(value);
  expect((out as SerializedEvent).json).toBe(json);
  expect((out as SerializedEvent).byteLength).toBe(Buffer.byteLength(json));
}

/** Values of every kind, valid or not for some field type. */
const VALUES: readonly unknown[] = [
  'x',
  '',
  'NOT_A_SYMBOL',
  'with "quotes"',
  'back\\slash',
  'tab\there',
  '\u0000',
  '\u007f',
  'é',
  'Zürich €',
  '\ud83d\ude00',
  '\ud800',
  'toString',
  'constructor',
  '__proto__',
  0,
  -0,
  1,
  -1,
  42,
  1.5,
  -0.1,
  0.1 + 0.2,
  1e21,
  1e-7,
  5e-324,
  Number.MAX_VALUE,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  9_007_199_254_740_990,
  9_007_199_254_740_991,
  -9_007_199_254_740_991,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  null,
  undefined,
  {},
  [],
  ['RTM'],
  { toString: () => 'RTM' },
  new Date(JULY),
];

describe.each(DATASETS.map((d) => [d] as [Dataset]))('fast codec: %s', (dataset) => {
  const contract = contractFor(dataset) as Contract;
  const fieldNames = contract.schema.fields.map((f) => f.name);

  it('compiles a fast path for the contract', () => {
    expect(compileFastEncoder(contract.type)).toBeTypeOf('function');
  });

  it('prints generated events byte-identically to JSON.stringify, all on the fast path', () => {
    // Prepare
    const encode = compileFastEncoder(contract.type)!;
    const events = generated(dataset, 4_000);
    // Act
    const printed = events.map((e) => encode(e));
    // Assess
    const differing = events.filter((e, i) => printed[i] !== JSON.stringify(e));
    expect(differing).toEqual([]);
    for (const e of events.slice(0, 500)) expectSerializedLikeValidate(contract, e);
  });

  it('prints random values of the type as JSON.stringify does, on the fast path up to its shape limit', () => {
    // Prepare: avsc's random records are class instances; plain copies are the form the fast path
    // takes. avsc's generator cannot be seeded (a private LCG seeded from Math.random), so the
    // assertion holds for any sample: how many shapes 2,000 records hold varies by run.
    const encode = compileFastEncoder(contract.type)!;
    const randoms = Array.from({ length: 2_000 }, () => contract.type.random() as unknown as Json);
    const copies = randoms.map((r) => ({ ...r }));
    // Act
    const plain = copies.map((r) => encode(r));
    const instances = randoms.map((r) => encode(r));
    // Assess
    const expected = expectedFastOutputs(contract.schema.fields, copies);
    expect(mismatches(copies, plain, expected)).toEqual([]);
    expect(plain.filter((json) => json !== undefined).length).toBeGreaterThanOrEqual(
      Math.min(MAX_SHAPES, randoms.length),
    );
    expect(instances.every((json) => json === undefined)).toBe(true);
    for (const r of randoms.slice(0, 300)) {
      expectSerializedLikeValidate(contract, r);
      expectSerializedLikeValidate(contract, { ...r });
    }
  });

  it('takes the fast path exactly where its contract says, for seeded random events', () => {
    // Prepare: plain events in schema order, some with strings to escape, in more shapes than the
    // printer limit where the schema allows that many
    const encode = compileFastEncoder(contract.type)!;
    const random = mulberry32(0x5eed + DATASETS.indexOf(dataset));
    const events = Array.from({ length: 3_000 }, () => randomEvent(contract.schema.fields, random));
    // Act
    const printed = events.map((e) => encode(e));
    // Assess
    const expected = expectedFastOutputs(contract.schema.fields, events);
    expect(mismatches(events, printed, expected)).toEqual([]);
    expect(printed.some((json) => json !== undefined)).toBe(true);
    expect(events.some((e) => !isPlain(e))).toBe(true);
    for (const e of events.slice(0, 300)) expectSerializedLikeValidate(contract, e);
  });

  it('rejects exactly what validate() rejects, mutating every field to every kind of value', () => {
    // Prepare: one event per shape the generator makes, plus the test factory's
    const encode = compileFastEncoder(contract.type)!;
    const bases = [
      eventOf(dataset) as unknown as Json,
      ...generated(dataset, 300).filter((_, i) => i % 37 === 0),
    ];
    let fastAccepted = 0;
    let rejected = 0;
    for (const base of bases) {
      for (const field of fieldNames) {
        for (const value of VALUES) {
          // Act
          const mutated = { ...base, [field]: value };
          const fast = encode(mutated);
          // Assess: the fast path only ever accepts valid events, and prints them as JSON.stringify
          if (fast !== undefined) {
            fastAccepted += 1;
            expect(contract.validate(mutated)).toEqual([]);
            expect(fast).toBe(JSON.stringify(mutated));
          }
          if (contract.validate(mutated).length > 0) rejected += 1;
          expectSerializedLikeValidate(contract, mutated);
        }
      }
    }
    expect(fastAccepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it('rejects missing required fields and extra fields with the violations validate() reports', () => {
    const base = eventOf(dataset) as unknown as Json;
    for (const field of fieldNames) {
      const { [field]: _dropped, ...missing } = base;
      expectSerializedLikeValidate(contract, missing);
    }
    const extra = { ...base, not_in_contract: 1 };
    const out = contract.serialize(extra);
    expect(out).toEqual(contract.validate(extra));
    expect(out).toContainEqual({ path: 'not_in_contract', reason: expect.stringContaining('not in the') });
    for (const other of DATASETS.filter((d) => d !== dataset))
      expectSerializedLikeValidate(contract, eventOf(other));
  });

  it('takes the exact path for valid events it does not print itself, with the same text', () => {
    // Prepare: valid events in forms the fast path leaves alone
    const encode = compileFastEncoder(contract.type)!;
    const base = eventOf(dataset) as unknown as Json;
    const reversed = Object.fromEntries(Object.entries(base).reverse());
    const nullProto = Object.assign(Object.create(null) as Json, base);
    const inherited = Object.assign(Object.create({ inherited: true }) as Json, base);
    const nonAscii = { ...base, source: 'Zürich "HQ" €', producer_id: 'tab\there \ud83d\ude00' };
    const optional = contract.schema.fields.find((f) => Array.isArray(f.type) && f.type[0] === 'null');
    const withoutOptional = { ...base };
    if (optional) delete withoutOptional[optional.name];
    const withUndefined = optional ? { ...base, [optional.name]: undefined } : { ...base };
    const forms = [reversed, nullProto, inherited, nonAscii, withoutOptional, withUndefined];
    for (const form of forms) {
      // Act + Assess
      expect(encode(form)).toBeUndefined();
      expectSerializedLikeValidate(contract, form);
    }
    const nonAsciiOut = contract.serialize(nonAscii) as SerializedEvent;
    expect(nonAsciiOut.byteLength).toBeGreaterThan(nonAsciiOut.json.length);
  });

  it('leaves a field inherited from Object.prototype to the exact path (JSON.stringify skips it)', () => {
    // Prepare: every field own but the last, which Object.prototype provides (a polluted prototype)
    const encode = compileFastEncoder(contract.type)!;
    const last = fieldNames[fieldNames.length - 1]!;
    const { [last]: value, ...rest } = eventOf(dataset) as unknown as Json;
    let fast: string | undefined;
    let out: SerializedEvent | unknown[];
    let violations: unknown[];
    Object.defineProperty(Object.prototype, last, {
      value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      // Act
      fast = encode(rest);
      out = contract.serialize(rest);
      violations = contract.validate(rest);
    } finally {
      delete (Object.prototype as Json)[last];
    }
    // Assess: avsc reads the inherited value, so the event is valid; JSON.stringify leaves it out
    expect(fast).toBeUndefined();
    expect(violations).toEqual([]);
    expect((out as SerializedEvent).json).toBe(JSON.stringify(rest));
    expect((out as SerializedEvent).json).not.toContain(`"${last}"`);
  });

  it('rejects what is not an object, as validate() does', () => {
    for (const value of [null, undefined, 42, 'x', true, [], [eventOf(dataset)], new Map()]) {
      expect(compileFastEncoder(contract.type)!(value)).toBeUndefined();
      expectSerializedLikeValidate(contract, value);
    }
  });

  it('prints numbers as JSON.stringify does, whatever the number cache holds', () => {
    // Prepare: numbers that share cache slots or differ only in sign, printed in varying order
    const encode = compileFastEncoder(contract.type)!;
    const random = mulberry32(0x0b17);
    const numeric = contract.schema.fields.find(
      (f) => f.type === 'double' || (Array.isArray(f.type) && f.type[1] === 'double'),
    );
    if (!numeric) return;
    const numbers = [
      0,
      -0,
      0.1,
      0.1 + 0.2,
      1e21,
      1e-7,
      5e-324,
      -1.5,
      123456.789,
      ...Array.from({ length: 5_000 }, () => (random() - 0.5) * 10 ** Math.floor(random() * 30 - 10)),
    ];
    for (let round = 0; round < 3; round++) {
      for (const n of round === 1 ? [...numbers].reverse() : numbers) {
        const event = { ...(eventOf(dataset) as unknown as Json), [numeric.name]: n };
        // Act + Assess
        expect(encode(event)).toBe(JSON.stringify(event));
      }
    }
  });
});

describe('fast codec shapes', () => {
  it('prints events of many shapes, leaving those past its printer limit to the exact path', () => {
    // Prepare: grid events with distinct patterns of null among the nullable fields
    const contract = contractFor('grid') as Contract;
    const encode = compileFastEncoder(contract.type)!;
    const nullable = contract.schema.fields.filter((f) => Array.isArray(f.type)).map((f) => f.name);
    const events = Array.from({ length: 600 }, (_, pattern) => {
      const event = { ...(eventOf('grid') as unknown as Json) };
      nullable.forEach((name, bit) => {
        if (((pattern * 2654435761) >>> bit) & 1) event[name] = null;
        else if (event[name] === null)
          event[name] =
            name === 'settlement_point' ? 'HB_NORTH' : name === 'settlement_point_type' ? 'HUB' : 12.5;
      });
      return event;
    });
    // Act
    const printed = events.map((e) => encode(e));
    // Assess
    expect(printed.filter((json, i) => json !== undefined && json !== JSON.stringify(events[i]))).toEqual([]);
    expect(printed.filter((json) => json !== undefined).length).toBeGreaterThanOrEqual(256);
    expect(printed.some((json) => json === undefined)).toBe(true);
    for (const e of events) expectSerializedLikeValidate(contract, e);
  });
});
