// A lake of one simulated day, built from the generators straight into the raw zone's layout with
// delivery's own Parquet writer and object names (what `gridstream up` would have written): the events
// of `backfillEvents` — what `gridstream seed` and `up`'s backfill deliver (company universe, daily
// scarcity, price corrections).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dataObjectKey } from '../../datalake/objectNames.js';
import { backfillEvents } from '../../producers/sources/index.js';
import { contractFor, type Dataset, type EventByDataset, partitionTimeOf } from '../../schemas/index.js';
import { ParquetWriter } from '../../stream-processors/delivery/index.js';

const HOUR = 3_600_000;

/** The events a seeded lake holds, per dataset, for the oracle. */
export interface SeededEvents {
  readonly grid: EventByDataset['grid'][];
  readonly weather: EventByDataset['weather'][];
  readonly transactions: EventByDataset['transactions'][];
}

/** How to seed. */
export interface SeedOptions {
  /** End of the simulated range (exclusive), epoch ms: a backfill ends at now. */
  readonly endMs: number;
  /** Hours of history. @default 24 */
  readonly hours?: number;
  /** Generator seed. @default 1 */
  readonly seed?: number;
}

/** The events of one seeded range (pure: the same options give the same events). */
export function seededEvents(options: SeedOptions): SeededEvents {
  const endMs = options.endMs;
  const startMs = endMs - (options.hours ?? 24) * HOUR;
  const common = { seed: options.seed ?? 1, startMs, endMs };
  return {
    grid: [...backfillEvents('grid', common)],
    weather: [...backfillEvents('weather', common)],
    transactions: [...backfillEvents('transactions', common)],
  };
}

/**
 * Writes events into `<lake>/raw/<dataset>/dt=…/hr=…/` as delivery does: one Parquet object per
 * partition hour, named like a delivery batch.
 *
 * @param lake - lake folder
 * @param dataset - dataset
 * @param events - contract-valid events
 * @param shard - shard id in the object names (another value writes other objects)
 */
export async function writeRawZone<D extends Dataset>(
  lake: string,
  dataset: D,
  events: readonly EventByDataset[D][],
  shard = 'shardId-000000000000',
): Promise<number> {
  const contract = contractFor(dataset);
  const hours = new Map<number, string[]>();
  for (const e of events) {
    const hour = Math.floor(partitionTimeOf(dataset, e) / HOUR) * HOUR;
    if (!hours.has(hour)) hours.set(hour, []);
    hours.get(hour)!.push(`${JSON.stringify(e)}\n`);
  }
  const writer = await ParquetWriter.create({ concurrency: 1, threads: 1 });
  let sequence = 0;
  try {
    for (const [hour, lines] of [...hours].sort((a, b) => a[0] - b[0])) {
      const first = sequence + 1;
      sequence += lines.length;
      const key = dataObjectKey(dataset, hour, {
        stream: `gridstream-${dataset}`,
        shardId: shard,
        firstSequenceNumber: String(first).padStart(20, '0'),
        lastSequenceNumber: String(sequence).padStart(20, '0'),
        firstArrivalMs: hour,
      });
      const path = join(lake, key);
      await mkdir(dirname(path), { recursive: true });
      const encoder = new TextEncoder();
      await writer.writeLines(
        contract,
        lines.map((l) => encoder.encode(l)),
        path,
      );
    }
  } finally {
    writer.close();
  }
  return hours.size;
}

/** Seeds every dataset; returns the events written. */
export async function seedLake(lake: string, options: SeedOptions): Promise<SeededEvents> {
  const events = seededEvents(options);
  await writeRawZone(lake, 'grid', events.grid);
  await writeRawZone(lake, 'weather', events.weather);
  await writeRawZone(lake, 'transactions', events.transactions);
  return events;
}
