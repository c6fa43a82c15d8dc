import type avro from 'avsc';

/**
 * Checks and serializes one event in a single pass.
 *
 * @returns the event's JSON, byte-identical to `JSON.stringify(event)` and printable ASCII only (so
 *   its UTF-8 length is its length), when the event takes the fast path; `undefined` when it does
 *   not — invalid, or valid in a form the fast path leaves to the exact one (see
 *   {@link compileFastEncoder}). `undefined` is never a verdict on its own.
 */
export type FastEncoder = (event: unknown) => string | undefined;

/** Highest magnitude avsc accepts for a `long` (its `isSafeLong` bound). */
const MAX_LONG = 9_007_199_254_740_990;

/** The field shapes the fast path handles, read from avsc's own type objects (unions unwrapped). */
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

/** True when JSON prints `s` between quotes as it is: printable ASCII without `"` or `\`. */
function isPlainLoop(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** Any character JSON escapes, or that is not ASCII. */
const NOT_PLAIN = /["\\\u0000-\u001f\u007f-\uffff]/;

/** One piece of the output: a constant, or an expression of the checked values. */
type Segment = { readonly text: string } | { readonly code: string };

const lit = (s: string): string => JSON.stringify(s);

/**
 * JavaScript that reads field `i` into `v<i>` and checks it — returning `undefined` from the encoder
 * when the check fails — plus the output segments that print it. Every check accepts a subset of what
 * avsc's `_check` of the same type accepts, and each accepted value prints as `JSON.stringify` does.
 */
function fieldCode(plan: FieldPlan, i: number, plain: string): { check: string; segments: Segment[] } {
  const v = `v${i}`;
  const key: Segment = { text: `${i === 0 ? '{' : ','}${lit(plan.name)}:` };
  const read = `  const ${v} = e[${lit(plan.name)}];\n`;
  const orNull = plan.nullable || plan.kind === 'null' ? `${v} !== null && ` : '';
  const value = (expr: string): Segment => ({
    code: plan.nullable ? `(${v} === null ? 'null' : ${expr})` : expr,
  });
  switch (plan.kind) {
    case 'null':
      return { check: `${read}  if (${v} !== null) return undefined;`, segments: [key, { text: 'null' }] };
    case 'string': {
      // Strings that need escaping (or are not ASCII) go to the exact path: fast output stays ASCII.
      const check = `${read}  if (${orNull}(typeof ${v} !== 'string' || !${plain}(${v}))) return undefined;`;
      if (!plan.nullable) return { check, segments: [{ text: `${key.text}"` }, { code: v }, { text: '"' }] };
      const quote = `(${v} === null ? '' : '"')`;
      return { check, segments: [key, { code: quote }, { code: `(${v} === null ? 'null' : ${v})` }, { code: quote }] };
    }
    case 'int':
      return { check: `${read}  if (${orNull}${v} !== (${v} | 0)) return undefined;`, segments: [key, value(v)] };
    case 'long':
      return {
        check: `${read}  if (${orNull}(typeof ${v} !== 'number' || ${v} % 1 !== 0 || ${v} < ${-MAX_LONG} || ${v} > ${MAX_LONG})) return undefined;`,
        segments: [key, value(v)],
      };
    case 'double':
      // avsc accepts NaN and ±Infinity as doubles and JSON.stringify prints them as null: that rare
      // case goes to the exact path, so the fast path prints finite numbers only (as String(n) does).
      return {
        check: `${read}  if (${orNull}(typeof ${v} !== 'number' || ${v} - ${v} !== 0)) return undefined;`,
        segments: [key, value(v)],
      };
    case 'boolean':
      return {
        check: `${read}  if (${orNull}${v} !== true && ${v} !== false) return undefined;`,
        segments: [key, value(`(${v} ? 'true' : 'false')`)],
      };
    case 'enum': {
      // Avro symbols match [A-Za-z_][A-Za-z0-9_]*, so they print without escaping.
      const q = `q${i}`;
      const branches = plan.symbols.map((sym) => `if (${v} === ${lit(sym)}) ${q} = ${lit(`"${sym}"`)};`);
      if (plan.nullable) branches.unshift(`if (${v} === null) ${q} = 'null';`);
      return {
        check: `${read}  let ${q};\n  ${branches.join('\n  else ')}\n  else return undefined;`,
        segments: [key, { code: q }],
      };
    }
  }
}

/**
 * Compiles a record type into a {@link FastEncoder} (once, with `new Function`, like avsc's own
 * checkers): for each field in schema order an inline type check, then the JSON assembled in one
 * `join` of a reused array whose constant pieces (keys, punctuation) are filled in once.
 *
 * The fast path takes only the common shape: a plain object (prototype `Object.prototype`) whose own
 * enumerable keys are exactly the schema's fields in schema order, with finite numbers and strings of
 * printable ASCII. For that shape the output is byte-identical to `JSON.stringify` (same keys, same
 * order, same printing). Anything else — a missing optional field, another key order, NaN, a string
 * to escape, a class instance — returns `undefined` and is decided by the contract's exact path.
 *
 * @param type - a record type compiled with `wrapUnions: false` (see `compileSchema`)
 * @returns the encoder, or `undefined` when a field's type is outside what the fast path handles
 * @example
 * ```ts
 * const encode = compileFastEncoder(contractFor('grid').type);
 * const json = encode?.(event) ?? exactPath(event);
 * ```
 */
export function compileFastEncoder(type: avro.Type, EXP = ''): FastEncoder | undefined {
  const record = type as avro.Type & { typeName: string; fields?: { name: string; type: avro.Type }[] };
  if (record.typeName !== 'record' || !record.fields || record.fields.length === 0) return undefined;
  const plans: FieldPlan[] = [];
  for (const f of record.fields) {
    const plan = planOf(f.name, f.type);
    if (!plan) return undefined;
    plans.push(plan);
  }
  const names = plans.map((p) => p.name);
  const fields = plans.map((p, i) => fieldCode(p, i, EXP.includes('loop') ? 'isPlainLoop' : 'plainRe'));
  // Adjacent constants merge into one slot of the reused array; expressions get a slot each.
  const slots: Segment[] = [];
  for (const s of [...fields.flatMap((f) => f.segments), { text: '}' }]) {
    const last = slots[slots.length - 1];
    if ('text' in s && last && 'text' in last) slots[slots.length - 1] = { text: last.text + s.text };
    else slots.push(s);
  }
  const parts = slots.map((s) => ('text' in s ? s.text : ''));
  const fills = slots.flatMap((s, k) => ('code' in s ? [`  parts[${k}] = ${s.code};`] : []));
  const lastName = names[names.length - 1]!;
  const body = [
    "  if (e === null || typeof e !== 'object' || getPrototypeOf(e) !== objectPrototype) return undefined;",
    // Own enumerable keys exactly the fields, in schema order, is what makes JSON.stringify print them
    // in that order. for-in lists own keys first, then enumerable inherited ones, so the sequence
    // matching and the last field being own means every field is own.
    '  let n = 0;',
    '  for (const k in e) {',
    '    if (k !== names[n]) return undefined;',
    '    n++;',
    '  }',
    `  if (n !== ${names.length} || !hasOwn(e, ${lit(lastName)})) return undefined;`,
    // Every value is read and checked before the shared array is written: a getter that encodes
    // another event cannot interleave with this one.
    ...fields.map((f) => f.check),
    ...(EXP.includes('join') ? [...fills, "  return parts.join('');"] : [
      `  const s = ${slots.map((sl) => ('text' in sl ? lit(sl.text) : sl.code)).join(' + ')};`,
      EXP.includes('noflat') ? '  return s;' : "  return s.charCodeAt(0) === 123 ? s : undefined;",
    ]),
  ].join('\n');
  const factory = new Function(
    'getPrototypeOf',
    'objectPrototype',
    'hasOwn',
    'names',
    'parts',
    'isPlainLoop',
    'NOT_PLAIN',
    `const plainRe = (s) => !NOT_PLAIN.test(s);\nreturn function encode(e) {\n${body}\n};`,
  );
  return factory(
    Object.getPrototypeOf,
    Object.prototype,
    Object.hasOwn,
    names,
    parts,
    isPlainLoop,
    NOT_PLAIN,
  ) as FastEncoder;
}
