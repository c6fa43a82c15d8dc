// The raw-zone "latest" views of sql/athena/views fold rows per natural key in plain Athena SQL (Athena
// runs them as written, so they cannot take pipeline.json's templates). This test keeps them on the one
// definition of each key, sql/curated/pipeline.json `naturalKeys`: a key changed there and not in the
// view (or the reverse) fails here, naming both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../stream-processors/curation/pipeline.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';

/**
 * The comma-separated list after `keyword` in a window's OVER (…): split at top-level commas, ending at
 * the `)` that closes the OVER or at a top-level ORDER BY.
 */
function listAfter(sql: string, keyword: string): string[] {
  const start = sql.indexOf(keyword);
  expect(start, `${keyword} in the view`).toBeGreaterThan(-1);
  const rest = sql.slice(start + keyword.length).replace(/\s+/g, ' ');
  const out: string[] = [];
  let depth = 0;
  let item = '';
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (depth === 0 && (ch === ')' || rest.startsWith('ORDER BY', i))) break;
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(item.trim());
      item = '';
    } else item += ch;
  }
  out.push(item.trim());
  return out;
}

/** Drops a table alias (`g.`) and the view's tolerance of rows written before a column existed. */
function normalize(expr: string): string {
  return expr.replace(/\b[a-z]\./g, '').replace(/coalesce\(version, 1\)/g, 'version');
}

describe('sql/athena/views fold on pipeline.json naturalKeys', () => {
  const pipeline = loadPipeline();
  for (const [view, dataset] of [
    ['v_grid_latest', 'grid'],
    ['v_weather_latest', 'weather'],
  ] as const) {
    it(`${view}: its window is ${dataset}'s natural key, its order the key's latestFirst`, () => {
      const sql = readFileSync(join(REPO_ROOT, 'sql', 'athena', 'views', `${view}.sql`), 'utf8')
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n');
      const key = pipeline.naturalKeys[dataset];
      // The partition folders lead the window (a key lives in one hour): the rest is the key.
      // Every window of the view (raw_rows' count and the rank) partitions the same way.
      const windows = sql.split('PARTITION BY').slice(1);
      expect(windows.length).toBeGreaterThan(0);
      for (const w of windows) {
        const partition = listAfter(`PARTITION BY${w}`, 'PARTITION BY').map(normalize);
        expect(partition.slice(0, 2)).toEqual(['dt', 'hr']);
        expect(partition.slice(2), `${view} vs pipeline.json naturalKeys.${dataset}.columns`).toEqual([
          ...key.columns,
        ]);
      }
      const order = listAfter(sql, 'ORDER BY').map(normalize);
      expect(order, `${view} vs pipeline.json naturalKeys.${dataset}.latestFirst`).toEqual([
        ...key.latestFirst,
        'event_id DESC',
      ]);
    });
  }
});
