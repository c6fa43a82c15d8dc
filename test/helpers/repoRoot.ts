import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (test processes run from it, but child processes get it explicitly). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
