import type avro from 'avsc';

/**
 * Checks and serializes one event in a single pass.
 *
 * @returns the event's JSON — byte-identical to `JSON.stringify(event)`, printable ASCII only (so its
 *   UTF-8 length is its length), and a flat string — when the event takes the fast path; `undefined`
 *   when it does not: invalid, or valid in a form left to the exact path (see
 *   {@link compileFastEncoder}). `undefined` alone is not a verdict.
 */
export type FastEncoder = (event: unknown) => string | undefined;

/** Highest magnitude avsc accepts for a `long` (its `isSafeLong` bound). */
const MAX_LONG = 9_007_199_254_740_990;

/**
 * A character JSON.stringify would escape, or one that is not ASCII. A negated class is the cheapest
 * form we measured (fewer instructions than a charCodeAt loop or a positive class).
 */
const NOT_PLAIN = /[^\u0020\u0021\u0023-\u005b\u005d-\u007e]/;

/**
 * Printers compiled per encoder, one per shape (see {@link compileFastEncoder}). Events of one
 * dataset come in a handful of shapes; past this many, new shapes take the exact path.
 */
export const MAX_SHAPES = 256;

/**
 * A direct-mapped cache of number → text. Event data repeats its numbers (a price on every event of an
 * interval, a location's coordinates, the batch's timestamps), and V8's own number-string cache misses
 * most of them (measured: ~120 ns per double through `'' + n`, ~30 ns through this cache).
 */
const NUMBER_CACHE_BITS = 12;
const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);
const cachedNumbers = new Float64Array(1 << NUMBER_CACHE_BITS).fill(Number.NaN); // NaN matches nothing
const cachedTexts: string[] = new Array<string>(1 << NUMBER_CACHE_BITS).fill('');

/** `String(n)` — what JSON.stringify prints for a finite number — through the cache. */
function printNumber(n: number): string {
  numberBits[0] = n;
  const slot =
    Math.imul(numberWords[0]! ^ Math.imul(numberWords[1]!, 0x85ebca6b), 0x9e3779b1) >>>
    (32 - NUMBER_CACHE_BITS);
  // -0 === 0, and both print "0": a hit across the two is still right.
  if (cachedNumbers[slot] === n) return cachedTexts[slot]!;
  const text = `${n}`;
  cachedNumbers[slot] = n;
  cachedTexts[slot] = text;
  return text;
}

/** The field shapes the fast path handles, read from avsc's own type objects (unions unwrapped). */
export type Kind = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'enum' | 'null';

export interface FieldPlan {
  readonly name: string;
  readonly nullable: boolean;
  readonly kind: Kind;
  readonly symbols: readonly string[];
  /**
   * The constant texts the value can print as, when it is a choice (enum symbols, booleans, `null`);
   * a nullable string or number has `null` plus one free value (`undefined` here). Empty when the
   * value is always free (a required string or number) or always `null`.
   */
  readonly choices: readonly (string | undefined)[];
}

/**
 * The plan of each field of a record type, or `undefined` when a field's type is outside the fast paths
 * (not a record, float, bytes, fixed, arrays, maps, nested records).
 *
 * @param type - a record type compiled with `wrapUnions: false`
 */
export function fieldPlans(type: avro.Type): FieldPlan[] | undefined {
  const record = type as avro.Type & { typeName: string; fields?: { name: string; type: avro.Type }[] };
  if (record.typeName !== 'record' || !record.fields || record.fields.length === 0) return undefined;
  const plans: FieldPlan[] = [];
  for (const f of record.fields) {
    const plan = planOf(f.name, f.type);
    if (!plan) return undefined;
    plans.push(plan);
  }
  return plans;
}

function planOf(name: string, type: avro.Type): FieldPlan | undefined {
  let t = type as avro.Type & { typeName: string; types?: avro.Type[]; symbols?: string[] };
  let nullable = false;
  if (t.typeName === 'union:unwrapped') {
    const branches = t.types ?? [];
    const rest = branches.filter((b) => (b as { typeName?: string }).typeName !== 'null');
    if (branches.length !== 2 || rest.length !== 1) return undefined;
    nullable = true;
    t = rest[0] as typeof t;
  }
  const orNull = nullable ? ['null'] : [];
  switch (t.typeName) {
    case 'string':
    case 'int':
    case 'long':
    case 'double':
      return { name, nullable, kind: t.typeName, symbols: [], choices: nullable ? [undefined, 'null'] : [] };
    case 'null':
      return { name, nullable, kind: 'null', symbols: [], choices: [] };
    case 'boolean':
      return { name, nullable, kind: 'boolean', symbols: [], choices: [...orNull, 'false', 'true'] };
    case 'enum': {
      // Avro symbols match [A-Za-z_][A-Za-z0-9_]*: they print without escaping.
      const symbols = t.symbols ?? [];
      return { name, nullable, kind: 'enum', symbols, choices: [...orNull, ...symbols.map((s) => `"${s}"`)] };
    }
    default:
      // float, bytes, fixed, arrays, maps, nested records, logical types: the exact path handles them.
      return undefined;
  }
}

const lit = (s: string): string => JSON.stringify(s);

/**
 * Statements that check field `i`'s value `v<i>` (returning `undefined` from the encoder when it
 * fails) and add its choice index times `weight` to `shape`. Every check accepts a subset of what
 * avsc's `_check` of the type accepts, so the fast path never accepts an invalid event, and every
 * value it lets through prints as `JSON.stringify` prints it.
 */
function checkCode(p: FieldPlan, i: number, weight: number): string {
  const v = `v${i}`;
  const add = (k: number) => (k === 0 ? '' : `shape += ${k * weight};`);
  const nullable = (freeFails: string) =>
    p.nullable
      ? `  if (${v} === null) ${add(1)}\n  else if (${freeFails}) return undefined;`
      : `  if (${freeFails}) return undefined;`;
  switch (p.kind) {
    case 'null':
      return `  if (${v} !== null) return undefined;`;
    case 'string':
      // Strings to escape (or not ASCII) go to the exact path, so fast output stays ASCII. The field's
      // last plain string is remembered: a repeated value (source, producer id) skips the scan.
      return nullable(
        `${v} !== last${i} && (typeof ${v} !== 'string' || notPlain.test(${v}) || ((last${i} = ${v}), false))`,
      );
    case 'int':
      return nullable(`${v} !== (${v} | 0)`);
    case 'long':
      return nullable(
        `typeof ${v} !== 'number' || ${v} % 1 !== 0 || ${v} < ${-MAX_LONG} || ${v} > ${MAX_LONG}`,
      );
    case 'double':
      // NaN and ±Infinity (which JSON.stringify would print as null) go to the exact path, where the
      // contract rejects them; here numbers are finite and print as String(n) does.
      return nullable(`typeof ${v} !== 'number' || ${v} - ${v} !== 0`);
    case 'boolean':
    case 'enum': {
      const values = [
        ...(p.nullable ? ['null'] : []),
        ...(p.kind === 'boolean' ? ['false', 'true'] : p.symbols.map(lit)),
      ];
      const branches = values.map((value, k) => `if (${v} === ${value}) {${add(k)}}`);
      return `  ${branches.join('\n  else ')}\n  else return undefined;`;
    }
  }
}

/**
 * The JavaScript expression printing the record for one shape: constant text (keys, quotes, `null`,
 * enum symbols, booleans) folded at compile time between the free values, so the string is built
 * from as few pieces as possible — each piece costs V8 a concatenation and a step of flattening,
 * which dominate the encoder's cost.
 */
function printerExpression(plans: readonly FieldPlan[], choiceOf: (i: number) => number): string {
  const parts: string[] = [];
  let text = '';
  plans.forEach((p, i) => {
    text += `${i === 0 ? '{' : ','}${lit(p.name)}:`;
    if (p.kind === 'null') {
      text += 'null';
      return;
    }
    const constant = p.choices.length > 0 ? p.choices[choiceOf(i)] : undefined;
    if (constant !== undefined) {
      text += constant;
      return;
    }
    const quote = p.kind === 'string' ? '"' : '';
    parts.push(lit(text + quote), p.kind === 'long' || p.kind === 'double' ? `printNumber(v${i})` : `v${i}`);
    text = quote;
  });
  parts.push(lit(`${text}}`));
  return parts.join(' + ');
}

/**
 * Compiles a record type into a {@link FastEncoder} (once, with `new Function`, like avsc's own
 * checkers). The encoder reads and checks every field inline, in schema order, and meanwhile computes
 * the event's *shape*: which symbol each enum holds, which nullable fields are null, each boolean.
 * Each shape gets its own printer, compiled on first use, in which all text but the free values
 * (strings and numbers) is constant. Events of a dataset come in a handful of shapes (a price, a
 * system-conditions record, an observation, a forecast...).
 *
 * The fast path takes only the common form: a plain object (prototype `Object.prototype`) whose own
 * enumerable keys are exactly the schema's fields in schema order, with finite numbers and strings of
 * printable ASCII without `"` or `\`. For that form the output is byte-identical to `JSON.stringify`
 * (same keys, same order, same printing). Anything else — a missing optional field, another key
 * order, NaN, a string to escape, a class instance, a shape past the first {@link MAX_SHAPES} —
 * returns `undefined` for the exact path.
 *
 * @param type - a record type compiled with `wrapUnions: false` (see `compileSchema`)
 * @returns the encoder, or `undefined` when a field's type is outside what the fast path handles
 * @example
 * ```ts
 * const encode = compileFastEncoder(contractFor('grid').type);
 * const json = encode?.(event) ?? exactPath(event);
 * ```
 */
export function compileFastEncoder(type: avro.Type): FastEncoder | undefined {
  const plans = fieldPlans(type);
  if (!plans) return undefined;
  // Shape = Σ choice index × weight, a mixed-radix number; exact while below 2^53.
  const weights: number[] = [];
  let shapes = 1;
  for (const p of plans) {
    weights.push(shapes);
    shapes *= Math.max(1, p.choices.length);
  }
  if (!Number.isSafeInteger(shapes)) return undefined;
  const names = plans.map((p) => p.name);
  const args = plans.map((_, i) => `v${i}`).join(', ');
  const compilePrinter = (shape: number): ((...values: unknown[]) => string) =>
    new Function(
      'printNumber',
      `return function print(${args}) {\n  return ${printerExpression(plans, (i) => Math.floor(shape / weights[i]!) % plans[i]!.choices.length)};\n};`,
    )(printNumber);
  const body = [
    "  if (e === null || typeof e !== 'object' || getPrototypeOf(e) !== objectPrototype) return undefined;",
    // Own enumerable keys exactly the fields, in schema order, is what makes JSON.stringify print them
    // in that order. for-in lists own keys before inherited enumerable ones, so a matching sequence
    // whose last key is own has only own keys.
    '  let n = 0;',
    '  for (const k in e) {',
    '    if (k !== names[n]) return undefined;',
    '    n++;',
    '  }',
    `  if (n !== ${names.length} || !hasOwn(e, ${lit(names[names.length - 1]!)})) return undefined;`,
    '  let shape = 0;',
    ...plans.map((p, i) => `  const v${i} = e[${lit(p.name)}];\n${checkCode(p, i, weights[i]!)}`),
    '  let print = lastPrint;',
    '  if (shape !== lastShape) {',
    '    print = printers.get(shape);',
    '    if (print === undefined) {',
    '      if (printers.size >= maxShapes) return undefined;',
    '      print = compilePrinter(shape);',
    '      printers.set(shape, print);',
    '    }',
    '    lastShape = shape;',
    '    lastPrint = print;',
    '  }',
    `  const s = print(${args});`,
    // Flat before it leaves: the sink keeps the text until Kinesis acknowledges it, and one flat
    // string costs the garbage collector and later readers less than its pieces. Reading a
    // character is what makes V8 flatten a string.
    '  return s.charCodeAt(0) === 123 ? s : undefined;',
  ].join('\n');
  const lastStrings = plans.map((p, i) => (p.kind === 'string' ? `let last${i};\n` : '')).join('');
  const factory = new Function(
    'getPrototypeOf',
    'objectPrototype',
    'hasOwn',
    'names',
    'notPlain',
    'printers',
    'maxShapes',
    'compilePrinter',
    `${lastStrings}let lastShape = -1;\nlet lastPrint;\nreturn function encode(e) {\n${body}\n};`,
  );
  return factory(
    Object.getPrototypeOf,
    Object.prototype,
    Object.hasOwn,
    names,
    NOT_PLAIN,
    new Map<number, (...values: unknown[]) => string>(),
    MAX_SHAPES,
    compilePrinter,
  ) as FastEncoder;
}
