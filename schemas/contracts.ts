import avro from 'avsc';
import type { AvroRecord } from './avroTypes.js';
import { DATASETS, PARTITION_KEYS } from './constants.js';
import { type ContractViolation, ContractViolationError } from './errors.js';
import { compileFastEncoder } from './fastCodec.js';
import { type EventByDataset, SCHEMAS } from './generated.js';
import { type HiveColumn, hiveColumns, hiveToDuckDbType } from './hive.js';
import { inspectJsonText, type JsonTextIssue } from './jsonText.js';
import { compileWireChecker, type WireChecker } from './wireChecker.js';

/** A dataset name: `grid`, `weather` or `transactions`. */
export type Dataset = (typeof DATASETS)[number];

/** Everything derived from one dataset's Avro schema. */
export interface Contract<D extends Dataset = Dataset> {
  /** Dataset name (also the default stream, table and lake prefix name). */
  readonly dataset: D;
  /** The Avro schema as written in `schemas/avro/<dataset>.avsc`. */
  readonly schema: AvroRecord;
  /** Compiled avsc type; unions unwrapped, so JSON wire values validate as they are. */
  readonly type: avro.Type;
  /** Glue/Hive columns (data columns only, in schema order). */
  readonly columns: readonly HiveColumn[];
  /** Partition columns (`dt`, `hr`) every table of this dataset uses. */
  readonly partitionKeys: readonly HiveColumn[];
  /** DuckDB column definitions matching {@link columns}, for writing Parquet with the Glue types. */
  readonly duckDbColumns: readonly { name: string; type: string }[];
  /**
   * Deepest JSON nesting an event may have (the event object is depth 1): what the schema can hold
   * plus {@link NESTING_MARGIN}. Deeper values are violations, found without recursing on the input.
   */
  readonly maxDepth: number;
  /**
   * Checks an event's JSON text, in one pass without recursion, for what `JSON.parse` accepts but the
   * lake's readers refuse: nesting deeper than {@link maxDepth}, a key repeated in one object, an
   * unpaired surrogate escape. Readers of untrusted text call it before `JSON.parse` + {@link validate}.
   *
   * @param text - the event's JSON text
   * @returns the first issue, with its field path, or `undefined`
   */
  inspectText(text: string): JsonTextIssue | undefined;
  /**
   * Checks an event against the contract: the Avro types, no field outside the schema, and every
   * number finite (NaN and ±Infinity have no JSON form; avsc alone would take them as doubles).
   *
   * @returns every violation with its field path; empty when the event is valid
   */
  validate(event: unknown): ContractViolation[];
  /**
   * Returns the event typed when valid; throws {@link ContractViolationError} naming the event and the
   * failing field otherwise. (A return value rather than an `asserts` signature, so
   * `contractFor(d).assertValid(x)` type-checks without annotating the contract.)
   */
  assertValid(event: unknown): EventByDataset[D];
  /** True when the event satisfies the contract (fast path, no error details). */
  isValid(event: unknown): event is EventByDataset[D];
  /**
   * Validates and serializes an event in one pass: the producers' hot path. Common events take a
   * compiled check-and-print (see `compileFastEncoder`); anything else takes {@link validate} and
   * `JSON.stringify`, so the verdict is always exactly `validate`'s.
   *
   * @param event - the event (any value: it is validated here)
   * @returns the JSON and its UTF-8 length when the event is valid; otherwise every violation, as
   *   {@link validate} reports them (tell the two apart with `Array.isArray`)
   * @example
   * ```ts
   * const out = contractFor('grid').serialize(event);
   * if (Array.isArray(out)) reject(out);
   * else send(out.json, out.byteLength);
   * ```
   */
  serialize(event: unknown): SerializedEvent | ContractViolation[];
  /**
   * Checks an event's UTF-8 JSON bytes without parsing them: delivery's hot path. `true` means the
   * bytes are a JSON object that {@link isValid} accepts once parsed, written to one line of plain
   * ASCII; `false` is not a verdict (parse and {@link validate} for that). See `compileWireChecker`.
   * A contract whose types the checker does not handle always answers `false`.
   */
  readonly checkWire: WireChecker;
}

/** A valid event's JSON, as the producers send it. */
export interface SerializedEvent {
  /** The event's JSON: `JSON.stringify(event)`, byte for byte. */
  readonly json: string;
  /** Length of {@link json} in UTF-8 bytes. */
  readonly byteLength: number;
}

/**
 * Levels of nesting an event may have beyond what its schema holds, before it is rejected as too deep:
 * a few, so that a slightly nested undeclared field is still reported as undeclared, while a value
 * nested thousands deep is reported as too deep (and never walked).
 */
export const NESTING_MARGIN = 4;

/** True when `name` is one of the datasets. */
export function isDataset(name: string): name is Dataset {
  return (DATASETS as readonly string[]).includes(name);
}

/**
 * Compiles an avsc type for a record schema the way gridstream reads JSON events:
 * `["null", T]` unions take plain values (not Avro's `{"T": v}` wrapping), and fields not
 * in the schema are violations (an event sent to the wrong dataset fails).
 *
 * @param schema - a record schema
 */
export function compileSchema(schema: AvroRecord): avro.Type {
  return avro.Type.forSchema(schema as unknown as avro.Schema, { wrapUnions: false });
}

/** Longest value preview in a violation. */
const PREVIEW_CHARS = 60;

/** Text to print verbatim while building a preview (a marker, so it is never mistaken for a value). */
class Literal {
  public constructor(public readonly text: string) {}
}

/**
 * A short JSON-like preview of a value for a violation message. Never throws and never recurses on the
 * value's depth (JSON.stringify would, and overflows the stack on values nested thousands deep): an
 * explicit stack, stopped once the preview is long enough. Numbers JSON has no form for (NaN,
 * ±Infinity) print as themselves, not as `null`.
 */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  let out = '';
  const stack: unknown[] = [value];
  while (stack.length > 0 && out.length <= PREVIEW_CHARS) {
    const v = stack.pop();
    if (v instanceof Literal) out += v.text;
    else if (typeof v === 'string')
      out += JSON.stringify(v.length > PREVIEW_CHARS ? v.slice(0, PREVIEW_CHARS) : v);
    else if (typeof v === 'number' || typeof v === 'boolean') out += String(v);
    else if (typeof v === 'bigint') out += `${v}n`;
    else if (v === null) out += 'null';
    else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      // What JSON.stringify would print (a Date's ISO text), one level only.
      let j: unknown;
      try {
        j = (v as { toJSON: () => unknown }).toJSON();
      } catch {
        j = undefined;
      }
      stack.push(j === undefined || (j !== null && typeof j === 'object') ? new Literal('<object>') : j);
    } else if (Array.isArray(v)) {
      // At most as many items as characters left: each prints as one at least.
      const items = v.slice(0, PREVIEW_CHARS);
      stack.push(new Literal(items.length < v.length ? ',...]' : ']'));
      for (let i = items.length - 1; i >= 0; i--) {
        stack.push(items[i] === undefined ? 'null' : items[i]);
        if (i > 0) stack.push(new Literal(','));
      }
      out += '[';
    } else if (typeof v === 'object') {
      const keys = Object.keys(v).slice(0, PREVIEW_CHARS);
      stack.push(new Literal('}'));
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i]!]);
        stack.push(new Literal(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`));
      }
      out += '{';
    } else out += `<${typeof v}>`;
  }
  return out.length > PREVIEW_CHARS || stack.length > 0 ? `${out.slice(0, PREVIEW_CHARS - 3)}...` : out;
}

function typeLabel(type: avro.Type): string {
  const t = type as avro.Type & { typeName: string; symbols?: string[] };
  if (t.typeName === 'enum' && t.symbols) return `one of ${t.symbols.join('|')}`;
  if (t.typeName === 'union:unwrapped') {
    const types = (type as unknown as { types: avro.Type[] }).types;
    return types.map((x) => typeLabel(x)).join(' or ');
  }
  return t.typeName;
}

/** What {@link walkValue} found in a value. */
interface WalkFindings {
  /** Numbers that are NaN or ±Infinity, with their paths. */
  readonly nonFinite: { path: string; value: number }[];
  /** Path of the first value nested deeper than allowed, if any. */
  tooDeep?: string;
}

/**
 * Walks a JSON-like value without recursion (an explicit stack, at most `maxDepth` levels deep, each
 * object once) and collects the paths of the numbers that are NaN or ±Infinity and the first value
 * nested deeper than `maxDepth` (the value itself is depth 1 when it is an object or array). JSON has
 * no non-finite numbers (JSON.stringify prints them as `null`, and `1e400` parses to Infinity), while
 * avsc's float and double accept them: the contract rejects them so that a producer never sends, and
 * delivery never writes, a value that is not what was meant.
 *
 * @param stopAtFirst - stop at the first finding (a yes/no question)
 */
function walkValue(value: unknown, maxDepth: number, stopAtFirst: boolean): WalkFindings {
  const found: WalkFindings = { nonFinite: [] };
  const seen = new WeakSet<object>();
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        found.nonFinite.push({ path, value: v });
        if (stopAtFirst) return found;
      }
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    if (depth >= maxDepth) {
      found.tooDeep ??= path;
      if (stopAtFirst) return found;
      continue;
    }
    seen.add(v);
    const at = (k: string): string => (path ? `${path}.${k}` : k);
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [String(i), x])
      : Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i]!;
      stack.push({ value: x, path: at(k), depth: depth + 1 });
    }
  }
  return found;
}

/** Levels of nesting a value of `type` can have (a record of primitives is 1). Recurses on the schema only. */
function schemaDepth(type: avro.Type, seen = new Set<avro.Type>()): number {
  const t = type as avro.Type & {
    typeName: string;
    fields?: { type: avro.Type }[];
    types?: avro.Type[];
    itemsType?: avro.Type;
    valuesType?: avro.Type;
  };
  // A recursive schema holds any depth; the margin then bounds it like any other.
  if (seen.has(type)) return 0;
  seen.add(type);
  let depth = 0;
  if (t.fields) depth = 1 + Math.max(0, ...t.fields.map((f) => schemaDepth(f.type, seen)));
  else if (t.itemsType) depth = 1 + schemaDepth(t.itemsType, seen);
  else if (t.valuesType) depth = 1 + schemaDepth(t.valuesType, seen);
  else if (t.types) depth = Math.max(0, ...t.types.map((x) => schemaDepth(x, seen)));
  seen.delete(type);
  return depth;
}

/**
 * The reason for a value avsc refused at `t`. Numbers get more than "expected int, got 1e+400":
 * whether the number is beyond the double range, not an integer, or outside the integer type's range.
 */
function mismatchReason(t: avro.Type, value: unknown): string {
  const label = typeLabel(t);
  if (typeof value !== 'number') return `expected ${label}, got ${describe(value)}`;
  if (!Number.isFinite(value)) {
    return `expected ${label}, got a number out of range (${String(value)}: beyond what a double holds)`;
  }
  const u = t as avro.Type & { typeName: string; types?: avro.Type[] };
  const names = (u.types ?? [t]).map((x) => (x as avro.Type & { typeName: string }).typeName);
  const integer = names.find((n) => n === 'int' || n === 'long');
  if (integer === undefined || names.includes('double') || names.includes('float'))
    return `expected ${label}, got ${describe(value)}`;
  if (!Number.isInteger(value)) return `expected ${label}, got ${describe(value)} (not an integer)`;
  return integer === 'int'
    ? `expected ${label}, got ${describe(value)} (outside the int range -2147483648..2147483647)`
    : `expected ${label}, got ${describe(value)} (outside ±9007199254740990, the long range JSON numbers hold exactly)`;
}

function buildContract<D extends Dataset>(dataset: D, schema: AvroRecord): Contract<D> {
  const type = compileSchema(schema);
  const columns = hiveColumns(schema);
  const fieldNames = new Set(schema.fields.map((f) => f.name));
  const maxDepth = schemaDepth(type) + NESTING_MARGIN;
  const validate = (event: unknown): ContractViolation[] => {
    const violations: ContractViolation[] = [];
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      return [{ path: '', reason: `expected a JSON object, got ${describe(event)}` }];
    }
    const walked = walkValue(event, maxDepth, false);
    if (walked.tooDeep !== undefined) {
      violations.push({
        path: walked.tooDeep,
        reason: `nested deeper than the ${maxDepth} levels this contract can hold`,
      });
    }
    for (const key of Object.keys(event)) {
      if (!fieldNames.has(key))
        violations.push({ path: key, reason: `field is not in the ${dataset} contract` });
    }
    type.isValid(event, {
      errorHook: (path: string[], value: unknown, t: avro.Type) => {
        if (path.length === 0) return;
        violations.push({ path: path.join('.'), reason: mismatchReason(t, value) });
      },
    });
    for (const n of walked.nonFinite) {
      if (violations.some((v) => v.path === n.path)) continue;
      violations.push({ path: n.path, reason: `expected a finite number, got ${String(n.value)}` });
    }
    return violations;
  };
  // Fast path output is ASCII (UTF-8 length = length); anything it leaves takes the exact path.
  const encode = compileFastEncoder(type) ?? (() => undefined);
  const never = (): boolean => false;
  const checkWire =
    compileWireChecker(type) ??
    Object.assign(never, { captures: [] as string[], canonicalAt: never, scan: never });
  const serialize = (event: unknown): SerializedEvent | ContractViolation[] => {
    const json = encode(event);
    if (json !== undefined) return { json, byteLength: json.length };
    const violations = validate(event);
    if (violations.length > 0) return violations;
    // A toJSON on the prototype can make a valid event print as nothing.
    const text = JSON.stringify(event) as string | undefined;
    if (text === undefined) return [{ path: '', reason: 'does not serialize to JSON' }];
    return { json: text, byteLength: Buffer.byteLength(text) };
  };
  return {
    dataset,
    schema,
    type,
    columns,
    partitionKeys: PARTITION_KEYS.map((p) => ({ name: p.name, type: p.hiveType, comment: p.comment })),
    duckDbColumns: columns.map((c) => ({ name: c.name, type: hiveToDuckDbType(c.type) })),
    maxDepth,
    inspectText: (text: string) => inspectJsonText(text, maxDepth),
    validate,
    assertValid(event: unknown): EventByDataset[D] {
      const violations = validate(event);
      if (violations.length > 0) {
        const id = (event as { event_id?: unknown } | null)?.event_id;
        throw new ContractViolationError(dataset, typeof id === 'string' ? id : undefined, violations);
      }
      return event as EventByDataset[D];
    },
    isValid(event: unknown): event is EventByDataset[D] {
      if (!type.isValid(event, { noUndeclaredFields: true })) return false;
      const walked = walkValue(event, maxDepth, true);
      return walked.nonFinite.length === 0 && walked.tooDeep === undefined;
    },
    serialize,
    checkWire,
  };
}

/** The contract of every dataset, compiled once. */
export const CONTRACTS: { readonly [D in Dataset]: Contract<D> } = {
  grid: buildContract('grid', SCHEMAS.grid as unknown as AvroRecord),
  weather: buildContract('weather', SCHEMAS.weather as unknown as AvroRecord),
  transactions: buildContract('transactions', SCHEMAS.transactions as unknown as AvroRecord),
};

/**
 * The contract of a dataset.
 *
 * @param dataset - dataset name
 * @example
 * ```ts
 * const c = contractFor('grid');
 * c.assertValid(JSON.parse(line));
 * ```
 */
export function contractFor<D extends Dataset>(dataset: D): Contract<D> {
  return CONTRACTS[dataset];
}

/**
 * Lake partition values for an event time: `dt=YYYY-MM-DD`, `hr=HH`, in UTC.
 *
 * @param eventTimeMs - event time, epoch milliseconds
 */
export function partitionOf(eventTimeMs: number): { dt: string; hr: string } {
  const iso = new Date(eventTimeMs).toISOString();
  return { dt: iso.slice(0, 10), hr: iso.slice(11, 13) };
}

/**
 * The lake-relative prefix of a partition: `<zone>/<dataset>/dt=YYYY-MM-DD/hr=HH/`.
 * The Firehose dynamic-partitioning prefix and the Athena tables in infra/ use the same layout.
 *
 * @param zone - `raw` or `curated`
 * @param dataset - dataset name
 * @param eventTimeMs - event time, epoch milliseconds
 */
export function partitionPrefix(zone: string, dataset: string, eventTimeMs: number): string {
  const { dt, hr } = partitionOf(eventTimeMs);
  return `${zone}/${dataset}/dt=${dt}/hr=${hr}/`;
}
