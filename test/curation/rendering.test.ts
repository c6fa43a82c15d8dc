import { describe, expect, it } from 'vitest';
import { PipelineDefinitionError, SqlTemplateError } from '../../stream-processors/curation/index.js';
import { compileQualityRules, ruleFailureSql } from '../../stream-processors/curation/qualityRules.js';
import { renderTemplate, splitArguments } from '../../stream-processors/curation/sqlTemplate.js';
import type { QualityRule } from '../../stream-processors/curation/types.js';

// The one template engine and rule compiler (the Glue job runs their output, rendered at build time).

describe('renderTemplate', () => {
  it('splits macro arguments outside parentheses and quotes', () => {
    expect(splitArguments("a, f(b, c), 'x,y'")).toEqual(['a', 'f(b, c)', "'x,y'"]);
    const macros = { m: { spark: 'g($2, $1)' } };
    expect(
      renderTemplate('{{m(f(a, b), c)}}', { engine: 'spark', macros, values: {}, source: 'x.sql' }),
    ).toBe('g(c, f(a, b))');
  });

  it.each([
    ['{{nope}}', 'x.sql: unknown placeholder {{nope}}'],
    ['{{m(a)}}', 'takes 2 argument(s), got 1'],
    ['{{v(a)}}', 'is a value and takes no arguments'],
  ])('%s: the error names the file and the placeholder', (sql, message) => {
    const render = () =>
      renderTemplate(sql, {
        engine: 'spark',
        macros: { m: { all: 'f($1, $2)' } },
        values: { v: '1' },
        source: 'x.sql',
      });
    expect(render).toThrow(SqlTemplateError);
    expect(render).toThrow(message);
  });
});

describe('compileQualityRules', () => {
  it('compiles to the first and all failed rules', () => {
    const { first, all, reason } = compileQualityRules(
      [
        { rule: 'a_required', reason: 'a is missing', kind: 'not_null', columns: ['a'] },
        { rule: 'b_range', reason: "b's out of range", kind: 'range', column: 'b', min: -250, max: 5000.5 },
      ],
      'spark',
    );
    expect(first).toBe(
      "CASE WHEN (a IS NULL) THEN 'a_required' WHEN (b IS NOT NULL AND (b < -250 OR b > 5000.5)) THEN 'b_range' END",
    );
    expect(all.startsWith("NULLIF(concat_ws(',', CASE WHEN (a IS NULL) THEN 'a_required' END, ")).toBe(true);
    // The reason of the first failed rule, quoted for the engine (Spark escapes the quote).
    expect(reason).toBe(
      "CASE WHEN (a IS NULL) THEN 'a is missing' WHEN (b IS NOT NULL AND (b < -250 OR b > 5000.5)) THEN 'b\\'s out of range' END",
    );
    expect(
      ruleFailureSql({ rule: 'w', reason: 'x', kind: 'check', expr: 'x > 0', when: 'y = 1' }, 'spark'),
    ).toBe('(coalesce((y = 1), false) AND (NOT coalesce((x > 0), false)))');
  });

  it.each([
    [[{ rule: 'r', kind: 'range', column: 'x' }], 'quality rule r: range needs min or max'],
    [[{ rule: 'r', kind: 'in', column: 'x; drop', values: [1] }], 'quality rule r: column "x; drop"'],
    [[{ rule: 'r', kind: 'nope' }], 'quality rule r: unknown kind "nope"'],
    [
      [
        { rule: 'r', reason: 'a is missing', kind: 'not_null', columns: ['a'] },
        { rule: 'r', reason: 'a is missing', kind: 'not_null', columns: ['a'] },
      ],
      'quality rule r is declared twice',
    ],
    [
      [{ rule: 'r', kind: 'not_null', columns: ['a'] }],
      "quality rule r needs a reason (the quarantine's dq_reason)",
    ],
    [
      [{ rule: 'r', kind: 'in', column: 'x', values: [true] }],
      'quality rule value true is not a string or number',
    ],
  ])('malformed rules are named: %j', (rules, message) => {
    const compile = () => compileQualityRules(rules as unknown as QualityRule[], 'duckdb');
    expect(compile).toThrow(PipelineDefinitionError);
    expect(compile).toThrow(message);
  });
});
