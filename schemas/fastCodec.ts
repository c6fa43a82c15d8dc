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
 * form for V8's regexp engine (measured: about half the cost of a charCodeAt loop).
 */
const NOT_PLAIN = /[^\u0020\u0021\u0023-\u005b\u005d-\u007e]/;

/** The field shapes the fast path handles, read from avsc's own type objects (unions unwrapped). */
type Kind = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'enum' | 'null';

interface FieldPlan {
  readonly name: string;
  readonly nullable: boolean;
  readonly kind: Kind;
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

const lit = (s: string): string => JSON.stringify(s);

/**
 * The condition under which field `i`'s value `v<i>` fails the fast path. Each accepts a subset of what
 * avsc's `_check` of the type accepts (so the fast path never accepts an invalid event), and every
 * value it lets through prints under `JSON.stringify` exactly as the emitted code prints it.
 */
function failure(p: FieldPlan, v: string): string {
  const orNull = p.nullable ? `${v} !== null && ` : '';
  switch (p.kind) {
    case 'null':
      return `${v} !== null`;
    case 'string':
      // Strings to escape (or not ASCII) go to the exact path, so fast output stays ASCII.
      return `${orNull}(typeof ${v} !== 'string' || notPlain.test(${v}))`;
    case 'int':
      return `${orNull}${v} !== (${v} | 0)`;
    case 'long':
      return `${orNull}(typeof ${v} !== 'number' || ${v} % 1 !== 0 || ${v} < ${-MAX_LONG} || ${v} > ${MAX_LONG})`;
    case 'double':
      // avsc takes NaN and ±Infinity as doubles, which JSON.stringify prints as null: the exact path
      // keeps that rare case, so here numbers are finite and print as String(n) does.
      return `${orNull}(typeof ${v} !== 'number' || ${v} - ${v} !== 0)`;
    case 'boolean':
      return `${orNull}${v} !== true && ${v} !== false`;
    case 'enum':
      // Checked where it prints: the symbol chain ends in `return undefined`.
      return 'false';
  }
}

/**
 * Emits the statements appending the JSON of the fields to `s`. Constant text (keys, quotes, `null`,
 * enum symbols, booleans) is folded at compile time into as few string pieces as possible: each piece
 * costs V8 a concatenation and a step of the final flattening, which dominate the encoder's cost.
 */
class Emitter {
  readonly #lines: string[] = [];
  /** Constant text not yet appended: it joins the next piece appended. */
  #pending = '';

  text(t: string): void {
    this.#pending += t;
  }

  /** Appends the pending text and the value of expression `code` (a string or a finite number). */
  value(code: string, indent = '  '): void {
    this.#lines.push(
      this.#pending === ''
        ? `${indent}s = s + ${code};`
        : `${indent}s = s + ${lit(this.#pending)} + ${code};`,
    );
    this.#pending = '';
  }

  /**
   * A choice between constant texts (enum symbols, booleans, `null`): each branch appends the pending
   * text and its own as one piece. The last branch's condition is `else`.
   */
  choice(branches: readonly { when: string | undefined; text: string }[], indent = '  '): void {
    const p = this.#pending;
    this.#pending = '';
    branches.forEach((b, k) => {
      const head = k === 0 ? `if (${b.when})` : b.when === undefined ? 'else' : `else if (${b.when})`;
      this.#lines.push(`${indent}${head} s = s + ${lit(p + b.text)};`);
    });
  }

  /** Appends the pending text (to end a branch with nothing pending). */
  flush(indent = '  '): void {
    if (this.#pending !== '') this.#lines.push(`${indent}s = s + ${lit(this.#pending)};`);
    this.#pending = '';
  }

  raw(line: string): void {
    this.#lines.push(line);
  }

  get pending(): string {
    return this.#pending;
  }

  get code(): string {
    return this.#lines.join('\n');
  }
}

/** Emits one field's key and value; `v` holds the checked value. */
function emitField(out: Emitter, p: FieldPlan, v: string, key: string, indent: string): void {
  out.text(key);
  const nullBranch = p.nullable ? [{ when: `${v} === null`, text: 'null' }] : [];
  switch (p.kind) {
    case 'null':
      out.text('null');
      return;
    case 'enum': {
      // Avro symbols match [A-Za-z_][A-Za-z0-9_]*: they print without escaping.
      const symbols = p.symbols.map((sym) => ({ when: `${v} === ${lit(sym)}`, text: `"${sym}"` }));
      out.choice([...nullBranch, ...symbols], indent);
      out.raw(`${indent}else return undefined;`);
      return;
    }
    case 'boolean':
      out.choice(
        [...nullBranch, { when: `${v} === true`, text: 'true' }, { when: undefined, text: 'false' }],
        indent,
      );
      return;
    case 'string':
      if (!p.nullable) {
        out.text('"');
        out.value(v, indent);
        out.text('"');
        return;
      }
      out.raw(`${indent}if (${v} === null) {`);
      {
        const pending = out.pending;
        out.text('null');
        out.flush(`${indent}  `);
        out.raw(`${indent}} else {`);
        out.text(pending);
        out.text('"');
        out.value(v, `${indent}  `);
        out.text('"');
        out.flush(`${indent}  `);
        out.raw(`${indent}}`);
      }
      return;
    default: // int, long, double
      if (!p.nullable) {
        out.value(v, indent);
        return;
      }
      out.raw(`${indent}if (${v} === null) {`);
      {
        const pending = out.pending;
        out.text('null');
        out.flush(`${indent}  `);
        out.raw(`${indent}} else {`);
        out.text(pending);
        out.value(v, `${indent}  `);
        out.raw(`${indent}}`);
      }
  }
}

/**
 * Compiles a record type into a {@link FastEncoder} (once, with `new Function`, like avsc's own
 * checkers): every field read and checked inline, in schema order, then its JSON appended with the
 * constant text folded in at compile time. Runs of two or more nullable fields that are all null
 * print as one constant.
 *
 * The fast path takes only the common shape: a plain object (prototype `Object.prototype`) whose own
 * enumerable keys are exactly the schema's fields in schema order, with finite numbers and strings of
 * printable ASCII without `"` or `\`. For that shape the output is byte-identical to `JSON.stringify`
 * (same keys, same order, same printing). Anything else — a missing optional field, another key
 * order, NaN, a string to escape, a class instance — returns `undefined` for the exact path.
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
  const record = type as avro.Type & { typeName: string; fields?: { name: string; type: avro.Type }[] };
  if (record.typeName !== 'record' || !record.fields || record.fields.length === 0) return undefined;
  const plans: FieldPlan[] = [];
  for (const f of record.fields) {
    const plan = planOf(f.name, f.type);
    if (!plan) return undefined;
    plans.push(plan);
  }
  const names = plans.map((p) => p.name);
  const keyOf = (i: number) => `${i === 0 ? '{' : ','}${lit(names[i]!)}:`;
  const out = new Emitter();
  out.raw(
    "  if (e === null || typeof e !== 'object' || getPrototypeOf(e) !== objectPrototype) return undefined;",
  );
  // Own enumerable keys exactly the fields, in schema order, is what makes JSON.stringify print them
  // in that order. for-in lists own keys before inherited enumerable ones, so a matching sequence
  // whose last key is own has only own keys.
  out.raw('  let n = 0;');
  out.raw('  for (const k in e) {');
  out.raw('    if (k !== names[n]) return undefined;');
  out.raw('    n++;');
  out.raw('  }');
  out.raw(`  if (n !== ${names.length} || !hasOwn(e, ${lit(names[names.length - 1]!)})) return undefined;`);
  // Every value is read (getters run) and checked before anything is printed.
  plans.forEach((p, i) => {
    out.raw(`  const v${i} = e[${lit(p.name)}];`);
    const fails = failure(p, `v${i}`);
    if (fails !== 'false') out.raw(`  if (${fails}) return undefined;`);
  });
  out.raw("  let s = '';");
  for (let i = 0; i < plans.length; ) {
    let j = i;
    while (j < plans.length && plans[j]!.nullable) j++;
    if (j - i >= 2) {
      // A run of nullable fields: all null (common: the unused half of a union-like record) is one piece.
      const allNull = plans
        .slice(i, j)
        .map((_, k) => `v${i + k} === null`)
        .join(' && ');
      const runText = plans
        .slice(i, j)
        .map((_, k) => `${keyOf(i + k)}null`)
        .join('');
      const pending = out.pending;
      out.raw(`  if (${allNull}) {`);
      out.text(runText);
      out.flush('    ');
      out.raw('  } else {');
      out.text(pending);
      for (let k = i; k < j; k++) emitField(out, plans[k]!, `v${k}`, keyOf(k), '    ');
      out.flush('    ');
      out.raw('  }');
      i = j;
    } else {
      emitField(out, plans[i]!, `v${i}`, keyOf(i), '  ');
      i++;
    }
  }
  out.text('}');
  out.flush();
  // Flat before it leaves: one contiguous copy now is far cheaper than every later reader (UTF-8
  // length, Buffer write) walking the pieces; reading a character is what makes V8 flatten it.
  out.raw('  return s.charCodeAt(0) === 123 ? s : undefined;');
  const factory = new Function(
    'getPrototypeOf',
    'objectPrototype',
    'hasOwn',
    'names',
    'notPlain',
    `return function encode(e) {\n${out.code}\n};`,
  );
  return factory(Object.getPrototypeOf, Object.prototype, Object.hasOwn, names, NOT_PLAIN) as FastEncoder;
}
