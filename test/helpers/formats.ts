import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JsonSchemaIssue, readJsonSchema, validateJson } from '../../schemas/index.js';
import { REPO_ROOT } from './repoRoot.js';

/** test/fixtures/formats: golden files of the formats TypeScript and Python share (pytest reads them too). */
export const FORMATS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'formats');

/**
 * A fixture's text and parsed value.
 *
 * @param rel - path under test/fixtures/formats
 */
export function readFixture<T = unknown>(rel: string): { text: string; value: T } {
  const text = readFileSync(join(FORMATS_DIR, rel), 'utf8');
  return { text, value: JSON.parse(text) as T };
}

/**
 * The golden files of one format, as `[relative path, text]`.
 *
 * @param folder - `curation-state` or `table-manifest`
 */
export function goldenFiles(folder: string): [string, string][] {
  return readdirSync(join(FORMATS_DIR, folder))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [`${folder}/${f}`, readFileSync(join(FORMATS_DIR, folder, f), 'utf8')]);
}

/**
 * Issues of a value against a schema of schemas/json/.
 *
 * @param schemaFile - e.g. `table-manifest.schema.json`
 * @param value - parsed JSON
 */
export function formatIssues(schemaFile: string, value: unknown): JsonSchemaIssue[] {
  return validateJson(readJsonSchema(schemaFile), value);
}

/** One case of test/fixtures/formats/invalid.json. */
export interface InvalidCase {
  readonly why: string;
  readonly schema: string;
  readonly base: string;
  readonly set?: string;
  readonly to?: unknown;
  readonly delete?: string;
  readonly path: string;
}

/**
 * The value of an invalid case: its base with one member replaced or removed (JSON Pointer).
 *
 * @param c - the case
 */
export function invalidValue(c: InvalidCase): unknown {
  const value = readFixture<Record<string, unknown>>(c.base).value;
  const pointer = c.set ?? c.delete;
  if (pointer === undefined) throw new Error(`invalid case "${c.why}" has neither set nor delete`);
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop()!;
  let node = value as Record<string, unknown>;
  for (const k of keys) node = node[k] as Record<string, unknown>;
  if (c.set !== undefined) node[last] = c.to;
  else delete node[last];
  return value;
}
