import { describe, expect, it } from 'vitest';
import { inspectJsonText } from '../../schemas/index.js';
import { nestedArray } from '../helpers/poison.js';

// Deterministic pseudo-random numbers.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Nesting depth of a parsed JSON value, computed without recursion (the reference). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, d + 1);
    for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return deepest;
}

/** String contents (already escaped) that look like structure: brackets, quotes, escapes. */
const TRICKY = ['[', ']', '{', '}', '\\"', '\\\\', ',', ':', '\\u005b', '\\/', 'x', '\\n', '\\ud83d\\ude00'];

/**
 * A random JSON text and the truth about it. Objects are written from entry lists, so duplicate keys
 * (which JSON.parse hides) are known.
 */
function randomJson(
  rand: () => number,
  maxDepth: number,
): { text: string; duplicate: boolean; depth: number } {
  let duplicate = false;
  let deepest = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const str = (): string => {
    let s = '';
    const n = Math.floor(rand() * 4);
    for (let i = 0; i < n; i++) s += pick(TRICKY);
    return `"${s}"`;
  };
  // Recursion here is on the generator's own small bound (8), never on input.
  const value = (depth: number): string => {
    const r = rand();
    if (depth >= maxDepth || r < 0.35) return pick(['1', '-2.5', 'null', 'true', str()]);
    deepest = Math.max(deepest, depth + 1);
    if (r < 0.65) {
      const n = Math.floor(rand() * 3);
      return `[${Array.from({ length: n }, () => value(depth + 1)).join(',')}]`;
    }
    const n = Math.floor(rand() * 3);
    const keys = Array.from({ length: n }, () => pick(['"a"', '"b"', '"\\u0061"', '"[{"', '"c\\"d"']));
    if (new Set(keys.map((k) => JSON.parse(k) as string)).size < keys.length) duplicate = true;
    return `{${keys.map((k) => `${k}:${value(depth + 1)}`).join(',')}}`;
  };
  const text = value(0);
  return { text, duplicate, depth: deepest };
}

describe('inspectJsonText', () => {
  it('agrees with JSON.parse on depth and duplicate keys for random JSON with brackets and quotes inside strings', () => {
    // Prepare
    const rand = rng(7);
    for (let k = 0; k < 3000; k++) {
      const { text, duplicate, depth } = randomJson(rand, 8);
      // The generator's own count, checked against JSON.parse where no duplicate key hides a value.
      if (!duplicate) expect(depthOf(JSON.parse(text))).toBe(depth);
      const bound = Math.floor(rand() * 8);
      // Act
      const issue = inspectJsonText(text, bound);
      // Assess: too deep exactly when deeper than the bound; else a duplicate exactly when there is one.
      if (depth > bound) {
        expect(issue?.kind === 'too_deep' || issue?.kind === 'duplicate_key', text).toBe(true);
        if (issue?.kind === 'too_deep') expect(issue.reason, text).toContain(`nested ${depth} levels deep`);
        else expect(duplicate, text).toBe(true);
      } else if (duplicate) expect(issue?.kind, text).toBe('duplicate_key');
      else expect(issue, text).toBeUndefined();
    }
  });

  it('does not count brackets inside strings, whatever escapes precede the closing quote', () => {
    const inString = `{"a":"${'['.repeat(10_000)}\\\\","b":"\\"${'{'.repeat(100)}"}`;
    expect(JSON.parse(inString)).toBeTruthy();
    expect(inspectJsonText(inString, 1)).toBeUndefined();
    expect(inspectJsonText('{"a":"\\\\"}', 1)).toBeUndefined();
    // An escaped quote does not end the string: the bracket after it is still inside.
    expect(inspectJsonText('{"a":"\\"["}', 1)).toBeUndefined();
  });

  it('reports depth with the path where the bound is crossed, for arrays and objects nested far past it', () => {
    const deep = `{"ok":1,"x":[1,2,{"y":${nestedArray(200_000)}}]}`;
    expect(inspectJsonText(deep, 5)).toEqual({
      kind: 'too_deep',
      path: 'x.2.y.0.0',
      reason: 'nested 200003 levels deep, deeper than the 5 this contract can hold',
    });
    const objects = `${'{"k":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    expect(inspectJsonText(objects, 3)).toMatchObject({ kind: 'too_deep', path: 'k.k.k' });
    expect(inspectJsonText(nestedArray(3), 3)).toBeUndefined();
    expect(inspectJsonText(nestedArray(4), 3)).toMatchObject({ kind: 'too_deep', path: '0.0.0' });
  });

  it('finds a key repeated after unescaping, at any level, naming its path', () => {
    expect(inspectJsonText('{"a":1,"\\u0061":2}', 5)).toMatchObject({ kind: 'duplicate_key', path: 'a' });
    expect(inspectJsonText('{"a":{"b":1,"c":[{"d":1,"d":2}]}}', 5)).toMatchObject({
      kind: 'duplicate_key',
      path: 'a.c.0.d',
    });
    // The same key in sibling objects is no duplicate.
    expect(inspectJsonText('[{"a":1},{"a":2}]', 5)).toBeUndefined();
    expect(inspectJsonText('{"a":"b","b":"a"}', 5)).toBeUndefined();
  });

  it('finds every unpaired surrogate escape, as String.isWellFormed of the parsed string does', () => {
    const units = ['\\ud800', '\\udbff', '\\udc00', '\\udfff', '\\u0041', 'x', '\\\\ud800', '\\ud83d\\ude00'];
    const rand = rng(11);
    for (let k = 0; k < 3000; k++) {
      let s = '';
      const n = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) s += units[Math.floor(rand() * units.length)];
      const text = `{"f":"${s}"}`;
      // String.prototype.isWellFormed (Node 20) is newer than the project's TypeScript lib.
      const parsed = (JSON.parse(text) as { f: string }).f as unknown as { isWellFormed(): boolean };
      const wellFormed = parsed.isWellFormed();
      const issue = inspectJsonText(text, 5);
      expect(issue === undefined, text).toBe(wellFormed);
      if (issue) expect(issue).toMatchObject({ kind: 'unpaired_surrogate', path: 'f' });
    }
    expect(inspectJsonText('{"k\\udc00":1}', 5)).toMatchObject({
      kind: 'unpaired_surrogate',
      path: 'k\\udc00',
    });
  });

  it('never throws on text that is not JSON (truncations and random bytes of poison records)', () => {
    const rand = rng(3);
    const sample = `{"a":"\\ud800","b":[[["x\\"]"]]],"a":1,"c":"\\u12`;
    for (let k = 0; k < 2000; k++) {
      const cut = sample.slice(0, Math.floor(rand() * sample.length));
      const noise = Array.from({ length: 20 }, () => String.fromCharCode(Math.floor(rand() * 128))).join('');
      expect(() => inspectJsonText(cut, 2)).not.toThrow();
      expect(() => inspectJsonText(noise, 2)).not.toThrow();
    }
  });
});
