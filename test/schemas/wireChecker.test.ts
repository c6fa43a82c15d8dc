import { describe, expect, it } from 'vitest';
import { type Contract, contractFor, DATASETS, type Dataset } from '../../schemas/index.js';
import { generatedEvents, gridEvent } from '../helpers/events.js';

type Json = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const generated = (dataset: Dataset, count: number): Json[] => generatedEvents(dataset, count);

function check(contract: Contract, text: string | Uint8Array): { ok: boolean; captured: number[] } {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const captured = new Float64Array(contract.checkWire.captures.length);
  const ok = contract.checkWire(bytes, captured);
  return { ok, captured: [...captured] };
}

/** The exact path's verdict: UTF-8, the text checks (depth, duplicate keys, surrogates), JSON.parse, then the contract. */
function exactValid(contract: Contract, bytes: Uint8Array): { valid: boolean; value?: Json } {
  try {
    const text = utf8.decode(bytes);
    if (contract.inspectText(text) !== undefined) return { valid: false };
    const value = JSON.parse(text) as Json;
    return { valid: contract.isValid(value), value };
  } catch {
    return { valid: false };
  }
}

/** Whenever the fast path accepts, the exact path accepts too and the captured values are the parsed ones. */
function expectAcceptedExactly(contract: Contract, bytes: Uint8Array): boolean {
  const { ok, captured } = check(contract, bytes);
  if (!ok) return false;
  const exact = exactValid(contract, bytes);
  expect(exact.valid, Buffer.from(bytes).toString('latin1')).toBe(true);
  expect(bytes.includes(0x0a)).toBe(false);
  contract.checkWire.captures.forEach((name, k) => {
    const v = exact.value![name];
    if (v === null) expect(captured[k]).toBeNaN();
    else expect(captured[k]).toBe(v);
  });
  return true;
}

// Deterministic pseudo-random numbers for the mutation test.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const REPLACEMENTS = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '1',
  '-1',
  '1.5',
  '1e3',
  '1E-2',
  '2147483648',
  '-2147483649',
  '2147483647',
  '9007199254740993',
  '123456789012345',
  '1234567890123456',
  '01',
  '.5',
  '5.',
  '"x"',
  '""',
  '"a\\"b"',
  '"\\u00e9"',
  '"é"',
  '"RTM"',
  '"DAM"',
  '"HUB"',
  '"NEW"',
  '"OBSERVATION"',
  '{}',
  '[]',
  '"\u0001"',
  '"\\ud800"',
  '"a\\udc00"',
  '"\\ud83d\\ude00"',
  '[[[[[[[[[[]]]]]]]]]]',
  'nul',
  'NaN',
  'Infinity',
  '-',
  '"unterminated',
];

function mutate(text: string, random: () => number, keys: string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const key = pick(keys);
  const at = text.indexOf(`"${key}":`);
  switch (Math.floor(random() * 10)) {
    case 0: {
      // Replace a value.
      const start = at + key.length + 3;
      let end = start;
      if (text[start] === '"') end = text.indexOf('"', start + 1) + 1;
      else while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
      return text.slice(0, start) + pick(REPLACEMENTS) + text.slice(end);
    }
    case 1: // Drop a field.
      return text.replace(new RegExp(`"${key}":(?:"[^"]*"|[^,}]*),?`), '').replace(',}', '}');
    case 2: // Add an undeclared field or repeat one.
      return text.replace('{', random() < 0.5 ? '{"extra":1,' : `{"${key}":null,`);
    case 3: {
      // Insert whitespace somewhere.
      const i = Math.floor(random() * (text.length + 1));
      return text.slice(0, i) + pick([' ', '\t', '\r', '\n', '  ']) + text.slice(i);
    }
    case 4: {
      // Delete one character.
      const i = Math.floor(random() * text.length);
      return text.slice(0, i) + text.slice(i + 1);
    }
    case 5: {
      // Insert one character.
      const i = Math.floor(random() * (text.length + 1));
      return (
        text.slice(0, i) + pick(['"', ',', ':', '{', '}', '\\', '0', 'e', '-', '.', 'x', 'é']) + text.slice(i)
      );
    }
    case 6: // Rename a key by one character.
      return text.replace(`"${key}":`, `"${key.slice(0, -1)}X":`);
    case 7: // Trailing bytes or a BOM.
      return random() < 0.5 ? `${text}${pick([' ', 'x', '}', ',', '\r', '\n'])}` : `\ufeff${text}`;
    case 8: // Wrong container.
      return random() < 0.5 ? `[${text}]` : text.slice(0, -1);
    default: {
      // Reorder: move a field to the front.
      const m = new RegExp(`"${key}":(?:"[^"]*"|[^,}]*)`).exec(text);
      if (!m) return text;
      const rest = text.replace(`${m[0]},`, '').replace(`,${m[0]}`, '');
      return rest.replace('{', `{${m[0]},`);
    }
  }
}

describe('contract.checkWire', () => {
  for (const dataset of DATASETS) {
    const contract = contractFor(dataset);

    it(`${dataset}: takes every generated event on the fast path, with the captured times`, () => {
      expect(contract.checkWire.captures).toContain('event_time');
      expect(contract.checkWire.captures).toContain('produced_at');
      for (const event of generated(dataset, 400)) {
        const bytes = Buffer.from(JSON.stringify(event));
        expect(expectAcceptedExactly(contract, bytes)).toBe(true);
        // The same event in another key order and with spaces: the byte scanner's path.
        const reordered = Buffer.from(
          JSON.stringify(Object.fromEntries(Object.entries(event).reverse()), null, 1).replaceAll('\n', ' '),
        );
        expect(expectAcceptedExactly(contract, reordered)).toBe(true);
      }
    });

    it(`${dataset}: never accepts what the exact path rejects (random mutations)`, () => {
      const random = rng(dataset.length * 7919);
      const events = generated(dataset, 60);
      const keys = contract.columns.map((c) => c.name);
      let accepted = 0;
      let rejected = 0;
      for (let i = 0; i < 6000; i++) {
        // Half start from the schema order (the canonical form's regular expression decides those that
        // stay canonical), half from the reverse order (the byte scanner decides all of those).
        const event = events[i % events.length]!;
        let text = JSON.stringify(i % 2 === 0 ? event : Object.fromEntries(Object.entries(event).reverse()));
        const rounds = 1 + Math.floor(random() * 2);
        for (let r = 0; r < rounds; r++) text = mutate(text, random, keys);
        const bytes = Buffer.from(text, 'utf8');
        if (expectAcceptedExactly(contract, bytes)) accepted++;
        else rejected++;
      }
      // Both outcomes occur, so the property is exercised on each side.
      expect(accepted).toBeGreaterThan(300);
      expect(rejected).toBeGreaterThan(300);
    });
  }

  const grid = contractFor('grid');
  const base = gridEvent({ event_id: 'evt-1' });
  const text = JSON.stringify(base);
  const swap = (from: string, to: string): string => {
    expect(text).toContain(from);
    return text.replace(from, to);
  };

  it('accepts other key orders, spaces/tabs/CR between tokens, negative numbers and -0', () => {
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(base).reverse()));
    expect(expectAcceptedExactly(grid, Buffer.from(reordered))).toBe(true);
    const spaced = JSON.stringify(base, null, '\t').replaceAll('\n', '\r');
    expect(expectAcceptedExactly(grid, Buffer.from(` ${spaced} `))).toBe(true);
    expect(
      expectAcceptedExactly(grid, Buffer.from(swap('"lmp_usd_mwh":42.5', '"lmp_usd_mwh":-0.0001'))),
    ).toBe(true);
    expect(
      expectAcceptedExactly(grid, Buffer.from(swap('"interval_minutes":5', '"interval_minutes":-0'))),
    ).toBe(true);
    expect(check(grid, text).captured).toEqual([base.event_time, base.produced_at]);
  });

  it.each([
    ['an undeclared field', text.replace('{', '{"extra":1,')],
    ['a missing nullable field', swap('"gas_mw":null,', '')],
    ['a repeated key', text.replace('{', '{"gas_mw":null,')],
    ['an escaped string', swap('"LZ_HOUSTON"', '"LZ_\\u0048OUSTON"')],
    ['a non-ASCII string', swap('"LZ_HOUSTON"', '"LZ_HOUSTÖN"')],
    ['a line feed between tokens', text.replace(',', ',\n')],
    ['a double with an exponent', swap('42.5', '4.25e1')],
    ['an int written with a fraction', swap('"interval_minutes":5', '"interval_minutes":5.0')],
    ['an int out of range', swap('"interval_minutes":5', '"interval_minutes":2147483648')],
    ['a 16-digit long', swap(`"event_time":${base.event_time}`, '"event_time":1000000000000000')],
    ['a BOM', `\ufeff${text}`],
    ['trailing bytes', `${text}x`],
    ['an unknown enum symbol', swap('"RTM"', '"XYZ"')],
    ['null in a required field', swap('"load_zone":"LZ_HOUSTON"', '"load_zone":null')],
    ['a nested object', swap('"load_zone":"LZ_HOUSTON"', '"load_zone":{}')],
    ['an array', `[${text}]`],
    ['a leading zero', swap('"interval_minutes":5', '"interval_minutes":05')],
  ])('leaves %s to the exact path', (_label, input) => {
    expect(check(grid, input).ok).toBe(false);
  });

  it('is false for any prefix of a valid event', () => {
    const bytes = Buffer.from(text);
    for (let n = 0; n < bytes.length; n++) expect(check(grid, bytes.subarray(0, n)).ok).toBe(false);
    expect(check(grid, bytes).ok).toBe(true);
  });
});

describe('contract.checkWire.canonicalAt (many events in one Latin-1 string)', () => {
  const grid = contractFor('grid');

  /** Events laid out like user records in a KPL aggregate: framing bytes between them. */
  function laidOut(
    events: string[],
    junk: (i: number) => string,
  ): { text: string; spans: [number, number][] } {
    let text = '';
    const spans: [number, number][] = [];
    events.forEach((e, i) => {
      text += junk(i);
      spans.push([text.length, text.length + e.length]);
      text += e;
    });
    return { text: `${text}${junk(events.length)}`, spans };
  }

  it('agrees with the whole-event check at every span, whatever surrounds it (random mutations)', () => {
    const random = rng(4242);
    const keys = grid.columns.map((c) => c.name);
    const events = generated('grid', 40).map((e, i) => {
      let t = JSON.stringify(e);
      if (i % 2 === 1) t = mutate(t, random, keys);
      return t;
    });
    // Framing that could extend a match: closing braces, digits, commas, quotes.
    const { text, spans } = laidOut(events, (i) => ['}', '1}', ',"x":1}', '"', '\u001a\u0005', ''][i % 6]!);
    const captured = new Float64Array(grid.checkWire.captures.length);
    let accepted = 0;
    spans.forEach(([start, end], i) => {
      const alone = check(grid, events[i]!);
      const inPlace = grid.checkWire.canonicalAt(text, start, end, captured);
      // In place, only the canonical tier runs: an accept must be an accept of the event alone.
      if (inPlace) {
        expect(alone.ok).toBe(true);
        expect([...captured]).toEqual(alone.captured);
        accepted++;
      }
      // Canonical (unmutated) events are always accepted in place.
      if (i % 2 === 0) expect(inPlace).toBe(true);
    });
    expect(accepted).toBeGreaterThanOrEqual(20);
  });

  it('is false when the span stops short of the event or runs past it', () => {
    const e = JSON.stringify(gridEvent({ event_id: 'evt-span' }));
    const text = `xx${e}}}`;
    const captured = new Float64Array(grid.checkWire.captures.length);
    expect(grid.checkWire.canonicalAt(text, 2, 2 + e.length, captured)).toBe(true);
    expect(grid.checkWire.canonicalAt(text, 2, 1 + e.length, captured)).toBe(false);
    expect(grid.checkWire.canonicalAt(text, 2, 3 + e.length, captured)).toBe(false);
    expect(grid.checkWire.canonicalAt(text, 1, 2 + e.length, captured)).toBe(false);
  });

  it('leaves other key orders to the byte scanner (`scan`)', () => {
    const e = JSON.stringify(Object.fromEntries(Object.entries(gridEvent()).reverse()));
    const captured = new Float64Array(grid.checkWire.captures.length);
    expect(grid.checkWire.canonicalAt(e, 0, e.length, captured)).toBe(false);
    expect(grid.checkWire.scan(Buffer.from(e), captured)).toBe(true);
  });
});
