import { constants } from 'node:fs';
import { access, mkdtemp, readdir, rm, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../datalake/storage/index.js';

/** Linux's memory-backed file system for shared memory, present on common distributions. */
const MEMORY_BACKED_DIR = '/dev/shm';
const PREFIX = 'gridstream-delivery-';
/**
 * Free space the memory-backed folder must have to be used: containers often give `/dev/shm` only 64 MB,
 * too little for a few batches at a large `--buffer-size`.
 */
const MIN_FREE_BYTES = 512 * 1024 * 1024;

async function usableDir(dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
    await access(dir, constants.W_OK);
    const fs = await statfs(dir);
    return fs.bavail * fs.bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/**
 * Creates the folder where delivery hands DuckDB each batch as NDJSON. The file lives only until
 * DuckDB has turned it into Parquet and is never needed after a crash (the batch is read again from
 * Kinesis), so it goes to memory (`/dev/shm`) where the system has it with 512 MiB free: writing
 * ~8 MiB per batch to disk only to delete it competed with the fsyncs that make objects and
 * checkpoints durable. Elsewhere it falls back to the OS temp folder. Folders left by processes that died are removed;
 * the caller removes its own when done.
 *
 * @param base - parent folder; default `/dev/shm` when writable with 512 MiB free, else the OS temp folder
 * @returns the new folder's path
 */
export async function createScratchDir(base?: string): Promise<string> {
  const parent = base ?? ((await usableDir(MEMORY_BACKED_DIR)) ? MEMORY_BACKED_DIR : tmpdir());
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid)) {
      await rm(join(parent, name), { recursive: true, force: true });
    }
  }
  return mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
}
