import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MD5_ONE_BLOCK_MAX, md5Words } from '../../kinesis/md5Words.js';
import { hashKeyOf, ShardMap, type ShardRange } from '../../kinesis/ShardMap.js';

/** A deterministic PRNG, so that a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const hexOf = (words: Uint32Array) => [...words].map((w) => w.toString(16).padStart(8, '0')).join('');

describe('md5Words', () => {
  it('gives the native MD5 of every short ASCII string, each length up to one block', () => {
    // Prepare
    const random = prng(7);
    const out = new Uint32Array(4);
    const mismatches: string[] = [];
    // Act
    for (let i = 0; i < 20_000; i++) {
      const length = i % (MD5_ONE_BLOCK_MAX + 1);
      const text = Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 0x80))).join('');
      // Assess
      expect(md5Words(text, out)).toBe(true);
      if (hexOf(out) !== hash('md5', text, 'hex')) mismatches.push(text);
    }
    expect(mismatches).toEqual([]);
  });

  it('declines strings that are too long or not ASCII, leaving the output alone', () => {
    const out = Uint32Array.of(1, 2, 3, 4);
    for (const text of ['x'.repeat(MD5_ONE_BLOCK_MAX + 1), 'Zürich', 'key-\u0080', '\ud83d\ude00']) {
      expect(md5Words(text, out)).toBe(false);
    }
    expect([...out]).toEqual([1, 2, 3, 4]);
  });
});

describe('ShardMap.shardFor', () => {
  /** Routing by the 32-hex-digit hash key, as Kinesis documents it. */
  function referenceShard(ranges: readonly ShardRange[], key: string): string | undefined {
    const h = hashKeyOf(key);
    return ranges.find((r) => r.startingHashKey <= h && h <= r.endingHashKey)?.shardId;
  }

  it.each([1, 2, 5, 16])('routes like the hash key ranges, %i shards with uneven bounds', (shards) => {
    // Prepare: random split points, and keys landing exactly on the bounds' prefixes
    const random = prng(shards);
    const hex = (n: bigint) => n.toString(16).padStart(32, '0');
    const cuts = Array.from({ length: shards - 1 }, () => BigInt(Math.floor(random() * 2 ** 52)) << 76n).sort(
      (a, b) => (a < b ? -1 : 1),
    );
    const bounds = [0n, ...cuts, 2n ** 128n];
    const ranges = Array.from({ length: shards }, (_, i) => ({
      shardId: `shardId-${i}`,
      startingHashKey: hex(bounds[i]!),
      endingHashKey: hex(bounds[i + 1]! - 1n),
    }));
    const map = new ShardMap([...ranges].reverse());
    const keys = [
      ...Array.from({ length: 5_000 }, (_, i) => `TRD-${(random() * 2 ** 32) >>> 0}-${i}`),
      'x'.repeat(MD5_ONE_BLOCK_MAX),
      'y'.repeat(MD5_ONE_BLOCK_MAX + 1),
      'HB_HOUSTON',
      'Zürich',
    ];
    // Act
    const routed = keys.map((k) => map.shardFor(k));
    const again = keys.map((k) => map.shardFor(k));
    // Assess
    expect(routed).toEqual(keys.map((k) => referenceShard(ranges, k)));
    expect(again).toEqual(routed);
  });

  it('finds no shard for a key outside every open range (a resharding in progress)', () => {
    const top = 'f'.repeat(32);
    const map = new ShardMap([{ shardId: 'only-the-top-key', startingHashKey: top, endingHashKey: top }]);
    expect(hashKeyOf('TRD-1')).not.toBe(top);
    expect(map.shardFor('TRD-1')).toBeUndefined();
  });
});
