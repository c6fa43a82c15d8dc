import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../common/packageRoot.js';
import { ContractError } from './errors.js';

/** Folder of the JSON Schemas of gridstream's file formats (curation state, table manifest, rendered pipeline). */
export const JSON_SCHEMA_DIR = join(PACKAGE_ROOT, 'schemas', 'json', '/');

/** The JSON Schemas of schemas/json/, by name. */
export const JSON_SCHEMAS = {
  curationState: 'curation-state.schema.json',
  tableManifest: 'table-manifest.schema.json',
  renderedPipeline: 'rendered-pipeline.schema.json',
} as const;

/** A JSON Schema (draft 2020-12), as parsed from its file. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One way a value fails its schema. */
export interface JsonSchemaIssue {
  /** JSON Pointer of the failing value (`''` for the root), as the Python `jsonschema` package reports it. */
  readonly path: string;
  readonly message: string;
}

// Keywords that carry no assertion.
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs']);
const ASSERTIONS = new Set([
  'type',
  'const',
  'enum',
  'pattern',
  'minimum',
  'minItems',
  'maxItems',
  'required',
  'properties',
  'additionalProperties',
  'propertyNames',
  'items',
  '$ref',
]);

/**
 * Reads a schema of schemas/json/.
 *
 * @param file - file name, e.g. {@link JSON_SCHEMAS}.tableManifest
 * @param dir - folder (tests point it elsewhere)
 */
export function readJsonSchema(file: string, dir: string = JSON_SCHEMA_DIR): JsonSchema {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonSchema;
}

/**
 * Validates a value against a JSON Schema. Implements the subset of draft 2020-12 the format schemas
 * use (type, const, enum, pattern, minimum, minItems, maxItems, required, properties, additionalProperties,
 * propertyNames, items and local `$ref`); any other assertion keyword throws, so a schema cannot
 * silently ask for more than is checked. The pytest suite validates the same files with the
 * reference `jsonschema` package, and test/fixtures/formats/invalid/ holds values both must reject at
 * the same path.
 *
 * @param schema - the schema (its `$defs` resolve `#/$defs/...` references)
 * @param value - a parsed JSON value
 * @returns every issue found, empty when the value is valid
 * @throws ContractError when the schema uses a keyword outside the subset or a reference that does not resolve
 * @example
 * ```ts
 * const issues = validateJson(readJsonSchema(JSON_SCHEMAS.curationState), JSON.parse(text));
 * if (issues.length > 0) throw new Error(`${issues[0].path}: ${issues[0].message}`);
 * ```
 */
export function validateJson(schema: JsonSchema, value: unknown): JsonSchemaIssue[] {
  const issues: JsonSchemaIssue[] = [];
  check(schema, value, '', schema, issues);
  return issues;
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, type: string): boolean {
  const actual = typeOf(v);
  return actual === type || (type === 'number' && actual === 'integer');
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolve(root: JsonSchema, ref: string): JsonSchema {
  const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const target = m ? (root.$defs as Record<string, JsonSchema> | undefined)?.[m[1]!] : undefined;
  if (!target) throw new ContractError(`JSON Schema reference ${JSON.stringify(ref)} does not resolve`);
  return target;
}

function check(
  schema: JsonSchema,
  value: unknown,
  path: string,
  root: JsonSchema,
  issues: JsonSchemaIssue[],
): void {
  const add = (message: string, at: string = path) => issues.push({ path: at, message });
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword)) {
      throw new ContractError(`JSON Schema keyword ${keyword} is not supported by validateJson`);
    }
  }
  if (typeof schema.$ref === 'string') check(resolve(root, schema.$ref), value, path, root, issues);
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => hasType(value, t))) add(`${typeOf(value)} is not of type ${types.join(' or ')}`);
  }
  if ('const' in schema && !equal(value, schema.const)) add(`must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => equal(value, e))) {
    add(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string') {
    if (!new RegExp(schema.pattern, 'u').test(value))
      add(`${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) {
    add(`${value} is less than ${schema.minimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      add(`has ${value.length} item(s), at least ${schema.minItems} needed`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      add(`has ${value.length} item(s), at most ${schema.maxItems} allowed`);
    }
    const items = schema.items;
    if (isObject(items)) {
      for (const [i, v] of value.entries()) check(items, v, pointer(path, i), root, issues);
    }
  }
  if (isObject(value)) checkObject(schema, value, path, root, issues);
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: string,
  root: JsonSchema,
  issues: JsonSchemaIssue[],
): void {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const name of (schema.required ?? []) as string[]) {
    if (!(name in value)) issues.push({ path, message: `missing required property ${JSON.stringify(name)}` });
  }
  const extra: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    const own = properties[name];
    if (own) check(own, v, pointer(path, name), root, issues);
    else if (schema.additionalProperties === false) extra.push(name);
    else if (isObject(schema.additionalProperties)) {
      check(schema.additionalProperties, v, pointer(path, name), root, issues);
    }
    if (isObject(schema.propertyNames)) check(schema.propertyNames, name, path, root, issues);
  }
  if (extra.length > 0) {
    issues.push({ path, message: `unexpected propert${extra.length > 1 ? 'ies' : 'y'} ${extra.join(', ')}` });
  }
}
