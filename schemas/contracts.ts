import avro from 'avsc';
import type { AvroRecord } from './avroTypes.js';
import { DATASETS, PARTITION_KEYS } from './constants.js';
import { type ContractViolation, ContractViolationError } from './errors.js';
import { compileFastEncoder } from './fastCodec.js';
import { type EventByDataset, SCHEMAS } from './generated.js';
import { type HiveColumn, hiveColumns, hiveToDuckDbType } from './hive.js';
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

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const s = JSON.stringify(value);
  return s && s.length > 60 ? `${s.slice(0, 57)}...` : String(s);
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

/**
 * Paths of the numbers in a JSON-like value that are NaN or ±Infinity. JSON has no such numbers
 * (JSON.stringify prints them as `null`, and `1e400` parses to Infinity), while avsc's float and double
 * accept them: the contract rejects them so that a producer never sends, and delivery never writes, a
 * value that is not what was meant.
 */
function nonFinitePaths(value: unknown, path: string, out: { path: string; value: number }[]): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ path, value });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) nonFinitePaths(value[i], path ? `${path}.${i}` : String(i), out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFinitePaths(v, path ? `${path}.${k}` : k, out);
  }
}

function hasNonFinite(value: unknown): boolean {
  const out: { path: string; value: number }[] = [];
  nonFinitePaths(value, '', out);
  return out.length > 0;
}

function buildContract<D extends Dataset>(dataset: D, schema: AvroRecord): Contract<D> {
  const type = compileSchema(schema);
  const columns = hiveColumns(schema);
  const fieldNames = new Set(schema.fields.map((f) => f.name));
  const validate = (event: unknown): ContractViolation[] => {
    const violations: ContractViolation[] = [];
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      return [{ path: '', reason: `expected a JSON object, got ${describe(event)}` }];
    }
    for (const key of Object.keys(event)) {
      if (!fieldNames.has(key))
        violations.push({ path: key, reason: `field is not in the ${dataset} contract` });
    }
    type.isValid(event, {
      errorHook: (path: string[], value: unknown, t: avro.Type) => {
        if (path.length === 0) return;
        violations.push({ path: path.join('.'), reason: `expected ${typeLabel(t)}, got ${describe(value)}` });
      },
    });
    const nonFinite: { path: string; value: number }[] = [];
    nonFinitePaths(event, '', nonFinite);
    for (const n of nonFinite) {
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
      return type.isValid(event, { noUndeclaredFields: true }) && !hasNonFinite(event);
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
