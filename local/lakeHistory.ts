import { openDuckDb, sqlString } from '../datalake/duckdb/index.js';
import { RAW_ZONE } from '../datalake/layout.js';
import type { LakeStorage } from '../datalake/storage/index.js';
import { backfillEvents, batchStepMs, type EventGenerator } from '../producers/sources/index.js';
import type { Dataset, EventByDataset } from '../schemas/index.js';

const HOUR_MS = 3_600_000;

/**
 * How far a lake's raw zone already holds a dataset's simulated time: the newest `produced_at` (the
 * generators' batch time) in its newest `dt=/hr=` partition, or undefined for an empty dataset. A
 * backfill starts after it and a live producer never starts before it, so a second `up` or `seed` on
 * the same lake never sends a natural key again. On an `s3://` lake (no local DuckDB scan) the end of
 * the newest partition's hour is used instead.
 *
 * @param storage - the lake
 * @param dataset - dataset
 */
export async function lakeCoveredUntil(storage: LakeStorage, dataset: Dataset): Promise<number | undefined> {
  const prefix = `${RAW_ZONE}/${dataset}/`;
  let folders: string[];
  try {
    folders = await storage.listFolders(prefix);
  } catch (err) {
    // A raw zone that cannot be read as folders holds no history; delivery's first write names the
    // cause (as it did before backfills existed).
    if ((err as Error).name === 'LakeNotWritableError') return undefined;
    throw err;
  }
  const days = folders.filter((d) => d.startsWith('dt=')).sort();
  for (const day of days.reverse()) {
    const hours = (await storage.listFolders(`${prefix}${day}/`)).filter((h) => h.startsWith('hr=')).sort();
    const hour = hours.at(-1);
    if (hour === undefined) continue;
    const hourStart = Date.parse(`${day.slice(3)}T${hour.slice(3).padStart(2, '0')}:00:00Z`);
    const files = (await storage.list(`${prefix}${day}/${hour}/`)).filter((k) => k.endsWith('.parquet'));
    if (files.length === 0) continue;
    if (storage.kind !== 'local') return hourStart + HOUR_MS - 1;
    const db = await openDuckDb({ threads: 1 });
    try {
      const list = files.map((f) => sqlString(storage.urlFor(f))).join(', ');
      const [row] = await db.rows(
        `select epoch_ms(max(produced_at)) as t from read_parquet([${list}], union_by_name = true)`,
      );
      const t = row?.t;
      return t === null || t === undefined ? hourStart + HOUR_MS - 1 : Number(t);
    } finally {
      db.close();
    }
  }
  return undefined;
}

/**
 * The first batch start after a time: the next 5-minute step (grid), hour (weather), or the next
 * millisecond (transactions).
 *
 * @param dataset - dataset
 * @param timeMs - a time already covered
 */
export function nextBatchAfter(dataset: Dataset, timeMs: number): number {
  const step = batchStepMs(dataset);
  return step === undefined ? timeMs + 1 : (Math.floor(timeMs / step) + 1) * step;
}

/** A finite generator over a backfill, with its event count known before it is sent. */
export interface BackfillSource<D extends Dataset> {
  readonly generator: EventGenerator<D>;
  readonly count: number;
}

/**
 * The company-universe backfill of a dataset over [startMs, endMs) as a generator for `runProducer`
 * (with `count`: it sends exactly the backfill). Counting walks the range once more; the models are
 * pure functions, so both walks yield the same events.
 *
 * @param dataset - dataset
 * @param options - seed and range
 */
export function backfillSource<D extends Dataset>(
  dataset: D,
  options: { seed: number; startMs: number; endMs: number },
): BackfillSource<D> {
  let count = 0;
  for (const _ of backfillEvents(dataset, options)) count++;
  const iterator = backfillEvents(dataset, options)[Symbol.iterator]();
  return {
    count,
    generator: {
      dataset,
      next(): EventByDataset[D] {
        const r = iterator.next();
        if (r.done) throw new RangeError(`backfill of ${dataset} exhausted after ${count} events`);
        return r.value;
      },
    },
  };
}
