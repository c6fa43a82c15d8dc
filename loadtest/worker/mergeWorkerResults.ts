import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadtestError } from '../errors.js';
import { RunMetrics } from '../metrics/RunMetrics.js';
import { WORKER_FORMAT, type WorkerResult } from './types.js';

/** One dataset over every worker. */
export interface MergedDataset {
  readonly emitted: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly late: number;
  readonly out_of_order: number;
  /** Each worker's id range: the reconciliation's expected set is their union minus the failed ids. */
  readonly ranges: readonly {
    readonly worker: string;
    readonly producer_id: string;
    readonly seed: number;
    readonly first_sequence: number;
    readonly emitted: number;
  }[];
}

/** The workers of a run, merged. */
export interface MergedWorkers {
  /** Counters and histograms of every worker, added. */
  readonly metrics: RunMetrics;
  readonly datasets: Readonly<Record<string, MergedDataset>>;
  /** Per worker: its limit (null when none) and whether it was interrupted. */
  readonly workers: readonly {
    readonly worker: string;
    readonly pid?: number;
    readonly limit: string | null;
    readonly interrupted: boolean;
  }[];
  readonly interrupted: boolean;
  /** Workers whose generator fell behind schedule: the run's bottleneck was the load, not the pipeline. */
  readonly generatorBound: readonly string[];
}

/**
 * Merges the result files of a run's workers (local processes or ECS tasks alike): counters and
 * histograms added, per-dataset counts summed, each worker's id range kept, and each worker's limit.
 * Pure: the same results give the same answer in any order.
 *
 * @param results - the parsed workers/<name>.json files
 * @throws LoadtestError when two results claim the same worker, or a result is not a worker file
 */
export function mergeWorkerResults(results: readonly WorkerResult[]): MergedWorkers {
  const sorted = [...results].sort((a, b) => a.index - b.index || a.worker.localeCompare(b.worker));
  const metrics = new RunMetrics();
  const datasets: Record<
    string,
    {
      emitted: number;
      acknowledged: number;
      failed: number;
      late: number;
      out_of_order: number;
      ranges: MergedDataset['ranges'][number][];
    }
  > = {};
  const names = new Set<string>();
  for (const r of sorted) {
    if (r.format !== WORKER_FORMAT) {
      throw new LoadtestError(`not a worker result (format ${JSON.stringify(r.format)}): ${r.worker}`);
    }
    if (names.has(r.worker)) throw new LoadtestError(`two results of worker ${r.worker}`);
    names.add(r.worker);
    metrics.merge(r.metrics);
    for (const [d, x] of Object.entries(r.datasets)) {
      const m = datasets[d] ?? {
        emitted: 0,
        acknowledged: 0,
        failed: 0,
        late: 0,
        out_of_order: 0,
        ranges: [],
      };
      datasets[d] = m;
      m.emitted += x.emitted;
      m.acknowledged += x.acknowledged;
      m.failed += x.failed_event_ids.length;
      m.late += x.late;
      m.out_of_order += x.out_of_order;
      m.ranges.push({
        worker: r.worker,
        producer_id: x.producer_id,
        seed: x.seed,
        first_sequence: x.first_sequence,
        emitted: x.emitted,
      });
    }
  }
  return {
    metrics,
    datasets,
    workers: sorted.map((r) => ({
      worker: r.worker,
      ...(r.pid === undefined ? {} : { pid: r.pid }),
      limit: r.limit,
      interrupted: r.interrupted,
    })),
    interrupted: sorted.some((r) => r.interrupted),
    generatorBound: sorted.filter((r) => r.limit?.startsWith('generator behind')).map((r) => r.worker),
  };
}

/**
 * Reads every `workers/*.json` of a run folder.
 *
 * @param runDir - the run folder
 */
export function readWorkerResults(runDir: string): WorkerResult[] {
  const dir = join(runDir, 'workers');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => {
    const file = join(dir, n);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as WorkerResult;
    } catch (err) {
      throw new LoadtestError(`${file}: not a worker result: ${(err as Error).message}`);
    }
  });
}
