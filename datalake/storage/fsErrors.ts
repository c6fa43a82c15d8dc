import { statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FATAL_FS_CODES, RETRIABLE_FS_CODES } from './constants.js';
import { LakeNotWritableError, StorageError } from './errors.js';

/**
 * Turns a failed filesystem call on a local lake into a storage error: a `LakeNotWritableError` naming
 * the cause in words for the codes after which nothing written can succeed (read-only, no space,
 * permission, a file where a folder must be), else a `StorageError`, retriable for the transient codes.
 *
 * @param op - what was done, e.g. `publishing`
 * @param target - the path it was done on
 * @param lake - the lake's location
 * @param err - the error thrown
 */
export function lakeFsError(op: string, target: string, lake: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.code;
  if (code !== undefined && Object.hasOwn(FATAL_FS_CODES, code)) {
    const words = FATAL_FS_CODES[code as keyof typeof FATAL_FS_CODES];
    const at = e.path ?? target;
    // ENOTDIR names whatever path the call used; the cause is the file standing in it: name that.
    const where = code === 'ENOTDIR' ? (fileInTheWay(at) ?? at) : at;
    return new LakeNotWritableError(lake, where, code, words, err);
  }
  return new StorageError(`${op} ${target} failed: ${e.message}`, {
    retriable: code !== undefined && RETRIABLE_FS_CODES.has(code),
    cause: err,
  });
}

/**
 * The file that stands where a folder of `path` must be: the nearest existing ancestor of `path` (or
 * `path` itself) when it is not a folder; undefined when that ancestor is a folder.
 *
 * @param path - a path an `ENOTDIR` error named
 */
function fileInTheWay(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? undefined : p;
    } catch {
      // Missing, or below the file: go up.
    }
    if (dirname(p) === p) return undefined;
  }
}

/**
 * Creates `dir` and its missing ancestors one level at a time, and returns the folders it created
 * (outermost first). Node's `mkdir({ recursive: true })` reports a read-only filesystem as `ENOENT`
 * ("no such file or directory, mkdir '<lake>/_tmp/'"); creating each level itself surfaces the real
 * code (`EROFS`, `EACCES`, `ENOTDIR`, …).
 *
 * @param dir - the folder to create
 * @throws the filesystem error of the first level that could not be created; `ENOTDIR` when a file
 *   stands where a folder must be
 */
export async function makeDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let d = dir;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await stat(d)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up; walk on to name that file, not the folder below it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      missing.push(d);
      const parent = dirname(d);
      if (parent === d) break;
      d = parent;
      continue;
    }
    if (!isDir) throw notADirectory(d);
    break;
  }
  missing.reverse();
  for (const m of missing) {
    try {
      await mkdir(m);
    } catch (err) {
      // Created meanwhile by another writer: fine if it is a folder.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(m)).isDirectory()) throw err;
    }
  }
  return missing;
}

function notADirectory(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {
    code: 'ENOTDIR',
    errno: -20,
    syscall: 'mkdir',
    path,
  });
}
