import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { openLakeStorage, writeFileAtomic } from '../../datalake/storage/index.js';
import { WORKER_FORMAT } from '../constants.js';
import { EcsLaunchError } from './errors.js';
import { workerName } from './workerArgs.js';

/** Folder of the worker result files below a run's folder or prefix. */
export const WORKERS_FOLDER = 'workers';

/** Options of the functions of this file that may reach S3. */
export interface ResultsStorageOptions {
  /** S3 client to use. @default one with the standard configuration (`AWS_ENDPOINT_URL_S3`, `AWS_REGION`) */
  readonly s3Client?: S3Client;
}

/** Splits `s3://bucket/a/b/file.yaml` into the folder URL and the file name. */
function splitS3Url(url: string): { folder: string; name: string } {
  const rest = url.replace(/^s3:\/\//i, '');
  const slash = rest.lastIndexOf('/');
  if (slash <= 0 || slash === rest.length - 1) {
    throw new EcsLaunchError(`${url} names no object: expected s3://bucket/prefix/file`);
  }
  return { folder: `s3://${rest.slice(0, slash)}`, name: rest.slice(slash + 1) };
}

/**
 * Makes a worker's `--scenario` readable as a local file: an `s3://` URL (the ECS launcher uploads the
 * scenario next to the run's results) is downloaded into a fresh temporary folder under its own file name
 * (the scenario's name is its file name); a path or a shipped scenario's name is returned unchanged.
 *
 * @param scenario - the `--scenario` value
 * @param options - S3 client
 * @returns a path or name `loadScenario` accepts
 * @throws EcsLaunchError when the object does not exist
 */
export async function stageWorkerScenario(
  scenario: string,
  options: ResultsStorageOptions = {},
): Promise<string> {
  if (!/^s3:\/\//i.test(scenario)) return scenario;
  const { folder, name } = splitS3Url(scenario);
  const storage = openLakeStorage(folder, options.s3Client ? { s3Client: options.s3Client } : {});
  try {
    const body = await storage.getBytes(name);
    if (body === undefined) throw new EcsLaunchError(`scenario ${scenario} does not exist`);
    const dir = await mkdtemp(join(tmpdir(), 'gridstream-scenario-'));
    const file = join(dir, basename(name));
    await writeFile(file, body);
    return file;
  } finally {
    await storage.close();
  }
}

/**
 * Writes a worker's result file as `workers/w<index>.json` into the run's folder or `s3://` prefix (the
 * worker's `--results`), atomically: a reader sees the whole file or none.
 *
 * @param results - the worker's `--results`
 * @param index - the worker's index
 * @param body - the result (format `gridstream-loadtest-worker/1`), as JSON text
 * @param options - S3 client
 * @returns where it went (a path or an `s3://` URL)
 */
export async function publishWorkerResult(
  results: string,
  index: number,
  body: string,
  options: ResultsStorageOptions = {},
): Promise<string> {
  const key = `${WORKERS_FOLDER}/${workerName(index)}.json`;
  if (!/^s3:\/\//i.test(results)) {
    const file = join(results, key);
    await writeFileAtomic(file, body);
    return file;
  }
  const storage = openLakeStorage(results, options.s3Client ? { s3Client: options.s3Client } : {});
  try {
    await storage.putBytes(key, new TextEncoder().encode(body));
    return storage.urlFor(key);
  } finally {
    await storage.close();
  }
}

/** What {@link downloadWorkerResults} found. */
export interface DownloadedResults {
  /** Local paths written (`RUN_DIR/workers/<name>.json`), by worker name. */
  readonly files: Readonly<Record<string, string>>;
  /** Names of the expected workers that left no result file. */
  readonly missing: readonly string[];
  /** Result objects that are not worker results (not JSON, or another `format`), with the reason. */
  readonly invalid: readonly { readonly key: string; readonly reason: string }[];
}

/**
 * Copies the worker result files of a run from its results location (`s3://…/<run id>`, or any folder the
 * lake storage opens) into `RUN_DIR/workers/`, where reconciliation and the merge of worker results read
 * them exactly as they read the files of local worker processes.
 *
 * @param resultsUri - the run's results location (the workers' `--results`)
 * @param runDir - the run's folder
 * @param options - S3 client; `workers`: how many workers to expect (`w0` … `w<workers-1>`), to report missing ones
 * @returns the files written, the missing workers and the objects that were not worker results
 */
export async function downloadWorkerResults(
  resultsUri: string,
  runDir: string,
  options: ResultsStorageOptions & { readonly workers?: number } = {},
): Promise<DownloadedResults> {
  const storage = openLakeStorage(resultsUri, options.s3Client ? { s3Client: options.s3Client } : {});
  const files: Record<string, string> = {};
  const invalid: { key: string; reason: string }[] = [];
  try {
    const keys = (await storage.list(`${WORKERS_FOLDER}/`)).filter((k) => /^workers\/[^/]+\.json$/.test(k));
    for (const key of keys) {
      const body = await storage.getBytes(key);
      if (body === undefined) continue; // deleted between list and get
      const text = new TextDecoder().decode(body);
      let format: unknown;
      try {
        format = (JSON.parse(text) as { format?: unknown }).format;
      } catch (err) {
        invalid.push({ key, reason: `not JSON: ${(err as Error).message}` });
        continue;
      }
      if (format !== WORKER_FORMAT) {
        invalid.push({ key, reason: `format ${JSON.stringify(format)}, expected ${WORKER_FORMAT}` });
        continue;
      }
      const name = basename(key, '.json');
      const file = join(runDir, WORKERS_FOLDER, `${name}.json`);
      await writeFileAtomic(file, body);
      files[name] = file;
    }
  } finally {
    await storage.close();
  }
  const missing: string[] = [];
  for (let i = 0; i < (options.workers ?? 0); i++) if (!(workerName(i) in files)) missing.push(workerName(i));
  return { files, missing, invalid };
}
