import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeDirs } from './fsErrors.js';
import { fsyncPath } from './fsyncPath.js';

/**
 * Creates `dir` and its missing ancestors durably: each parent whose entries changed is flushed, so a
 * crash cannot lose a folder a later rename put a file in.
 *
 * @param dir - the folder
 * @param knownDirs - folders already known to exist (skips the check); `dir` is added
 */
export async function makeDirsDurably(dir: string, knownDirs?: Set<string>): Promise<void> {
  if (knownDirs?.has(dir)) return;
  for (const made of await makeDirs(dir)) await fsyncPath(dirname(made));
  knownDirs?.add(dir);
}

/**
 * The one durable publish of a local file: flushes `from`, creates the target's missing folders (flushing
 * each parent whose entries changed), renames `from` over `to` and flushes the target's folder. Readers
 * see the old file or the new one, never a partial one, and a crash after it returns loses neither.
 *
 * @param from - a complete file on the same filesystem
 * @param to - the target path
 * @param knownDirs - folders already known to exist (skips their check); new ones are added
 */
export async function renameDurably(from: string, to: string, knownDirs?: Set<string>): Promise<void> {
  await fsyncPath(from);
  const dir = dirname(to);
  await makeDirsDurably(dir, knownDirs);
  await rename(from, to);
  await fsyncPath(dir);
}

/**
 * Writes a file atomically and durably through {@link renameDurably}: a temp file beside the target (or
 * in `tmpDir`, which must be on the same filesystem), then the durable rename.
 *
 * @param path - target file
 * @param data - content
 * @param tmpDir - where the temp file goes (default: the target's folder)
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  tmpDir?: string,
): Promise<void> {
  const target = dirname(path);
  // The target's folder is made once, before the temp file that may live in it.
  const made = new Set<string>();
  await makeDirsDurably(target, made);
  const tmp = join(
    tmpDir ?? target,
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tmp, data);
    await renameDurably(tmp, path, made);
  } finally {
    // After a rename the temp name is gone; after a failure its removal must not hide the failure.
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
