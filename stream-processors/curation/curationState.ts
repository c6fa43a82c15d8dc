import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../datalake/storage/index.js';
import { isProcessAlive } from '../../datalake/storage/isProcessAlive.js';
import type { Dataset } from '../../schemas/index.js';
import { CURATION_PATHS, STATE_FORMAT } from './constants.js';
import { CurationLockedError, ManifestError } from './errors.js';
import type { RawPartition } from './rawFiles.js';

/**
 * `curated/_state/<dataset>.json`: what the last run saw of a dataset's raw zone. The watermark is
 * the newest raw partition hour seen; the fingerprints cover the partitions inside the lateness
 * window before it, so a late file there changes a fingerprint and its dt is re-curated.
 */
export interface DatasetState {
  readonly format: number;
  readonly dataset: Dataset;
  /** `<dt>T<hr>` of the newest raw partition seen, or null before the first run. */
  readonly watermark: string | null;
  /** Fingerprint by `<dt>T<hr>`. */
  readonly partitions: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

function statePath(lake: string, dataset: Dataset): string {
  return join(lake, CURATION_PATHS.state, `${dataset}.json`);
}

/**
 * Reads a dataset's state.
 *
 * @param lake - lake directory
 * @param dataset - dataset
 */
export async function readState(lake: string, dataset: Dataset): Promise<DatasetState> {
  try {
    const s = JSON.parse(await readFile(statePath(lake, dataset), 'utf8')) as DatasetState;
    return s;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        format: STATE_FORMAT,
        dataset,
        watermark: null,
        partitions: {},
        updatedAt: new Date(0).toISOString(),
      };
    }
    throw new ManifestError(`cannot read ${statePath(lake, dataset)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Writes a dataset's state (atomically: a crash leaves the previous state, and the next run redoes
 * the work, which is idempotent).
 *
 * @param lake - lake directory
 * @param state - new state
 */
export async function writeState(lake: string, state: DatasetState): Promise<void> {
  await writeFileAtomic(statePath(lake, state.dataset), `${JSON.stringify(state, null, 2)}\n`);
}

/** `<dt>T<hr>` shifted by whole hours. */
export function shiftHour(hour: string, hours: number): string {
  const t = Date.parse(`${hour}:00:00Z`) + hours * 3_600_000;
  return new Date(t).toISOString().slice(0, 13);
}

/** What changed in a dataset's raw zone since the last run. */
export interface RawChanges {
  /** dts to (re)curate. */
  readonly dts: ReadonlySet<string>;
  /** The state to write once the run has published. */
  readonly next: DatasetState;
  /** First hour listed (undefined: everything). */
  readonly fromHour: string | undefined;
}

/**
 * Compares the listed partitions with the state.
 *
 * @param state - previous state
 * @param partitions - partitions listed from `fromHour`
 * @param options - window, forced dts, clock
 */
export function detectChanges(
  state: DatasetState,
  partitions: readonly RawPartition[],
  options: {
    fromHour: string | undefined;
    since?: string;
    full?: boolean;
    latenessHours: number;
    nowMs: number;
  },
): RawChanges {
  const dts = new Set<string>();
  const listed = new Map(partitions.map((p) => [p.hour, p]));
  for (const p of partitions) {
    const forced = options.full || (options.since !== undefined && p.dt >= options.since);
    if (forced || state.partitions[p.hour] !== p.fingerprint) dts.add(p.dt);
  }
  for (const hour of Object.keys(state.partitions)) {
    // A partition that disappeared (deleted by hand) empties its dt's curated rows of that hour.
    if ((options.fromHour === undefined || hour >= options.fromHour) && !listed.has(hour))
      dts.add(hour.slice(0, 10));
  }
  const newest = partitions.reduce<string | null>(
    (m, p) => (m === null || p.hour > m ? p.hour : m),
    state.watermark,
  );
  const keepFrom = newest === null ? undefined : shiftHour(newest, -options.latenessHours);
  const fingerprints: Record<string, string> = {};
  for (const p of partitions)
    if (keepFrom === undefined || p.hour >= keepFrom) fingerprints[p.hour] = p.fingerprint;
  return {
    dts,
    fromHour: options.fromHour,
    next: {
      format: STATE_FORMAT,
      dataset: state.dataset,
      watermark: newest,
      partitions: fingerprints,
      updatedAt: new Date(options.nowMs).toISOString(),
    },
  };
}

/** A held lake lock. */
export interface LakeLock {
  release(): Promise<void>;
}

/**
 * Takes the lake's curation lock (`curated/_state/curation.lock`, created exclusively). A lock left
 * by a process of this host that is no longer alive is taken over.
 *
 * @param lake - lake directory
 * @param purpose - written into the lock for whoever finds it held
 * @throws CurationLockedError (retriable) when a live process holds it
 */
export async function acquireLock(lake: string, purpose: string): Promise<LakeLock> {
  const path = join(lake, CURATION_PATHS.lock);
  await mkdir(join(lake, CURATION_PATHS.state), { recursive: true });
  const body = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    purpose,
    since: new Date().toISOString(),
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(body);
      await fh.close();
      return {
        async release() {
          await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readFile(path, 'utf8').catch(() => '{}');
      let info: { pid?: number; host?: string } = {};
      try {
        info = JSON.parse(holder) as { pid?: number; host?: string };
      } catch {
        // A lock file being written right now: treat as held.
      }
      const stale = info.host === hostname() && typeof info.pid === 'number' && !isProcessAlive(info.pid);
      if (!stale || attempt > 0) throw new CurationLockedError(path, holder || 'unknown');
      await rm(path, { force: true });
    }
  }
  throw new CurationLockedError(path, 'unknown');
}
