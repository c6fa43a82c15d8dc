import { describe, expect, it } from 'vitest';
import { ContractViolationError, contractFor, DATASETS, type Dataset } from '../../schemas/index.js';
import { eventOf } from '../helpers/events.js';

// One harness checks every schema the same way (avsc's habit): valid values round-trip, invalid values
// are rejected with the field path, random values from the type pass.
describe.each(DATASETS.map((d) => [d] as [Dataset]))('contract harness: %s', (dataset) => {
  const contract = contractFor(dataset);

  it('accepts a valid event and round-trips it through Avro binary and JSON', () => {
    const event = eventOf(dataset);
    expect(contract.validate(event)).toEqual([]);
    expect(contract.isValid(event)).toBe(true);
    const decoded = contract.type.fromBuffer(contract.type.toBuffer(event));
    expect(decoded).toEqual(event);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('rejects a wrong type with the failing field path', () => {
    const event = { ...eventOf(dataset), event_time: '2026-11-22T12:00:00Z' };
    const violations = contract.validate(event);
    expect(violations).toEqual([{ path: 'event_time', reason: 'expected long, got "2026-11-22T12:00:00Z"' }]);
    expect(contract.isValid(event)).toBe(false);
  });

  it('rejects a missing required field, naming it and the event', () => {
    const { event_id, producer_id: _dropped, ...rest } = eventOf(dataset);
    const event = { event_id, ...rest };
    expect(() => contract.assertValid(event)).toThrowError(ContractViolationError);
    try {
      contract.assertValid(event);
    } catch (err) {
      const e = err as ContractViolationError;
      expect(e.violations).toEqual([{ path: 'producer_id', reason: 'expected string, got missing' }]);
      expect(e.message).toContain(event_id);
      expect(e.message).toContain('producer_id');
      expect(e.retriable).toBe(false);
    }
  });

  it('rejects fields that are not in the contract (an event for another dataset)', () => {
    const other = DATASETS.find((d) => d !== dataset)!;
    const violations = contract.validate(eventOf(other));
    expect(violations.length).toBeGreaterThan(0);
    expect(contract.isValid(eventOf(other))).toBe(false);
  });

  it('rejects non-objects', () => {
    for (const bad of [null, 42, 'x', [1]]) {
      expect(contract.validate(bad)).toEqual([
        { path: '', reason: expect.stringContaining('expected a JSON object') },
      ]);
    }
  });

  it('accepts random values of the type', () => {
    for (let i = 0; i < 200; i++) {
      const random = contract.type.random() as unknown as Record<string, unknown>;
      expect(contract.validate(random)).toEqual([]);
    }
  });

  it('rejects NaN and ±Infinity in number fields (JSON has no form for them), once per field', () => {
    const doubles = contract.schema.fields.filter((f) => JSON.stringify(f.type).includes('"double"'));
    expect(doubles.length).toBeGreaterThan(0);
    const field = doubles[0]!.name;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const event = { ...eventOf(dataset), [field]: bad };
      expect(contract.validate(event)).toEqual([
        { path: field, reason: `expected a finite number, got ${String(bad)}` },
      ]);
      expect(contract.isValid(event)).toBe(false);
      expect(contract.serialize(event)).toEqual(contract.validate(event));
      // What `1e400` in the JSON parses to is rejected too.
      const parsed = JSON.parse(
        JSON.stringify(eventOf(dataset)).replace(`"${field}":`, `"${field}":1e400,"x":`),
      );
      delete parsed.x;
      expect(contract.isValid(parsed)).toBe(false);
    }
    // An int field holding NaN gets avsc's violation only, not a second one.
    const ints = contract.schema.fields.filter((f) => f.type === 'int');
    if (ints.length > 0) {
      const violations = contract.validate({ ...eventOf(dataset), [ints[0]!.name]: Number.NaN });
      expect(violations.map((v) => v.path)).toEqual([ints[0]!.name]);
    }
  });

  it('rejects an enum value outside the symbols', () => {
    const enumField = contract.schema.fields.find(
      (f) => typeof f.type === 'object' && !Array.isArray(f.type) && f.type.type === 'enum',
    )!;
    const event = { ...eventOf(dataset), [enumField.name]: 'NOT_A_SYMBOL' };
    const [v] = contract.validate(event);
    expect(v?.path).toBe(enumField.name);
    expect(v?.reason).toMatch(/^expected one of .+, got "NOT_A_SYMBOL"$/);
  });

  it('carries event_id, event_time (timestamp-millis) and producer metadata', () => {
    const byName = new Map(contract.schema.fields.map((f) => [f.name, f]));
    expect(byName.get('event_id')?.type).toBe('string');
    expect(byName.get('event_time')?.type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
    expect(byName.get('produced_at')?.type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
    expect(byName.get('producer_id')?.type).toBe('string');
  });
});

describe('dataset-specific contract rules', () => {
  it('weather accepts an optional field as null and as a value', () => {
    const c = contractFor('weather');
    expect(c.validate(eventOf('weather', { wind_speed_mps: null }))).toEqual([]);
    expect(c.validate(eventOf('weather', { wind_speed_mps: 3.5 }))).toEqual([]);
    expect(c.validate({ ...eventOf('weather'), wind_speed_mps: 'fast' })[0]?.path).toBe('wind_speed_mps');
  });

  it('transactions requires an integer version', () => {
    const c = contractFor('transactions');
    expect(c.validate({ ...eventOf('transactions'), version: 1.5 })[0]?.path).toBe('version');
  });
});
