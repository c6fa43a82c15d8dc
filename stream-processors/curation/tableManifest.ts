import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../datalake/storage/index.js';
import { MANIFEST_FILE, VERSIONS_DIR } from './constants.js';
import { ManifestError } from './errors.js';
import type { TableManifest } from './types.js';

/**
 * Reads a table's manifest.
 *
 * @param tableDir - `<lake>/<zone>/<table>`
 * @returns the manifest, or undefined when the table was never published
 * @throws ManifestError when it exists but is not a manifest
 */
export async function readManifest(tableDir: string): Promise<TableManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(tableDir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ManifestError(`cannot read ${join(tableDir, MANIFEST_FILE)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const m = JSON.parse(text) as TableManifest;
    if (typeof m.version !== 'number' || typeof m.partitions !== 'object')
      throw new Error('not a table manifest');
    return m;
  } catch (err) {
    throw new ManifestError(
      `${join(tableDir, MANIFEST_FILE)} is not a table manifest: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Publishes a manifest: the atomic switch from a table's previous files to its new ones.
 *
 * @param tableDir - table root
 * @param manifest - the new manifest
 */
export async function writeManifest(tableDir: string, manifest: TableManifest): Promise<void> {
  const partitions = Object.fromEntries(
    Object.entries(manifest.partitions).sort(([a], [b]) => a.localeCompare(b)),
  );
  await writeFileAtomic(
    join(tableDir, MANIFEST_FILE),
    `${JSON.stringify({ ...manifest, partitions }, null, 2)}\n`,
  );
}

/**
 * Absolute paths of a manifest's data files.
 *
 * @param tableDir - table root
 * @param manifest - the manifest
 * @param dts - only these partitions (default all)
 */
export function manifestFiles(
  tableDir: string,
  manifest: TableManifest,
  dts?: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const [dt, p] of Object.entries(manifest.partitions)) {
    if (dts && !dts.has(dt)) continue;
    for (const f of p.files) out.push(join(tableDir, p.location, f.name));
  }
  return out.sort();
}

/**
 * Deletes what readers can no longer reach: superseded partition folders older than the retention,
 * and folders of runs that never published (a crash between writing and the manifest switch) once
 * they are older than the retention. Returns the manifest without the deleted superseded entries
 * (the caller writes it with its next publish).
 *
 * @param tableDir - table root
 * @param manifest - current manifest
 * @param nowMs - clock
 * @param retentionMs - how long a superseded folder is kept
 */
export async function collectGarbage(
  tableDir: string,
  manifest: TableManifest,
  nowMs: number,
  retentionMs: number,
): Promise<{ manifest: TableManifest; removed: number }> {
  let removed = 0;
  const keep: TableManifest['superseded'][number][] = [];
  for (const s of manifest.superseded) {
    if (nowMs - Date.parse(s.since) >= retentionMs) {
      await rm(join(tableDir, s.location), { recursive: true, force: true });
      removed++;
    } else keep.push(s);
  }
  const referenced = new Set<string>([
    ...Object.values(manifest.partitions).map((p) => p.location),
    ...keep.map((s) => s.location),
  ]);
  const versionsRoot = join(tableDir, VERSIONS_DIR);
  for (const run of await readdir(versionsRoot).catch(() => [] as string[])) {
    const runDir = join(versionsRoot, run);
    const parts = await readdir(runDir).catch(() => [] as string[]);
    let live = 0;
    for (const part of parts) {
      const location = `${VERSIONS_DIR}/${run}/${part}`;
      if (referenced.has(location)) {
        live++;
        continue;
      }
      const age = nowMs - ((await stat(join(runDir, part)).catch(() => undefined))?.mtimeMs ?? nowMs);
      if (age >= retentionMs) {
        await rm(join(runDir, part), { recursive: true, force: true });
        removed++;
      } else live++;
    }
    if (live === 0) await rm(runDir, { recursive: true, force: true });
  }
  return { manifest: { ...manifest, superseded: keep }, removed };
}
