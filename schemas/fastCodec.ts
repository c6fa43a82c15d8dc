import type avro from 'avsc';

/**
 * Checks and serializes one event in a single pass.
 *
 * @returns the event's JSON, byte-identical to `JSON.stringify(event)`, when the event takes the fast
 *   path; `undefined` when it does not — invalid, or valid in a form the fast path does not handle
 *   (see {@link compileFastEncoder}). `undefined` is never a verdict: the caller decides with the
 *   contract's exact check.
 */
export type FastEncoder = (event: unknown) => string | undefined;

/** Highest magnitude avsc accepts for a `long` (its `isSafeLong` bound). */
const MAX_LONG = 9_007_199_254_740_990;

/** Enums up to this many symbols compare with `===` chains; larger ones look the value up. */
const MAX_INLINE_SYMBOLS = 8;

/** The field shapes the fast path handles: avsc's own type objects, unions unwrapped. */
interface FieldPlan {
  readonly name: string;
  readonly nullable: boolean;
  readonly kind: 'string' | 'int' | 'long' | 'double' | 'boolean' | 'enum' | 'null';
  readonly symbols: readonly string[];
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
  switch (t.typeName) {
    case 'string':
    case 'int':
    case 'long':
    case 'double':
    case 'boolean':
    case 'null':
      return { name, nullable, kind: t.typeName, symbols: [] };
    case 'enum':
      return { name, nullable, kind: 'enum', symbols: t.symbols ?? [] };
    default:
      // float, bytes, fixed, arrays, maps, nested records, logical types: the exact path handles them.
      return undefined;
  }
}

/**
 * JavaScript that checks `v` (the field's value) and appends `"name":<json>` to `s`, or returns
 * `undefined` from the encoder. Every check accepts a subset of what avsc's `_check` of the same type
 * accepts, and every value it accepts prints exactly as `JSON.stringify` prints it.
 */
function fieldCode(plan: FieldPlan, index: number, first: boolean): string {
  const key = JSON.stringify(`${first ? '{' : ','}${JSON.stringify(plan.name)}:`);
  const lines: string[] = [`  v = e[${JSON.stringify(plan.name)}];`];
  const onNull = plan.nullable || plan.kind === 'null' ? `if (v === null) s += ${key} + 'null';\n  else ` : '';
  switch (plan.kind) {
    case 'null':
      lines.push(`  ${onNull}return undefined;`);
      break;
    case 'string':
      // Strings of printable ASCII without `"` or `\` need no escaping; anything else (controls,
      // quotes, non-ASCII, lone surrogates) is escaped by JSON.stringify itself.
      lines.push(
        `  ${onNull}if (typeof v === 'string') s += ${key} + (isPlain(v) ? '"' + v + '"' : stringify(v));`,
        '  else return undefined;',
      );
      break;
    case 'int':
      lines.push(`  ${onNull}if (v === (v | 0)) s += ${key} + v;`, '  else return undefined;');
      break;
    case 'long':
      lines.push(
        `  ${onNull}if (typeof v === 'number' && v % 1 === 0 && v >= ${-MAX_LONG} && v <= ${MAX_LONG}) s += ${key} + v;`,
        '  else return undefined;',
      );
      break;
    case 'double':
      // avsc accepts NaN and ±Infinity as doubles and JSON.stringify prints them as null: that rare
      // case goes to the exact path, so the fast path only prints finite numbers.
      lines.push(
        `  ${onNull}if (typeof v === 'number' && v - v === 0) s += ${key} + v;`,
        '  else return undefined;',
      );
      break;
    case 'boolean':
      lines.push(
        `  ${onNull}if (v === true) s += ${key} + 'true';`,
        `  else if (v === false) s += ${key} + 'false';`,
        '  else return undefined;',
      );
      break;
    case 'enum': {
      // Avro symbols match [A-Za-z_][A-Za-z0-9_]*: they print without escaping.
      if (plan.symbols.length <= MAX_INLINE_SYMBOLS) {
        const branches = plan.symbols.map(
          (sym) => `if (v === ${JSON.stringify(sym)}) s += ${JSON.stringify(`${JSON.parse(key)}"${sym}"`)};`,
        );
        lines.push(`  ${onNull}${branches.join('\n  else ')}`, '  else return undefined;');
      } else {
        lines.push(
          `  ${onNull}if (typeof v === 'string' && symbols${index}.has(v)) s += ${key} + '"' + v + '"';`,
          '  else return undefined;',
        );
      }
      break;
    }
  }
  return lines.join('\n');
}

/** True when `s` is printable ASCII without `"` or `\`, i.e. JSON prints it between quotes as it is. */
function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * Compiles a record type into a {@link FastEncoder} (once, with `new Function`, like avsc's own
 * checkers): for each field in schema order an inline type check and the JSON text appended.
 *
 * The fast path takes only the common shape — a plain object (prototype `Object.prototype`) whose own
 * enumerable keys are exactly the schema's fields, in schema order, with finite numbers. That shape
 * makes the output byte-identical to `JSON.stringify` (same keys, same order, same number and string
 * printing). Anything else — a missing optional field, other key order, NaN, a class instance —
 * returns `undefined` and is decided by the contract's exact check.
 *
 * @param type - a record type compiled with `wrapUnions: false` (see `compileSchema`)
 * @returns the encoder, or `undefined` when a field's type is outside what the fast path handles
 * @example
 * ```ts
 * const encode = compileFastEncoder(contractFor('grid').type);
 * const json = encode?.(event) ?? slowPath(event);
 * ```
 */
export function compileFastEncoder(type: avro.Type, FLAT = true, EXP = ''): FastEncoder | undefined {
  if (EXP === 'noflat') FLAT = false;
  const record = type as avro.Type & { typeName: string; fields?: { name: string; type: avro.Type }[] };
  if (record.typeName !== 'record' || !record.fields || record.fields.length === 0) return undefined;
  const plans: FieldPlan[] = [];
  for (const f of record.fields) {
    const plan = planOf(f.name, f.type);
    if (!plan) return undefined;
    plans.push(plan);
  }
  const names = plans.map((p) => p.name);
  const symbolSets = plans.map((p) => new Set(p.symbols));
  const body = [
    "  if (e === null || typeof e !== 'object' || getPrototypeOf(e) !== objectPrototype) return undefined;",
    // Own enumerable keys exactly the fields, in schema order: JSON.stringify then prints them in
    // that order. (With the prototype being Object.prototype, for-in sees own keys first, so an
    // enumerable key added to Object.prototype makes the count differ and the event go slow.)
    ...(EXP === 'nokeys' ? [] : EXP === 'keysObj' ? ['  const ks = Object.keys(e);', `  if (ks.length !== ${names.length}) return undefined;`, ...names.map((nm, i) => `  if (ks[${i}] !== ${JSON.stringify(nm)}) return undefined;`)] : [
    '  let n = 0;',
    '  for (const k in e) {',
    '    if (k !== names[n]) return undefined;',
    '    n++;',
    '  }',
    `  if (n !== ${names.length}) return undefined;`]),
    '  let v;',
    "  let s = '';",
    ...plans.map((p, i) => fieldCode(p, i, i === 0)).map((c) => EXP === 'noplain' ? c.replace(/isPlain\(v\)/g, 'true') : EXP === 'regex' ? c.replace(/isPlain\(v\)/g, '!UNSAFE.test(v)') : EXP === 'nocheck' ? c.replace(/if \(typeof v === 'number'[^)]*\)/g, 'if (true)').replace(/if \(typeof v === 'string'\)/g, 'if (true)') : c),
    "  s += '}';",
    "  if (FLAT) s.charCodeAt(0) !== 123 && (s = '');",
    '  return s;',
  ].join('\n');
  const params = ['getPrototypeOf', 'objectPrototype', 'names', 'isPlain', 'stringify'];
  const symbolParams = symbolSets.map((_, i) => `symbols${i}`);
  const factory = new Function('FLAT', 'UNSAFE', ...params, ...symbolParams, `return function encode(e) {\n${body}\n};`);
  return factory(
    FLAT,
    /[^\u0020\u0021\u0023-\u005b\u005d-\u007e]/,
    Object.getPrototypeOf,
    Object.prototype,
    names,
    isPlain,
    JSON.stringify,
    ...symbolSets,
  ) as FastEncoder;
}
