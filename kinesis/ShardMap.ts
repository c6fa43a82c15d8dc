import { hash } from 'node:crypto';
import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import type { Retrier } from '../common/retry/index.js';
import { classifyCallError } from './classifyCallError.js';
import { KinesisCallError } from './errors.js';
import { md5Words } from './md5Words.js';

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
  /** Each range's starting and ending hash keys as 32-bit words, most significant first (8 per range). */
  readonly #words: Uint32Array;
  readonly #cache = new Map<string, string | undefined>();

  /**
   * @param ranges - open shards (any order)
   */
  public constructor(ranges: readonly ShardRange[]) {
    this.#ranges = [...ranges].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
    this.#words = new Uint32Array(this.#ranges.length * 8);
    this.#ranges.forEach((r, i) => {
      for (let w = 0; w < 4; w++) {
        this.#words[i * 8 + w] = Number.parseInt(r.startingHashKey.slice(w * 8, w * 8 + 8), 16);
        this.#words[i * 8 + 4 + w] = Number.parseInt(r.endingHashKey.slice(w * 8, w * 8 + 8), 16);
      }
    });
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
    // Short ASCII keys (nearly all) are hashed in JavaScript: a native call costs more than MD5 of one block.
    const found = md5Words(partitionKey, KEY_WORDS)
      ? this.#find(KEY_WORDS)
      : this.#findHex(hashKeyOf(partitionKey));
    // Bounded: transaction keys (trade ids) never repeat for long.
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(partitionKey, found);
    return found;
  }

  /** The shard whose range holds a hash key given as four words, most significant first. */
  #find(key: Uint32Array): string | undefined {
    const words = this.#words;
    let lo = 0;
    let hi = this.#ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareWords(key, words, mid * 8) < 0) hi = mid - 1;
      else if (compareWords(key, words, mid * 8 + 4) > 0) lo = mid + 1;
      else return this.#ranges[mid]!.shardId;
    }
    return undefined;
  }

  /** The shard whose range holds a hash key given as 32 hex digits. */
  #findHex(h: string): string | undefined {
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
    return found;
  }
}

/** Scratch for a key's hash words (shardFor is synchronous). */
const KEY_WORDS = new Uint32Array(4);

/** Compares a 128-bit key (four words) with the four words of `words` at `at`: <0, 0 or >0. */
function compareWords(key: Uint32Array, words: Uint32Array, at: number): number {
  for (let i = 0; i < 4; i++) {
    const d = key[i]! - words[at + i]!;
    if (d !== 0) return d;
  }
  return 0;
}
