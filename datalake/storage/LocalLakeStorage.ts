import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeDirsDurably, renameDurably } from './atomicWrite.js';
import { KEY_LOCK, LAKE_SYSTEM_PREFIXES } from './constants.js';
import { StorageError } from './errors.js';
import { lakeFsError, makeDirs } from './fsErrors.js';
import { fsyncPath } from './fsyncPath.js';
import { isProcessAlive } from './isProcessAlive.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import type { LakeStorage, VersionedBytes } from './types.js';

/** A local file's version token: its inode and change time (a rename-into-place makes a new inode). */
function fileVersion(st: import('node:fs').BigIntStats): string {
  return `${st.ino}-${st.ctimeNs}-${st.size}`;
}

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

  public async publishFile(key: string, localPath: string): Promise<void> {
    assertValidKey(key);
    const target = join(this.location, key);
    try {
      await renameDurably(localPath, target, this.#knownDirs);
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

  public async getVersioned(key: string): Promise<VersionedBytes | undefined> {
    assertValidKey(key);
    const target = join(this.location, key);
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await open(target, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#wrap('reading', key, err);
    }
    try {
      // The handle pins one inode: content and version belong to the same write even if a rename
      // replaces the file meanwhile.
      const [st, body] = await Promise.all([fh.stat({ bigint: true }), fh.readFile()]);
      return { body, version: fileVersion(st) };
    } catch (err) {
      throw this.#wrap('reading', key, err);
    } finally {
      await fh.close();
    }
  }

  public async putIfVersion(
    key: string,
    body: Uint8Array,
    expected: string | null,
  ): Promise<string | undefined> {
    assertValidKey(key);
    const target = join(this.location, key);
    const staging = await this.stagingDir();
    const tmp = join(staging, `cas-${++this.#stagingCounter}.tmp`);
    try {
      await writeFile(tmp, body);
      await fsyncPath(tmp);
      await makeDirsDurably(dirname(target), this.#knownDirs);
      const unlock = await this.#lockKey(key);
      try {
        const current = await stat(target, { bigint: true }).then(
          fileVersion,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return null;
            throw err;
          },
        );
        if (current !== expected) return undefined;
        await rename(tmp, target);
        await fsyncPath(dirname(target));
        return fileVersion(await stat(target, { bigint: true }));
      } finally {
        await unlock();
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw this.#wrap('conditionally writing', target, err);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Takes the short lock that makes a conditional write's check and rename one step for every process
   * on this lake: a file created exclusively (`O_EXCL`) under `_tmp/locks/`, holding the pid. A lock
   * left by a process that died (kill -9 inside the few milliseconds it is held), or older than
   * {@link KEY_LOCK}.staleMs, is broken.
   *
   * @returns a function that releases the lock
   */
  async #lockKey(key: string): Promise<() => Promise<void>> {
    const dir = this.#locksDir();
    await makeDirs(dir);
    const path = join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
    const deadline = Date.now() + KEY_LOCK.waitMs;
    for (;;) {
      try {
        const fh = await open(path, 'wx');
        try {
          await fh.writeFile(String(process.pid));
        } finally {
          await fh.close();
        }
        return () => rm(path, { force: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Another process' close() removed the (then empty) folder: make it again.
        if (code === 'ENOENT') {
          await makeDirs(dir);
          continue;
        }
        if (code !== 'EEXIST') throw err;
      }
      const [text, st] = await Promise.all([
        readFile(path, 'utf8').catch(() => ''),
        stat(path).catch(() => undefined),
      ]);
      const pid = Number(text);
      const dead = Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid);
      if (dead || (st !== undefined && Date.now() - st.mtimeMs > KEY_LOCK.staleMs)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StorageError(
          `the lock ${path} for writing ${key} has been held by pid ${text || '?'} for over ${KEY_LOCK.waitMs} ms; ` +
            'if no gridstream process uses this lake, delete the file',
          { retriable: true },
        );
      }
      await sleep(KEY_LOCK.pollMs + Math.random() * KEY_LOCK.pollMs);
    }
  }

  #locksDir(): string {
    return join(this.location, LAKE_SYSTEM_PREFIXES.staging, 'locks');
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
    // Leaves no empty folder behind; fails harmlessly while another process holds a lock in it.
    await rmdir(this.#locksDir()).catch(() => undefined);
  }
}
