// TEMPORARY minimal reconciliation (helper "run"), standing in until helper "reconcile"'s
// loadtest/reconcile lands on main: at merge, take theirs and delete this file. It has the contract's
// signature (LOADTEST-SPEC: reconcileRun(runDir, options?) -> { summary, byDataset, lines, exitCode })
// and counts only what the run's exit code needs: lost and duplicated in raw, by event_id, with DuckDB
// over a local lake. Curated duplicates, misplaced and late are reported as 0 here.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb } from '../../datalake/duckdb/openDuckDb.js';
import { eventIdFor, eventIdKey } from '../../producers/sources/eventId.js';
import { LoadtestError } from '../errors.js';
import type { ReconciliationSummary } from '../report/types.js';
import { mergeWorkerResults, readWorkerResults } from '../worker/mergeWorkerResults.js';

/** What {@link reconcileRun} found. */
export interface Reconciliation {
  readonly summary: ReconciliationSummary;
  readonly byDataset: Readonly<Record<string, ReconciliationSummary>>;
  /** `key: value` lines, `lost: N` among them. */
  readonly lines: readonly string[];
  /** 0 exact, 1 something lost or duplicated. */
  readonly exitCode: 0 | 1;
}

const sql = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Reconciles a run folder: every event its workers handed to the stream and were not told was written
 * off must be in the raw zone exactly once. Writes reconciliation.json.
 *
 * @param runDir - the run folder
 */
export async function reconcileRun(runDir: string): Promise<Reconciliation> {
  const runFile = join(runDir, 'run.json');
  if (!existsSync(runFile)) throw new LoadtestError(`${runDir}: not a run folder (no run.json)`);
  const run = JSON.parse(readFileSync(runFile, 'utf8')) as { target?: { lake?: string | null } };
  const lakeRef = run.target?.lake;
  if (!lakeRef) throw new LoadtestError(`${runDir}: the run has no lake to reconcile (target.lake is null)`);
  if (lakeRef.startsWith('s3://')) {
    throw new LoadtestError(
      'this minimal reconciliation reads local lakes only (s3:// comes with loadtest/reconcile)',
    );
  }
  const lake = join(runDir, lakeRef);
  const merged = mergeWorkerResults(readWorkerResults(runDir));
  const failed = new Map<string, Set<string>>();
  for (const w of readWorkerResults(runDir)) {
    for (const [d, x] of Object.entries(w.datasets)) {
      const set = failed.get(d) ?? new Set<string>();
      for (const id of x.failed_event_ids) set.add(id);
      failed.set(d, set);
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), 'gridstream-reconcile-'));
  const db = await openDuckDb({ threads: 2, memoryLimit: '512MB' });
  const byDataset: Record<string, ReconciliationSummary> = {};
  try {
    for (const [dataset, m] of Object.entries(merged.datasets)) {
      const file = join(tmp, `${dataset}.csv`);
      const skip = failed.get(dataset) ?? new Set<string>();
      const ids: string[] = ['event_id'];
      for (const r of m.ranges) {
        const key = eventIdKey(r.seed, r.producer_id, dataset);
        for (let s = r.first_sequence; s < r.first_sequence + r.emitted; s++) {
          const id = eventIdFor(key, s);
          if (!skip.has(id)) ids.push(id);
        }
      }
      writeFileSync(file, `${ids.join('\n')}\n`);
      const rawGlob = join(lake, 'raw', dataset, '**', '*.parquet');
      const hasRaw = (await db.rows(`SELECT count(*) AS n FROM glob(${sql(rawGlob)})`))[0]!.n as bigint;
      const raw =
        hasRaw > 0n
          ? `read_parquet(${sql(rawGlob)}, hive_partitioning = false)`
          : '(SELECT NULL::VARCHAR AS event_id WHERE false)';
      const [row] = await db.rows(`
        WITH expected AS (SELECT event_id FROM read_csv(${sql(file)}, header = true, columns = {'event_id': 'VARCHAR'})),
             found AS (SELECT event_id, count(*) AS n FROM ${raw} WHERE event_id IN (SELECT event_id FROM expected) GROUP BY event_id)
        SELECT (SELECT count(*) FROM expected) AS sent,
               (SELECT count(*) FROM found) AS found_raw,
               (SELECT coalesce(sum(n - 1), 0) FROM found) AS duplicated_raw`);
      const sent = Number(row!.sent);
      const found = Number(row!.found_raw);
      byDataset[dataset] = {
        sent,
        found_raw: found,
        lost: sent - found,
        duplicated_raw: Number(row!.duplicated_raw),
        duplicated_curated: 0,
        misplaced: 0,
        late: m.late,
      };
    }
  } finally {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const keys = [
    'sent',
    'found_raw',
    'lost',
    'duplicated_raw',
    'duplicated_curated',
    'misplaced',
    'late',
  ] as const;
  const summary = Object.fromEntries(
    keys.map((k) => [k, Object.values(byDataset).reduce((n, d) => n + (d[k] ?? 0), 0)]),
  ) as unknown as ReconciliationSummary;
  const lines = [
    ...keys.map((k) => `${k}: ${summary[k]}`),
    ...Object.entries(byDataset).map(
      ([d, r]) =>
        `${d}: sent ${r.sent}, found in raw ${r.found_raw}, lost ${r.lost}, duplicated in raw ${r.duplicated_raw}`,
    ),
  ];
  const exitCode = summary.lost > 0 || summary.duplicated_raw > 0 ? 1 : 0;
  writeFileSync(
    join(runDir, 'reconciliation.json'),
    `${JSON.stringify({ summary, byDataset, exitCode }, null, 2)}\n`,
  );
  return { summary, byDataset, lines, exitCode };
}
