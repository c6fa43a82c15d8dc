import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LAKE_SYSTEM_PREFIXES } from '../storage/index.js';
import { NoLakeError } from './errors.js';

/** The folders whose presence makes a directory a lake: the raw zone, or delivery's checkpoints. */
export const LAKE_MARKERS = ['raw', LAKE_SYSTEM_PREFIXES.checkpoints.replace(/\/$/, '')] as const;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return false;
    throw err;
  }
}

/**
 * Checks that a local lake location holds a lake (a `raw/` or `_checkpoints/` folder) before a reader
 * (`gridstream query`, `gridstream curate`) answers from it or writes state into it: a mistyped
 * `--lake` would otherwise answer 0 rows, or get a `curated/_state/` folder of its own.
 * Nothing is created.
 *
 * @param location - the lake directory (not an `s3://` URL)
 * @throws NoLakeError when the path does not exist, is not a directory, or holds neither folder
 */
export async function assertLocalLake(location: string): Promise<void> {
  const root = resolve(location);
  let s: Awaited<ReturnType<typeof stat>> | undefined;
  try {
    s = await stat(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!s) throw new NoLakeError(location, 'the path does not exist');
  if (!s.isDirectory()) throw new NoLakeError(location, 'it is not a directory');
  for (const m of LAKE_MARKERS) if (await isDirectory(join(root, m))) return;
  throw new NoLakeError(location, `no ${LAKE_MARKERS.map((m) => `${m}/`).join(' and no ')} folder in it`);
}
