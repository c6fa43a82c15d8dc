/**
 * What {@link inspectJsonText} found in a JSON text that `JSON.parse` would take but a reader of the
 * lake (DuckDB's `read_json`, Athena's JSON SerDe, a Parquet writer) refuses or reads differently.
 */
export interface JsonTextIssue {
  /**
   * - `too_deep`: arrays/objects nested deeper than the contract can hold;
   * - `duplicate_key`: an object names a key twice (`JSON.parse` silently keeps the last value, DuckDB
   *   refuses the record);
   * - `unpaired_surrogate`: a `\uD800`-`\uDFFF` escape that is not half of a pair (no Unicode text has
   *   it; `JSON.parse` makes a lone UTF-16 unit of it, DuckDB refuses the record).
   */
  readonly kind: 'too_deep' | 'duplicate_key' | 'unpaired_surrogate';
  /** Field path (`a.b.0`) of the offending value or key; empty for the top level. */
  readonly path: string;
  /** What is wrong, with the value found, for people. */
  readonly reason: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const LOWER_U = 0x75;

/** One open object or array, while it is inside the depth bound. */
interface Frame {
  readonly object: boolean;
  /** Keys seen so far (objects). */
  readonly keys: Set<string>;
  /** The current key (objects) or index (arrays): this frame's path segment. */
  segment: string;
  index: number;
  /** An object expects a key next (after `{` or `,`). */
  expectKey: boolean;
}

/** The value of a `\uXXXX` escape's four hex digits at `i`, or -1 when they are not four hex digits. */
function hex4(text: string, i: number): number {
  if (i + 4 > text.length) return -1;
  let v = 0;
  for (let k = i; k < i + 4; k++) {
    const c = text.charCodeAt(k);
    const d =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 0x57
          : c >= 0x41 && c <= 0x46
            ? c - 0x37
            : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

const unit = (v: number): string => `\\u${v.toString(16).padStart(4, '0')}`;

function pathOf(frames: readonly Frame[], extra?: string): string {
  const parts = frames.map((f) => f.segment);
  if (extra !== undefined) parts.push(extra);
  return parts.join('.');
}

/**
 * Checks a JSON text, in one pass and without recursion, for what `JSON.parse` accepts but readers of
 * the lake refuse: nesting deeper than `maxDepth` (the top-level object is depth 1), a key repeated in
 * one object (compared after unescaping, so `"a"` and `"\u0061"` are one key), and a `\u` escape of a
 * surrogate that is not half of a pair. Strings are skipped as strings: brackets inside them do not
 * count. Text that is not JSON is not judged here (`JSON.parse` names that); the scan then reports only
 * what it saw before the text went wrong. Cost: one pass over the characters, and a key set per object
 * inside the depth bound.
 *
 * @param text - the JSON text (after UTF-8 decoding)
 * @param maxDepth - deepest nesting allowed
 * @returns the first issue found (for `too_deep`, with the depth the text reaches), or `undefined`
 * @example
 * ```ts
 * inspectJsonText('{"a":1,"a":2}', 2); // { kind: 'duplicate_key', path: 'a', ... }
 * ```
 */
export function inspectJsonText(text: string, maxDepth: number): JsonTextIssue | undefined {
  const frames: Frame[] = [];
  const n = text.length;
  let depth = 0;
  let tooDeepAt: string | undefined;
  let deepest = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // A string: find its end, check its escapes, and take it as a key where one is expected.
      const start = i;
      let escaped = false;
      let pendingHigh = -1;
      let escapeAt = -1;
      i++;
      for (; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === QUOTE) break;
        if (s !== BACKSLASH) {
          if (pendingHigh >= 0) break;
          continue;
        }
        escaped = true;
        const e = text.charCodeAt(i + 1);
        if (e !== LOWER_U) {
          if (pendingHigh >= 0) break;
          i++;
          continue;
        }
        const v = hex4(text, i + 2);
        if (v >= 0xdc00 && v <= 0xdfff) {
          if (pendingHigh < 0) {
            pendingHigh = -2 - v; // a lone low surrogate, reported below
            escapeAt = i;
            break;
          }
          pendingHigh = -1;
        } else if (pendingHigh >= 0) break;
        else if (v >= 0xd800 && v <= 0xdbff) {
          pendingHigh = v;
          escapeAt = i;
        }
        i += 5;
      }
      if (pendingHigh !== -1 && depth <= maxDepth) {
        const lone = pendingHigh >= 0 ? pendingHigh : -2 - pendingHigh;
        const low = lone >= 0xdc00;
        const top = frames[frames.length - 1];
        const isKey = top?.object === true && top.expectKey;
        return {
          kind: 'unpaired_surrogate',
          path: isKey ? pathOf(frames.slice(0, -1), text.slice(start + 1, escapeAt + 6)) : pathOf(frames),
          reason: `${isKey ? 'key' : 'string'} holds the escape ${unit(lone)} at character ${escapeAt}, ${
            low ? 'a low surrogate with no high one before it' : 'a high surrogate not followed by a low one'
          }: no Unicode text has it, and DuckDB refuses the record (send the character itself, or a pair of escapes)`,
        };
      }
      if (i >= n) break;
      const top = frames[frames.length - 1];
      if (top?.object && top.expectKey && depth <= maxDepth) {
        let key = text.slice(start + 1, i);
        if (escaped) {
          try {
            key = JSON.parse(text.slice(start, i + 1)) as string;
          } catch {
            // Not a JSON string: JSON.parse of the whole text names the problem.
          }
        }
        if (top.keys.has(key)) {
          return {
            kind: 'duplicate_key',
            path: pathOf(frames.slice(0, -1), key),
            reason: `key ${JSON.stringify(key)} appears twice in one object: JSON readers disagree on which value counts (DuckDB refuses the record); send each key once`,
          };
        }
        top.keys.add(key);
        top.segment = key;
        top.expectKey = false;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (depth <= maxDepth) {
        frames.push({ object: c === OPEN_OBJECT, keys: new Set(), segment: '', index: 0, expectKey: true });
        if (c === OPEN_ARRAY) frames[frames.length - 1]!.segment = '0';
      } else if (tooDeepAt === undefined) tooDeepAt = pathOf(frames);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) {
        if (depth <= maxDepth) frames.pop();
        depth--;
      }
    } else if (c === COMMA && depth <= maxDepth) {
      const top = frames[frames.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.segment = String(++top.index);
    }
  }
  if (tooDeepAt !== undefined) {
    return {
      kind: 'too_deep',
      path: tooDeepAt,
      reason: `nested ${deepest} levels deep, deeper than the ${maxDepth} this contract can hold`,
    };
  }
  return undefined;
}
