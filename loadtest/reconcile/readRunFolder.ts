import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECONCILE_FILES, RUN_FORMAT, WORKER_FORMAT } from './constants.js';
import { RunFolderError } from './errors.js';
import type { RunFile, RunFolder, WorkerDataset, WorkerFile } from './types.js';

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RunFolderError(file, code === 'ENOENT' ? 'missing' : `unreadable (${code})`, err);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new RunFolderError(file, `not JSON: ${(err as Error).message}`, err);
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkWorkerDataset(file: string, name: string, v: unknown): WorkerDataset {
  const d = (v ?? {}) as Record<string, unknown>;
  const at = (key: string) => `datasets.${name}.${key}`;
  if (typeof d.producer_id !== 'string' || d.producer_id === '')
    throw new RunFolderError(
      file,
      `${at('producer_id')} = ${JSON.stringify(d.producer_id)}: a non-empty string`,
    );
  if (typeof d.seed !== 'number' || !Number.isFinite(d.seed))
    throw new RunFolderError(file, `${at('seed')} = ${JSON.stringify(d.seed)}: a number`);
  for (const key of ['first_sequence', 'emitted'] as const)
    if (!isCount(d[key]))
      throw new RunFolderError(file, `${at(key)} = ${JSON.stringify(d[key])}: a non-negative integer`);
  const failed = d.failed_event_ids ?? [];
  if (!Array.isArray(failed) || failed.some((id) => typeof id !== 'string'))
    throw new RunFolderError(file, `${at('failed_event_ids')}: a list of event ids`);
  return { ...(d as unknown as WorkerDataset), failed_event_ids: failed as string[] };
}

/**
 * Reads and checks a run folder's run.json and every `workers/*.json` (formats in docs/LOADTEST.md).
 * A worker file that is not of its format is an error naming the file and the key: reconciling with a
 * worker missing would report its events neither sent nor lost.
 *
 * @param dir - the run folder
 * @throws RunFolderError naming the file and what is wrong
 */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const runPath = join(dir, RECONCILE_FILES.run);
  const run = await readJson(runPath);
  if (run.format !== RUN_FORMAT)
    throw new RunFolderError(runPath, `format = ${JSON.stringify(run.format)}: expected "${RUN_FORMAT}"`);
  const target = run.target as Record<string, unknown> | undefined;
  if (!target || typeof target !== 'object' || !(target.lake === null || typeof target.lake === 'string'))
    throw new RunFolderError(runPath, 'target.lake: a path relative to the run folder, an s3:// URL or null');
  if (!run.datasets || typeof run.datasets !== 'object')
    throw new RunFolderError(runPath, 'datasets: an object of the datasets the run loaded');
  const workersDir = join(dir, RECONCILE_FILES.workers);
  const names = (await readdir(workersDir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const workers: WorkerFile[] = [];
  for (const name of names) {
    const file = join(workersDir, name);
    const w = await readJson(file);
    if (w.format !== WORKER_FORMAT)
      throw new RunFolderError(file, `format = ${JSON.stringify(w.format)}: expected "${WORKER_FORMAT}"`);
    const datasets = (w.datasets ?? {}) as Record<string, unknown>;
    const checked: Record<string, WorkerDataset> = {};
    for (const [d, v] of Object.entries(datasets)) checked[d] = checkWorkerDataset(file, d, v);
    workers.push({ ...(w as unknown as WorkerFile), datasets: checked });
  }
  return { dir, run: run as unknown as RunFile, workers };
}
