import { describe, expect, it } from 'vitest';
import { ContractViolationError, contractFor, DATASETS, NESTING_MARGIN } from '../../schemas/index.js';
import { eventOf, gridEvent } from '../helpers/events.js';
import { POISON_DEPTH, poisonRecords } from '../helpers/poison.js';

/** An array nested `depth` levels deep, built without recursion. */
function deepValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe.each(DATASETS)('%s contract on hostile values', (dataset) => {
  const contract = contractFor(dataset);

  it('holds flat records: max depth is 1 plus the margin', () => {
    expect(contract.maxDepth).toBe(1 + NESTING_MARGIN);
  });

  it('reports values nested thousands deep (declared field, undeclared field, top level) without throwing', () => {
    // Prepare
    const deep = deepValue(POISON_DEPTH);
    const firstField = contract.columns[0]!.name;
    const cases = [
      { value: { ...eventOf(dataset), [firstField]: deep }, path: `${firstField}.0.0.0.0` },
      { value: { ...eventOf(dataset), extra: deep }, path: 'extra.0.0.0.0' },
    ];
    for (const { value, path } of cases) {
      // Act
      const violations = contract.validate(value);
      // Assess
      expect(violations).toContainEqual({
        path,
        reason: `nested deeper than the ${contract.maxDepth} levels this contract can hold`,
      });
      expect(contract.isValid(value)).toBe(false);
      expect(() => contract.assertValid(value)).toThrow(ContractViolationError);
      expect(Array.isArray(contract.serialize(value))).toBe(true);
      // Each message stays short: the value is previewed, not printed.
      for (const v of violations) expect(v.reason.length).toBeLessThan(200);
    }
    expect(contract.validate(deep)).toEqual([
      { path: '', reason: `expected a JSON object, got ${'['.repeat(57)}...` },
    ]);
  });

  it('reports a cyclic value and a BigInt instead of hanging or throwing', () => {
    const cyclic: Record<string, unknown> = { ...eventOf(dataset) };
    cyclic.self = cyclic;
    expect(contract.validate(cyclic)).toContainEqual({
      path: 'self',
      reason: `field is not in the ${dataset} contract`,
    });
    const firstField = contract.columns[0]!.name;
    const big = { ...eventOf(dataset), [firstField]: 10n };
    expect(contract.validate(big)[0]?.reason).toMatch(/got 10n$/);
    // A Date previews as JSON.stringify prints it.
    const dated = { ...eventOf(dataset), [firstField]: new Date(0) };
    expect(contract.validate(dated)[0]?.reason).toMatch(/got "1970-01-01T00:00:00.000Z"$/);
  });
});

describe('number messages', () => {
  const grid = contractFor('grid');

  it('says a number beyond the double range (1e400 parses to Infinity) is out of range, in int and double fields', () => {
    const parsed = JSON.parse(
      JSON.stringify(gridEvent()).replace(/"interval_minutes":\d+/, '"interval_minutes":1e400'),
    );
    expect(grid.validate(parsed)).toEqual([
      {
        path: 'interval_minutes',
        reason: 'expected int, got a number out of range (Infinity: beyond what a double holds)',
      },
    ]);
    expect(grid.validate({ ...gridEvent(), lmp_usd_mwh: Number.NEGATIVE_INFINITY })).toEqual([
      { path: 'lmp_usd_mwh', reason: 'expected a finite number, got -Infinity' },
    ]);
  });

  it('names integers out of the int range and fractions in integer fields', () => {
    expect(grid.validate({ ...gridEvent(), interval_minutes: 2 ** 31 })).toEqual([
      {
        path: 'interval_minutes',
        reason: 'expected int, got 2147483648 (outside the int range -2147483648..2147483647)',
      },
    ]);
    expect(grid.validate({ ...gridEvent(), event_time: 1.5 })[0]?.reason).toBe(
      'expected long, got 1.5 (not an integer)',
    );
  });
});

describe('contract.inspectText on the poison records', () => {
  it.each(poisonRecords('t'))('$name: $code', ({ text, code, path, reason }) => {
    const issue = contractFor('grid').inspectText(text);
    expect(issue?.kind).toBe(code);
    expect(issue?.path).toBe(path);
    expect(issue?.reason).toContain(reason);
    // JSON.parse takes each of them: the text check is what stops them.
    expect(() => JSON.parse(text)).not.toThrow();
  });
});
