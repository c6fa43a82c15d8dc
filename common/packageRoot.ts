import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `from` that holds a `package.json`.
 *
 * @param from - folder to start in
 * @throws Error when no folder up to the file system root has one
 */
export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${from} or any folder above it`);
  }
}

/**
 * The repository root (the folder of gridstream's package.json), whether this module runs from source
 * (vitest, tsx) or compiled into `dist/` (the CLI): files the code reads at run time — `schemas/avro`,
 * `sql/`, the Glue bundle — stay in the source tree and are never copied into `dist/`, so paths to them
 * start here rather than at `import.meta.url`. The build writes no package.json into `dist/`.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
