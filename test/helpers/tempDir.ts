import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A fresh directory under the OS temp dir. Created inside a test, it is removed when the test
 * finishes; created in a hook (`beforeAll`…), the caller removes it.
 *
 * @param prefix - readable part of the name
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gridstream-${prefix}-`));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // Not inside a test: the caller's afterAll removes it.
  }
  return dir;
}
