import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory under the OS temp dir.
 *
 * @param prefix - readable part of the name
 */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gridstream-${prefix}-`));
}
