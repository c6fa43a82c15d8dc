import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lakeFsError } from './fsErrors.js';
import type { LakeStorage } from './types.js';

/**
 * Fails fast when a local lake cannot be written: creates its staging folder and writes and removes a
 * small file there, so a read-only filesystem, a full disk, missing permissions or a file where the
 * lake's folder must be are reported before anything is produced or read. S3 lakes are not probed
 * (their first write reports the same way).
 *
 * @param storage - the lake
 * @throws LakeNotWritableError naming the cause, the lake and the path
 */
export async function checkLakeWritable(storage: LakeStorage): Promise<void> {
  if (storage.kind !== 'local') return;
  const dir = await storage.stagingDir();
  const probe = join(dir, 'write-probe');
  try {
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  } catch (err) {
    throw lakeFsError('writing', probe, storage.location, err);
  }
}
