import { sqlString } from '../../datalake/duckdb/index.js';
import { PipelineDefinitionError } from './errors.js';
import type { Engine, QualityRule } from './types.js';

const IDENT = /^[a-z_][a-z0-9_]*$/;
const RULE_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * A rule value as a SQL literal of one engine. Numbers are written as ECMAScript prints them (the
 * shortest text that reads back as the same double: `-250`, `5000.5`, `1e+21`, `1e-7`), which DuckDB
 * and Spark both parse to that number. Strings differ by engine: Spark reads `\` as an escape and
 * `'a''b'` as two adjacent literals (`ab`), so its quotes and backslashes are backslash-escaped;
 * DuckDB doubles the quote and keeps backslashes as they are (test/fixtures/formats/sql-literals.json
 * is run on both engines).
 *
 * @param v - a string or finite number
 * @param engine - `duckdb` or `spark`
 * @throws PipelineDefinitionError for a number that is not finite or a value of another type
 * @example
 * ```ts
 * sqlLiteral(1e21, 'spark'); // '1e+21'
 * sqlLiteral("it's", 'spark'); // "'it\\'s'"
 * ```
 */
export function sqlLiteral(v: string | number, engine: Engine): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new PipelineDefinitionError(`quality rule value ${v} is not finite`);
    return String(v);
  }
  if (typeof v !== 'string') {
    throw new PipelineDefinitionError(`quality rule value ${JSON.stringify(v)} is not a string or number`);
  }
  if (engine === 'spark') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  return sqlString(v);
}

function column(rule: QualityRule, name: string | undefined): string {
  if (name === undefined || !IDENT.test(name)) {
    throw new PipelineDefinitionError(
      `quality rule ${rule.rule}: column ${JSON.stringify(name)} is not a column name`,
    );
  }
  return name;
}

/**
 * The SQL boolean that is TRUE when a row fails a rule (never NULL).
 *
 * @param rule - one rule of quality_rules.json
 * @param engine - the engine whose literals are written
 * @throws PipelineDefinitionError naming the rule when it is malformed
 */
export function ruleFailureSql(rule: QualityRule, engine: Engine): string {
  const literal = (v: string | number) => sqlLiteral(v, engine);
  let failure: string;
  switch (rule.kind) {
    case 'not_null': {
      const cols = rule.columns ?? [];
      if (cols.length === 0)
        throw new PipelineDefinitionError(`quality rule ${rule.rule}: not_null needs columns`);
      failure = `(${cols.map((c) => `${column(rule, c)} IS NULL`).join(' OR ')})`;
      break;
    }
    case 'in': {
      const c = column(rule, rule.column);
      const values = rule.values ?? [];
      if (values.length === 0)
        throw new PipelineDefinitionError(`quality rule ${rule.rule}: in needs values`);
      failure = `(${c} IS NOT NULL AND ${c} NOT IN (${values.map(literal).join(', ')}))`;
      break;
    }
    case 'range': {
      const c = column(rule, rule.column);
      const bounds: string[] = [];
      if (rule.min !== undefined) bounds.push(`${c} < ${literal(rule.min)}`);
      if (rule.max !== undefined) bounds.push(`${c} > ${literal(rule.max)}`);
      if (bounds.length === 0)
        throw new PipelineDefinitionError(`quality rule ${rule.rule}: range needs min or max`);
      failure = `(${c} IS NOT NULL AND (${bounds.join(' OR ')}))`;
      break;
    }
    case 'check':
      if (!rule.expr) throw new PipelineDefinitionError(`quality rule ${rule.rule}: check needs expr`);
      failure = `(NOT coalesce((${rule.expr}), false))`;
      break;
    default:
      throw new PipelineDefinitionError(
        `quality rule ${rule.rule}: unknown kind ${JSON.stringify((rule as { kind: unknown }).kind)}`,
      );
  }
  return rule.when ? `(coalesce((${rule.when}), false) AND ${failure})` : failure;
}

/**
 * Compiles a dataset's rules into the three quarantine columns: `dq_rule` (first failed rule in
 * declaration order, NULL when none), `dq_rules` (all failed rules, comma-separated, NULL when
 * none) and `dq_reason` (the first failed rule's reason). The only rule compiler: Spark runs its output from sql/curated/pipeline.rendered.json.
 *
 * @param rules - the dataset's rules, in order
 * @param engine - the engine whose literals are written
 * @throws PipelineDefinitionError for duplicate or malformed rules
 */
export function compileQualityRules(
  rules: readonly QualityRule[],
  engine: Engine,
): { first: string; all: string; reason: string } {
  if (rules.length === 0) {
    return { first: 'CAST(NULL AS STRING)', all: 'CAST(NULL AS STRING)', reason: 'CAST(NULL AS STRING)' };
  }
  const seen = new Set<string>();
  const parts = rules.map((r) => {
    if (!RULE_NAME.test(r.rule))
      throw new PipelineDefinitionError(`quality rule name ${JSON.stringify(r.rule)} is invalid`);
    if (seen.has(r.rule)) throw new PipelineDefinitionError(`quality rule ${r.rule} is declared twice`);
    seen.add(r.rule);
    const failure = ruleFailureSql(r, engine);
    if (typeof r.reason !== 'string' || r.reason.trim() === '') {
      throw new PipelineDefinitionError(`quality rule ${r.rule} needs a reason (the quarantine's dq_reason)`);
    }
    return { name: sqlLiteral(r.rule, engine), reason: sqlLiteral(r.reason, engine), failure };
  });
  const first = `CASE ${parts.map((p) => `WHEN ${p.failure} THEN ${p.name}`).join(' ')} END`;
  const reason = `CASE ${parts.map((p) => `WHEN ${p.failure} THEN ${p.reason}`).join(' ')} END`;
  const all = `NULLIF(concat_ws(',', ${parts.map((p) => `CASE WHEN ${p.failure} THEN ${p.name} END`).join(', ')}), '')`;
  return { first, all, reason };
}
