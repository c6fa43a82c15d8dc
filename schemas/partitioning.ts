import { EVENT_TIME_FIELD } from './constants.js';
import { type Dataset, partitionOf } from './contracts.js';

/**
 * The fields whose value chooses an event's lake partition (`dt`/`hr`, UTC), per dataset: the first
 * of them that is not null. Grid and transactions: `event_time`. Weather: `forecast_issued_at`, else
 * `event_time` — a forecast poll covers many hours ahead (its `event_time`s) but is issued at one
 * instant, so partitioning by issue time keeps one poll (one delivery flush) in one partition instead
 * of one small file per hour ahead, and keeps Firehose's dynamic partitioning under its
 * active-partition limit. Observations (no issue time) fall back to `event_time`.
 *
 * The local delivery ({@link partitionTimeOf}), Firehose's JQ query (infra/lib/lake/layout.ts) and
 * the quality rule `event_in_its_partition` (sql/curated/quality_rules.json) all follow this table;
 * test/infra/layout.test.ts checks the first two agree.
 */
export const PARTITION_TIME_FIELDS: { readonly [D in Dataset]: readonly string[] } = {
  grid: [EVENT_TIME_FIELD],
  weather: ['forecast_issued_at', EVENT_TIME_FIELD],
  transactions: [EVENT_TIME_FIELD],
};

/**
 * The time (epoch ms) that chooses an event's partition: the first non-null field of
 * {@link PARTITION_TIME_FIELDS} (a valid event always has `event_time`).
 *
 * @param dataset - the event's dataset
 * @param event - the decoded event
 * @example
 * ```ts
 * partitionTimeOf('weather', { event_time: t, forecast_issued_at: issued }); // issued
 * ```
 */
export function partitionTimeOf(dataset: Dataset, event: object): number {
  const fields = event as Readonly<Record<string, unknown>>;
  for (const f of PARTITION_TIME_FIELDS[dataset]) {
    const v = fields[f];
    if (typeof v === 'number') return v;
  }
  return Number(fields[EVENT_TIME_FIELD]);
}

/**
 * The `dt`/`hr` partition of an event, by its dataset's rule ({@link PARTITION_TIME_FIELDS}).
 *
 * @param dataset - the event's dataset
 * @param event - the decoded event
 */
export function eventPartition(dataset: Dataset, event: object): { dt: string; hr: string } {
  return partitionOf(partitionTimeOf(dataset, event));
}
