import { SINK_DEFAULTS } from '../../producers/kinesis/constants.js';
import { LOAD_ZONES, SETTLEMENT_POINTS, WEATHER_LOCATIONS } from '../../producers/sources/ercotCatalog.js';
import type { Dataset } from '../../schemas/index.js';
import { RateProfile } from '../profile/RateProfile.js';
import type { DatasetLoad, Scenario } from '../scenario/types.js';
import { type CostEstimate, estimateCost, type PriceTable } from './costModel.js';
import {
  evenKeyLoads,
  evenShardRanges,
  type KeyLoad,
  predictShardLoad,
  type ShardPrediction,
} from './shardModel.js';

/** Mean JSON bytes per event assumed before a run measures them (a scenario's `event_bytes` overrides). */
export const DEFAULT_EVENT_BYTES = { grid: 520, weather: 700, transactions: 600 } as const satisfies Record<
  Dataset,
  number
>;

/** Consumers reading each whole stream on AWS: Firehose, plus the alert consumer on grid and transactions. */
export const STREAM_READERS = { grid: 2, weather: 1, transactions: 2 } as const satisfies Record<
  Dataset,
  number
>;

/** The curation job as the CDK app schedules it: hourly, 2 G.1X workers (2 DPU), ~6 minutes a run. */
export const CURATION_RUN = { dpus: 2, minutesPerRun: 6 } as const;

/** Highest asked rate of a profile: at a segment end or start (rates are linear within segments). */
export function peakRate(profile: RateProfile): number {
  return profile.segments.reduce((m, s) => Math.max(m, s.fromRate, s.toRate), 0);
}

/**
 * The partition keys a dataset's events spread over, weighted as the scenario asks: grid prices over the
 * catalogue's settlement points and system conditions over its load zones (in the `mix` shares), weather
 * over its locations; transactions (random trade ids) are `uniform`. A scenario's `partition_keys`
 * replaces the catalogue with that many synthetic keys.
 *
 * @param dataset - dataset
 * @param load - its load in the scenario
 * @param rate - events per second to spread
 */
export function datasetKeyLoads(
  dataset: Dataset,
  load: DatasetLoad,
  rate: number,
): { keys: KeyLoad[]; uniform?: { recordsPerSecond: number; bytesPerSecond: number } } {
  const bytes = load.eventBytes ?? DEFAULT_EVENT_BYTES[dataset];
  if (load.partitionKeys !== undefined) {
    const names = Array.from({ length: load.partitionKeys }, (_, i) => `${dataset}-key-${i}`);
    return { keys: evenKeyLoads(names, rate, bytes) };
  }
  switch (dataset) {
    case 'grid': {
      const conditions =
        load.mix?.SYSTEM_CONDITIONS ?? LOAD_ZONES.length / (LOAD_ZONES.length + SETTLEMENT_POINTS.length);
      return {
        keys: [
          ...evenKeyLoads(
            SETTLEMENT_POINTS.map((p) => p.name),
            rate * (1 - conditions),
            bytes,
          ),
          ...evenKeyLoads(
            LOAD_ZONES.map((z) => z.zone),
            rate * conditions,
            bytes,
          ),
        ].filter((k) => k.recordsPerSecond > 0),
      };
    }
    case 'weather':
      return {
        keys: evenKeyLoads(
          WEATHER_LOCATIONS.map((l) => l.id),
          rate,
          bytes,
        ),
      };
    default:
      return { keys: [], uniform: { recordsPerSecond: rate, bytesPerSecond: rate * (bytes + 36) } };
  }
}

/** KPL aggregation as the sink's defaults do it (50 KiB aggregates, flushed every 100 ms). */
export const SINK_AGGREGATION = {
  maxBytes: SINK_DEFAULTS.maxAggregatedBytes,
  lingerMs: SINK_DEFAULTS.lingerMs,
} as const;

/**
 * Per-dataset shard predictions at each profile's peak rate, on `target.shards` even shards (1 when not
 * given).
 *
 * @param scenario - a loaded scenario
 * @param aggregate - the sink aggregates (its default); false predicts one Kinesis record per event
 */
export function scenarioShardPredictions(
  scenario: Scenario,
  aggregate = true,
): Partial<Record<Dataset, ShardPrediction>> {
  const out: Partial<Record<Dataset, ShardPrediction>> = {};
  for (const [dataset, load] of Object.entries(scenario.datasets) as [Dataset, DatasetLoad][]) {
    const { keys, uniform } = datasetKeyLoads(dataset, load, peakRate(new RateProfile(load.profile)));
    out[dataset] = predictShardLoad({
      ranges: evenShardRanges(scenario.target.shards ?? 1),
      keys,
      ...(uniform ? { uniform } : {}),
      ...(aggregate ? { aggregation: SINK_AGGREGATION } : {}),
    });
  }
  return out;
}

/**
 * Events per Kinesis record the sink's aggregation reaches on average: full 50 KiB aggregates when the
 * rate per shard fills them within the 100 ms linger, else what one linger collects.
 *
 * @param meanRate - events per second of the stream
 * @param shards - shards of the stream
 * @param eventBytes - mean bytes per event
 */
export function eventsPerAggregate(meanRate: number, shards: number, eventBytes: number): number {
  const full = Math.floor(SINK_AGGREGATION.maxBytes / eventBytes);
  const perLinger = (meanRate / shards) * (SINK_AGGREGATION.lingerMs / 1000);
  return Math.max(1, Math.min(full, perLinger));
}

/**
 * Prices a scenario's whole profile on AWS: its events and peaks per stream, the hourly curation run pro rata, the scenario's probe queries (10 MB minimum each).
 *
 * @param scenario - a loaded scenario
 * @param prices - the price table
 * @param aggregate - the sink aggregates (its default); false prices one Kinesis record per event
 */
export function scenarioCost(scenario: Scenario, prices: PriceTable, aggregate = true): CostEstimate {
  const profiles = Object.entries(scenario.datasets).map(
    ([d, load]) => [d as Dataset, load, new RateProfile(load.profile)] as const,
  );
  const hours = Math.max(...profiles.map(([, , p]) => p.durationMs)) / 3_600_000;
  return estimateCost(
    {
      hours,
      kinesisMode: scenario.cost.kinesisMode,
      streams: profiles.map(([dataset, load, p]) => ({
        dataset,
        events: p.totalEvents,
        peakEventsPerSecond: peakRate(p),
        eventBytes: load.eventBytes ?? DEFAULT_EVENT_BYTES[dataset],
        eventsPerKinesisRecord: aggregate
          ? eventsPerAggregate(
              p.totalEvents / (p.durationMs / 1000),
              scenario.target.shards ?? 1,
              load.eventBytes ?? DEFAULT_EVENT_BYTES[dataset],
            )
          : 1,
        readers: STREAM_READERS[dataset],
        ...(scenario.target.shards === undefined ? {} : { shards: scenario.target.shards }),
      })),
      glue: [{ job: 'curate (hourly, pro rata)', runs: hours, ...CURATION_RUN }],
      athena: { queries: Math.ceil(scenario.cost.probeQueriesPerHour * hours), bytesPerQuery: 0 },
    },
    prices,
  );
}
