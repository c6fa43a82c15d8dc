import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RAW_ZONE } from '../../datalake/layout.js';
import { batchFileArrivalMs } from '../../datalake/objectNames.js';
import type { LakeStorage } from '../../datalake/storage/index.js';
import { COMPACTED_FILE_PREFIX } from '../../stream-processors/curation/constants.js';

/** One raw Parquet object of a dataset, as reconciliation reads it. */
export interface RawObject {
  /** Sequential id inside one dataset's reconciliation. */
  readonly id: number;
  /** Lake-relative key. */
  readonly key: string;
  /** `<dt>/<hr>` of the folder it sits in. */
  readonly part: string;
  readonly dt: string;
  readonly hr: string;
  /** The hash part of a compacted file's name (`0-compacted-<hash>-<i>`): files of one compaction share it. */
  readonly group: string | null;
  /** The batch's first arrival from the object name (delivery's files only). */
  readonly arrivalMs: number | null;
  /** What DuckDB reads: the file itself (local lake) or its downloaded copy (s3://). */
  readonly path: string;
}

const RAW_KEY = /^raw\/[^/]+\/dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\/([^/]+)$/;

/**
 * Lists a dataset's raw objects the way every table reader does: Parquet files in `dt=/hr=` folders,
 * names starting with `.` or `_` (in-flight, system) skipped.
 *
 * @param storage - the lake
 * @param dataset - dataset folder
 * @param prefix - `raw/<dataset>/` or one partition's folder
 * @param firstId - id of the first object returned
 * @param downloadDir - where s3:// objects will be downloaded (their `path`)
 */
export async function listRawObjects(
  storage: LakeStorage,
  dataset: string,
  prefix: string,
  firstId: number,
  downloadDir: string,
): Promise<RawObject[]> {
  const out: RawObject[] = [];
  for (const key of await storage.list(prefix)) {
    const m = RAW_KEY.exec(key);
    if (!m || !key.startsWith(`${RAW_ZONE}/${dataset}/`)) continue;
    const name = m[3]!;
    if (!name.endsWith('.parquet') || name.startsWith('.') || name.startsWith('_')) continue;
    const id = firstId + out.length;
    const compacted = name.startsWith(COMPACTED_FILE_PREFIX)
      ? name.slice(COMPACTED_FILE_PREFIX.length).replace(/-\d+\.parquet$/, '')
      : null;
    out.push({
      id,
      key,
      part: `${m[1]}/${m[2]}`,
      dt: m[1]!,
      hr: m[2]!,
      group: compacted,
      arrivalMs: batchFileArrivalMs(name) ?? null,
      path: storage.kind === 'local' ? storage.urlFor(key) : join(downloadDir, `${id}.parquet`),
    });
  }
  return out;
}

/**
 * Makes objects readable by DuckDB: nothing for a local lake; downloads from an s3:// lake (a few at
 * a time). An object gone since the listing (a compaction deleted its sources) is returned as missing.
 *
 * @param storage - the lake
 * @param objects - the objects
 * @param concurrency - parallel downloads
 * @returns the objects gone since they were listed
 */
export async function fetchRawObjects(
  storage: LakeStorage,
  objects: readonly RawObject[],
  concurrency: number,
): Promise<RawObject[]> {
  if (storage.kind === 'local') return [];
  const missing: RawObject[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const o = objects[next++]!;
      const body = await storage.getBytes(o.key);
      if (body === undefined) missing.push(o);
      else await writeFile(o.path, body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
  return missing;
}
