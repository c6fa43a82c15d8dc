import { KINESIS_SHARD_WRITE_LIMITS } from '../../kinesis/constants.js';
import type { ShardRange } from '../../kinesis/ShardMap.js';
import { hashKeyOf } from '../../kinesis/ShardMap.js';

/** Kinesis's write limits of one shard: 1 MiB/s and 1,000 records/s (PutRecord(s) quotas). */
export const SHARD_WRITE_LIMITS = KINESIS_SHARD_WRITE_LIMITS;

const HASH_SPACE = 1n << 128n;

/**
 * The hash key ranges of a stream created with `count` shards: Kinesis splits the 128-bit space into
 * equal ranges (the last one takes the remainder).
 *
 * @param count - shards
 * @param prefix - shard id prefix
 */
export function evenShardRanges(count: number, prefix = 'shardId-'): ShardRange[] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`shard count must be an integer >= 1, got ${count}`);
  const width = HASH_SPACE / BigInt(count);
  return Array.from({ length: count }, (_, i) => {
    const start = width * BigInt(i);
    const end = i === count - 1 ? HASH_SPACE - 1n : start + width - 1n;
    return {
      shardId: `${prefix}${String(i).padStart(12, '0')}`,
      startingHashKey: start.toString(16).padStart(32, '0'),
      endingHashKey: end.toString(16).padStart(32, '0'),
    };
  });
}

/** Load of one partition key. */
export interface KeyLoad {
  readonly key: string;
  /** User records per second. */
  readonly recordsPerSecond: number;
  /** Bytes per second (data + partition key). */
  readonly bytesPerSecond: number;
}

/** Input of {@link predictShardLoad}. */
export interface ShardModelInput {
  readonly ranges: readonly ShardRange[];
  /** Keys with their own load (settlement points, weather locations). */
  readonly keys?: readonly KeyLoad[];
  /**
   * Load spread over many random keys (trade ids): each shard gets the share of its hash range's width.
   */
  readonly uniform?: { readonly recordsPerSecond: number; readonly bytesPerSecond: number };
  /**
   * User records per Kinesis record after KPL aggregation (1: no aggregation). Aggregation packs only
   * records bound for the same shard, so it divides the record count, not the bytes. @default 1
   */
  readonly recordsPerKinesisRecord?: number;
  /**
   * KPL aggregation as the sink does it (replaces recordsPerKinesisRecord): per shard, aggregates of up to
   * `maxBytes` flushed at least every `lingerMs`, so a shard's Kinesis records per second are
   * max(1000 / lingerMs, bytes / maxBytes), never more than its user records.
   */
  readonly aggregation?: { readonly maxBytes: number; readonly lingerMs: number };
}

/** Predicted load of one shard. */
export interface ShardLoad {
  readonly shardId: string;
  readonly userRecordsPerSecond: number;
  /** Kinesis records per second (after aggregation), what the 1,000/s limit counts. */
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Keys of `keys` mapped here. */
  readonly keys: number;
  /** Highest of records/limit and bytes/limit: 1 = at the limit. */
  readonly utilisation: number;
  /** The limit nearest: records or bytes. */
  readonly limitedBy: 'records' | 'bytes';
  /** True when above a limit: AWS would throttle this shard. */
  readonly overLimit: boolean;
}

/** What {@link predictShardLoad} predicts. */
export interface ShardPrediction {
  readonly shards: readonly ShardLoad[];
  /** The busiest shard. */
  readonly hottest: string;
  /** Hottest shard's utilisation over the mean utilisation (1 = perfectly even). */
  readonly skew: number;
  /** Shards above a limit. */
  readonly overLimit: readonly string[];
  /**
   * Share of the stream's records that exceed their shard's capacity (what would be throttled and
   * retried at steady state): Σ max(0, records − capacity) / Σ records, capacity taken on the nearer limit.
   */
  readonly excessShare: number;
  /** Fewest shards that would carry the total load if it were spread evenly. */
  readonly shardsNeededEven: number;
}

/**
 * Predicts per-shard load from partition keys and hash ranges, the way Kinesis routes (MD5 of the key →
 * the shard whose range holds it), against {@link SHARD_WRITE_LIMITS}.
 *
 * @param input - shard ranges and the load by key
 * @example
 * ```ts
 * const p = predictShardLoad({ ranges: evenShardRanges(4), keys: [{ key: 'HB_NORTH', recordsPerSecond: 900, bytesPerSecond: 450_000 }] });
 * p.skew; // 4: one key puts everything on one of four shards
 * ```
 */
export function predictShardLoad(input: ShardModelInput): ShardPrediction {
  const ranges = [...input.ranges].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  if (ranges.length === 0) throw new RangeError('the shard model needs at least one shard range');
  const perRecord = input.recordsPerKinesisRecord ?? 1;
  if (!(perRecord >= 1)) throw new RangeError(`recordsPerKinesisRecord must be >= 1, got ${perRecord}`);
  const acc = ranges.map(() => ({ records: 0, bytes: 0, keys: 0 }));
  for (const k of input.keys ?? []) {
    const h = hashKeyOf(k.key);
    const i = ranges.findIndex((r) => h >= r.startingHashKey && h <= r.endingHashKey);
    if (i < 0)
      throw new RangeError(`partition key ${JSON.stringify(k.key)} (hash ${h}) falls in no shard range`);
    acc[i]!.records += k.recordsPerSecond;
    acc[i]!.bytes += k.bytesPerSecond;
    acc[i]!.keys++;
  }
  if (input.uniform) {
    for (const [i, r] of ranges.entries()) {
      const share =
        Number(BigInt(`0x${r.endingHashKey}`) - BigInt(`0x${r.startingHashKey}`) + 1n) / Number(HASH_SPACE);
      acc[i]!.records += input.uniform.recordsPerSecond * share;
      acc[i]!.bytes += input.uniform.bytesPerSecond * share;
    }
  }
  const shards: ShardLoad[] = ranges.map((r, i) => {
    const a = acc[i]!;
    const records = input.aggregation
      ? Math.min(a.records, Math.max(1000 / input.aggregation.lingerMs, a.bytes / input.aggregation.maxBytes))
      : a.records / perRecord;
    const byRecords = records / SHARD_WRITE_LIMITS.recordsPerSecond;
    const byBytes = a.bytes / SHARD_WRITE_LIMITS.bytesPerSecond;
    const utilisation = Math.max(byRecords, byBytes);
    return {
      shardId: r.shardId,
      userRecordsPerSecond: a.records,
      recordsPerSecond: records,
      bytesPerSecond: a.bytes,
      keys: a.keys,
      utilisation,
      limitedBy: byBytes > byRecords ? 'bytes' : 'records',
      overLimit: utilisation > 1,
    };
  });
  const totalUser = shards.reduce((s, x) => s + x.userRecordsPerSecond, 0);
  const excess = shards.reduce(
    (s, x) => s + (x.utilisation > 1 ? x.userRecordsPerSecond * (1 - 1 / x.utilisation) : 0),
    0,
  );
  const mean = shards.reduce((s, x) => s + x.utilisation, 0) / shards.length;
  const hottest = shards.reduce((best, x) => (x.utilisation > best.utilisation ? x : best), shards[0]!);
  const totalUtil = Math.max(
    shards.reduce((s, x) => s + x.recordsPerSecond, 0) / SHARD_WRITE_LIMITS.recordsPerSecond,
    shards.reduce((s, x) => s + x.bytesPerSecond, 0) / SHARD_WRITE_LIMITS.bytesPerSecond,
  );
  return {
    shards,
    hottest: hottest.shardId,
    skew: mean > 0 ? hottest.utilisation / mean : 1,
    overLimit: shards.filter((x) => x.overLimit).map((x) => x.shardId),
    excessShare: totalUser > 0 ? excess / totalUser : 0,
    shardsNeededEven: Math.max(1, Math.ceil(totalUtil)),
  };
}

/**
 * Spreads a rate evenly over named partition keys.
 *
 * @param keys - partition keys (e.g. the settlement points of the catalogue)
 * @param recordsPerSecond - total user records per second
 * @param eventBytes - mean bytes per record
 */
export function evenKeyLoads(
  keys: readonly string[],
  recordsPerSecond: number,
  eventBytes: number,
): KeyLoad[] {
  const each = recordsPerSecond / keys.length;
  return keys.map((key) => ({
    key,
    recordsPerSecond: each,
    bytesPerSecond: each * (eventBytes + Buffer.byteLength(key)),
  }));
}

/** A shard's prediction beside the throttles the run saw on it. */
export interface ShardComparison {
  readonly shardId: string;
  readonly predictedUtilisation: number;
  readonly predictedThrottling: boolean;
  readonly throttles: number;
  /** True when prediction and observation agree (throttled iff predicted over the limit). */
  readonly agrees: boolean;
}

/**
 * Compares the prediction with the throttles seen per shard after the run.
 *
 * @param prediction - from {@link predictShardLoad}
 * @param throttlesByShard - ProvisionedThroughputExceeded entries per shard id
 */
export function compareWithThrottles(
  prediction: ShardPrediction,
  throttlesByShard: Readonly<Record<string, number>>,
): ShardComparison[] {
  return prediction.shards.map((s) => {
    const throttles = throttlesByShard[s.shardId] ?? 0;
    return {
      shardId: s.shardId,
      predictedUtilisation: s.utilisation,
      predictedThrottling: s.overLimit,
      throttles,
      agrees: s.overLimit === throttles > 0,
    };
  });
}

/** The shard model's prediction beside what a run saw (summary.json `shards.<dataset>.observed`). */
export interface ShardObservation {
  /** User records the sinks were throttled on (every attempt counted), all shards together. */
  readonly throttles: number;
  /**
   * Per shard, when the target counted throttles per shard (the embedded emulator with
   * `enforce_shard_limits`): its throttled Kinesis records beside the prediction.
   */
  readonly byShard?: readonly ShardComparison[];
  /**
   * The prediction held: per shard when known (throttled iff predicted over a limit), else for the
   * stream (throttled at all iff some shard was predicted over a limit).
   */
  readonly agrees: boolean;
}

/**
 * What a run saw beside what the shard model predicted for one stream.
 *
 * @param prediction - from {@link predictShardLoad}
 * @param throttles - user records the sinks counted as throttled
 * @param throttlesByShard - throttled Kinesis records by shard id, when the target counts them
 */
export function observeShards(
  prediction: ShardPrediction,
  throttles: number,
  throttlesByShard?: Readonly<Record<string, number>>,
): ShardObservation {
  if (throttlesByShard === undefined) {
    return { throttles, agrees: prediction.overLimit.length > 0 === throttles > 0 };
  }
  const byShard = compareWithThrottles(prediction, throttlesByShard);
  return { throttles, byShard, agrees: byShard.every((s) => s.agrees) };
}
