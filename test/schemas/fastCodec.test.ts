import { describe, expect, it } from 'vitest';
import {
  type Contract,
  compileFastEncoder,
  contractFor,
  DATASETS,
  type Dataset,
  type SerializedEvent,
} from '../../schemas/index.js';
import { eventOf, generatedEvents } from '../helpers/events.js';

type Json = Record<string, unknown>;

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

  it('prints random values of the type byte-identically to JSON.stringify', () => {
    // Prepare: avsc's random records are class instances; plain copies take the fast path
    const encode = compileFastEncoder(contract.type)!;
    const randoms = Array.from({ length: 2_000 }, () => contract.type.random() as unknown as Json);
    // Act
    const plain = randoms.map((r) => encode({ ...r }));
    const instances = randoms.map((r) => encode(r));
    // Assess
    expect(plain.filter((json, i) => json !== JSON.stringify(randoms[i]))).toEqual([]);
    expect(instances.every((json) => json === undefined)).toBe(true);
    for (const r of randoms.slice(0, 300)) {
      expectSerializedLikeValidate(contract, r);
      expectSerializedLikeValidate(contract, { ...r });
    }
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
      ...Array.from(
        { length: 5_000 },
        () => (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 30 - 10),
      ),
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
