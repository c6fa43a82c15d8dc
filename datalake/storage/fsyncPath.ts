import { open } from 'node:fs/promises';

/**
 * Flushes a file, or a directory's entries (after a create or rename in it), to stable storage.
 *
 * @param path - the file or directory
 */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
