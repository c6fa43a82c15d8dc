import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LAKE_SYSTEM_PREFIXES } from './constants.js';
import type { StorageError } from './errors.js';
import { lakeFsError, makeDirs } from './fsErrors.js';
import { fsyncPath } from './fsyncPath.js';
import { isProcessAlive } from './isProcessAlive.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import type { LakeStorage } from './types.js';

/**
 * A lake in a local directory. Objects are published with write-to-staging, `fsync`, `rename` into
 * place and an `fsync` of the target directory (and of every directory it had to create), so an
 * object is either absent or complete and durable, even after `kill -9` or a power cut.
 *
 * @example
 * ```ts
 * const lake = new LocalLakeStorage('./lake');
 * await lake.putBytes('raw/grid/_probe', new TextEncoder().encode('ok'));
 * ```
 */
export class LocalLakeStorage implements LakeStorage {
  public readonly kind = 'local' as const;
  public readonly location: string;
  readonly #knownDirs = new Set<string>();
  #staging: Promise<string> | undefined;
  #stagingCounter = 0;

  /**
   * @param dir - the lake directory (created on first write)
   */
  public constructor(dir: string) {
    this.location = resolve(dir);
  }

  #wrap(op: string, target: string, err: unknown): StorageError {
    return lakeFsError(op, target, this.location, err);
  }

  public stagingDir(): Promise<string> {
    this.#staging ??= this.#createStaging().catch((err: unknown) => {
      // Not cached: a later call tries again (and names the cause again).
      this.#staging = undefined;
      throw this.#wrap('creating the staging folder in', this.location, err);
    });
    return this.#staging;
  }

  async #createStaging(): Promise<string> {
    const root = join(this.location, LAKE_SYSTEM_PREFIXES.staging);
    await makeDirs(root);
    // Staging folders are named <pid>-<random>; those of processes that died (kill -9) are debris.
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const pid = Number(name.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid)) {
        await rm(join(root, name), { recursive: true, force: true });
      }
    }
    const dir = join(root, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir);
    return dir;
  }

  /** Creates `dir` and any missing ancestors, fsyncing each parent whose entries changed. */
  async #ensureDir(dir: string): Promise<void> {
    if (this.#knownDirs.has(dir)) return;
    for (const m of await makeDirs(dir)) await fsyncPath(dirname(m));
    this.#knownDirs.add(dir);
  }

  public async publishFile(key: string, localPath: string): Promise<void> {
    assertValidKey(key);
    const target = join(this.location, key);
    try {
      await fsyncPath(localPath);
      const dir = dirname(target);
      await this.#ensureDir(dir);
      await rename(localPath, target);
      await fsyncPath(dir);
    } catch (err) {
      throw this.#wrap('publishing', target, err);
    }
  }

  public async putBytes(key: string, body: Uint8Array): Promise<void> {
    assertValidKey(key);
    const staging = await this.stagingDir();
    const tmp = join(staging, `put-${++this.#stagingCounter}.tmp`);
    try {
      await writeFile(tmp, body);
    } catch (err) {
      throw this.#wrap('writing', tmp, err);
    }
    await this.publishFile(key, tmp);
  }

  public async getBytes(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    try {
      return await readFile(join(this.location, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#wrap('reading', key, err);
    }
  }

  public async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(join(this.location, rel), { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw this.#wrap('listing', rel, err);
      }
      for (const e of entries) {
        const key = `${rel}${e.name}`;
        if (rel === '' && `${e.name}/` === LAKE_SYSTEM_PREFIXES.staging) continue;
        if (e.isDirectory()) await walk(`${key}/`);
        else if (e.isFile()) out.push(key);
      }
    };
    await walk(prefix);
    return out.sort();
  }

  public async listFolders(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    try {
      const entries = await readdir(join(this.location, prefix), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.#wrap('listing', prefix, err);
    }
  }

  public urlFor(key: string): string {
    return join(this.location, key);
  }

  public async close(): Promise<void> {
    const staging = this.#staging;
    this.#staging = undefined;
    if (staging) await rm(await staging, { recursive: true, force: true });
  }
}
