import { SqlTemplateError } from './errors.js';
import type { DialectMacro, Engine } from './types.js';

// {{name}} or {{name(args)}}; args never contain braces, so an inner placeholder renders first.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^{}]*?)\))?\s*\}\}/g;
const MAX_PASSES = 8;

/**
 * Splits macro arguments on the commas that are outside parentheses and quotes.
 *
 * @param args - the text between the macro's parentheses
 */
export function splitArguments(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(args.slice(start).trim());
  return out.filter((a, i) => !(i === 0 && a === '' && out.length === 1));
}

/** What a template is rendered with. */
export interface TemplateContext {
  readonly engine: Engine;
  /** Macros of dialects.json. */
  readonly macros: Readonly<Record<string, DialectMacro>>;
  /** Plain values: pipeline params and the generated `ingest_order`, `dq_rule`, `dq_rules`. */
  readonly values: Readonly<Record<string, string>>;
  /** Named in errors, e.g. the SQL file. */
  readonly source: string;
}

/**
 * Replaces every `{{value}}` and `{{macro(arg, ...)}}` of a transformation with its text for one
 * engine, repeatedly (a value may contain macros). The only template engine: the Glue job runs the
 * Spark text it renders at build time (sql/curated/pipeline.rendered.json).
 *
 * @param sql - template text
 * @param context - engine, macros and values
 * @throws SqlTemplateError naming the source and the placeholder when one is unknown or misused
 * @example
 * ```ts
 * renderTemplate('CAST(x AS {{timestamp}})', { engine: 'spark', macros, values: {}, source: 'x.sql' });
 * // 'CAST(x AS TIMESTAMP)'
 * ```
 */
export function renderTemplate(sql: string, context: TemplateContext): string {
  let text = stripComments(sql);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let replaced = false;
    text = text.replace(PLACEHOLDER, (_match, name: string, rawArgs: string | undefined) => {
      replaced = true;
      return expand(name, rawArgs, context);
    });
    if (!replaced) break;
  }
  const left = /\{\{[^}]*\}\}?/.exec(text);
  if (left) throw new SqlTemplateError(`${context.source}: cannot render ${left[0]}`);
  return text;
}

function expand(name: string, rawArgs: string | undefined, context: TemplateContext): string {
  const value = context.values[name];
  if (value !== undefined) {
    if (rawArgs !== undefined) {
      throw new SqlTemplateError(`${context.source}: {{${name}}} is a value and takes no arguments`);
    }
    return value;
  }
  const macro = context.macros[name];
  if (!macro) throw new SqlTemplateError(`${context.source}: unknown placeholder {{${name}}}`);
  const body = macro.all ?? macro[context.engine];
  if (body === undefined) {
    throw new SqlTemplateError(`${context.source}: macro {{${name}}} has no text for ${context.engine}`);
  }
  const args = rawArgs === undefined ? [] : splitArguments(rawArgs);
  const wanted = Math.max(0, ...[...body.matchAll(/\$(\d)/g)].map((m) => Number(m[1])));
  if (args.length !== wanted) {
    throw new SqlTemplateError(
      `${context.source}: {{${name}}} takes ${wanted} argument(s), got ${args.length}: ${rawArgs ?? ''}`,
    );
  }
  return body.replace(/\$(\d)/g, (_m, n: string) => args[Number(n) - 1]!);
}

/**
 * Removes `--` comments (outside string literals), so placeholders mentioned in comments are not
 * rendered and both engines receive the same statement text.
 *
 * @param sql - SQL text
 */
export function stripComments(sql: string): string {
  const lines: string[] = [];
  for (const line of sql.split('\n')) {
    let quote = false;
    let cut = line.length;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === "'") quote = !quote;
      else if (!quote && c === '-' && line[i + 1] === '-') {
        cut = i;
        break;
      }
    }
    const kept = line.slice(0, cut).trimEnd();
    if (kept.length > 0) lines.push(kept);
  }
  return lines.join('\n');
}
