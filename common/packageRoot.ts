import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `from` that holds a `package.json`.
 *
 * @param from - folder to start in
 * @returns the folder, or undefined when no folder up to the file system root has one
 */
export function findPackageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The repository root (the folder of gridstream's package.json), whether this module runs from source
 * (vitest, tsx) or compiled into `dist/` (the CLI): files the code reads at run time — `schemas/avro`,
 * `sql/`, the Glue bundle — stay in the source tree and are never copied into `dist/`, so paths to them
 * start here rather than at `import.meta.url`. The build writes no package.json into `dist/`. In a bundle
 * with no package.json above it (the Lambda functions, which read none of these files) it is the bundle's
 * own folder: importing must not fail there.
 */
export const PACKAGE_ROOT = findPackageRoot(here) ?? here;
