import { hash } from 'node:crypto';
import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import type { Retrier } from '../retry/index.js';
import { classifyCallError } from './classifyCallError.js';
import { KinesisCallError } from './errors.js';

/** One open shard and its hash key range, as 32-digit lowercase hex (compares like the number). */
export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

const CACHE_LIMIT = 100_000;

function toHex128(decimal: string): string {
  return BigInt(decimal).toString(16).padStart(32, '0');
}

/**
 * The 128-bit hash key Kinesis derives from a partition key (MD5 of its UTF-8 bytes), as 32 hex digits.
 *
 * @param partitionKey - a partition key
 */
export function hashKeyOf(partitionKey: string): string {
  return hash('md5', partitionKey, 'hex');
}

/**
 * The open shards of a stream by hash key range, the way KPL predicts shards: MD5 of the partition key
 * → 128-bit number → the shard whose range holds it. Lets the sink aggregate only user records bound for
 * the same shard, so each user record lands on the shard its own key maps to.
 */
export class ShardMap {
  readonly #ranges: readonly ShardRange[];
  readonly #cache = new Map<string, string | undefined>();

  /**
   * @param ranges - open shards (any order)
   */
  public constructor(ranges: readonly ShardRange[]) {
    this.#ranges = [...ranges].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  }

  /**
   * Lists the stream's shards (ListShards, every page) and keeps the open ones.
   *
   * @param client - Kinesis client
   * @param streamName - stream name
   * @param retry - the retrier (throttled or failing ListShards calls are retried)
   */
  public static async load(client: KinesisClient, streamName: string, retry: Retrier): Promise<ShardMap> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await retry(async (bail) => {
        try {
          return await client.send(
            new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }),
          );
        } catch (err) {
          const e = classifyCallError('ListShards', err);
          if (!e.retriable) bail(e);
          throw e;
        }
      });
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const open = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
    if (open.length === 0) {
      throw new KinesisCallError('ListShards', 'NoOpenShards', {
        retriable: true,
        throttled: false,
        cause: new Error(`stream ${streamName} has no open shard`),
      });
    }
    return new ShardMap(
      open.map((s) => ({
        shardId: s.ShardId!,
        startingHashKey: toHex128(s.HashKeyRange!.StartingHashKey!),
        endingHashKey: toHex128(s.HashKeyRange!.EndingHashKey!),
      })),
    );
  }

  /** Number of open shards. */
  public get size(): number {
    return this.#ranges.length;
  }

  /** The open shards, by starting hash key. */
  public get ranges(): readonly ShardRange[] {
    return this.#ranges;
  }

  /**
   * The shard a partition key maps to, or undefined when the key falls in no open shard's range
   * (a resharding in progress).
   *
   * @param partitionKey - a partition key
   */
  public shardFor(partitionKey: string): string | undefined {
    const cached = this.#cache.get(partitionKey);
    if (cached !== undefined) return cached;
    const h = hashKeyOf(partitionKey);
    let lo = 0;
    let hi = this.#ranges.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.#ranges[mid]!;
      if (h < r.startingHashKey) hi = mid - 1;
      else if (h > r.endingHashKey) lo = mid + 1;
      else {
        found = r.shardId;
        break;
      }
    }
    // Bounded: transaction keys (trade ids) never repeat for long.
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(partitionKey, found);
    return found;
  }
}
