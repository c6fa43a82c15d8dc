import { describe, expect, it } from 'vitest';
import { BatchCollector, PUT_RECORDS_LIMITS } from '../../../../producers/kinesis/BatchCollector.js';

interface Sized {
  readonly id: number;
  readonly size: number;
}

const MiB = 1024 * 1024;

/** Adds entries of the given sizes (ids 0, 1, …); returns the batches as id lists, the open one last. */
function pack(collector: BatchCollector<Sized>, sizes: readonly number[]): number[][] {
  sizes.forEach((size, id) => {
    collector.add({ id, size });
  });
  collector.flush();
  const batches: number[][] = [];
  for (let b = collector.next(); b; b = collector.next()) batches.push(b.map((e) => e.id));
  return batches;
}

describe('BatchCollector', () => {
  it('packs against the Kinesis limits by default: 500 entries, 5 MiB', () => {
    expect(PUT_RECORDS_LIMITS).toEqual({ maxEntries: 500, maxBytes: 5 * MiB });
  });

  it('closes a batch at exactly 500 entries, the 501st opening the next', () => {
    // Prepare
    const collector = new BatchCollector<Sized>();
    // Act
    const readyAfter = Array.from({ length: 501 }, (_, id) => collector.add({ id, size: 100 }));
    // Assess
    expect(readyAfter.slice(0, 499).every((r) => !r)).toBe(true);
    expect(readyAfter[499]).toBe(true);
    expect(collector.readyCount).toBe(1);
    expect(collector.openCount).toBe(1);
    expect(collector.next()!.map((e) => e.id)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('fills a batch to exactly 5 MiB, and an entry one byte over goes to the next batch', () => {
    // 5 entries of 1 MiB less 100 bytes, then one of 500 bytes: 5 MiB exactly
    const exact = [...Array(5).fill(MiB - 100), 500];
    expect(pack(new BatchCollector<Sized>(), exact)).toEqual([[0, 1, 2, 3, 4, 5]]);
    const over = [...Array(5).fill(MiB - 100), 501];
    expect(pack(new BatchCollector<Sized>(), over)).toEqual([[0, 1, 2, 3, 4], [5]]);
  });

  it('keeps the order of entries across batches (no entry split, reordered or lost)', () => {
    const collector = new BatchCollector<Sized>({ maxEntries: 3, maxBytes: 100 });
    const sizes = [40, 40, 30, 90, 5, 5, 5, 5, 60, 50];
    const batches = pack(collector, sizes);
    expect(batches).toEqual([[0, 1], [2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(batches.flat()).toEqual(sizes.map((_, i) => i));
  });

  it('gives an entry bigger than the byte limit a batch of its own', () => {
    const collector = new BatchCollector<Sized>({ maxEntries: 10, maxBytes: 100 });
    expect(pack(collector, [10, 150, 10])).toEqual([[0], [1], [2]]);
  });

  it('holds the open batch until flush() (the linger), and flush() of nothing adds no empty batch', () => {
    const collector = new BatchCollector<Sized>();
    expect(collector.add({ id: 0, size: 10 })).toBe(false);
    expect(collector.next()).toBeUndefined();
    collector.flush();
    collector.flush();
    expect(collector.readyCount).toBe(1);
    expect(collector.next()!.map((e) => e.id)).toEqual([0]);
    expect(collector.next()).toBeUndefined();
  });

  it('hands out closed batches oldest first', () => {
    const collector = new BatchCollector<Sized>({ maxEntries: 2, maxBytes: 1_000 });
    for (let id = 0; id < 6; id++) collector.add({ id, size: 1 });
    expect([collector.next(), collector.next(), collector.next()].map((b) => b!.map((e) => e.id))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('drains every unsent entry in order and is empty afterwards', () => {
    const collector = new BatchCollector<Sized>({ maxEntries: 2, maxBytes: 1_000 });
    for (let id = 0; id < 5; id++) collector.add({ id, size: 1 });
    expect(collector.drain().map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
    expect(collector.readyCount).toBe(0);
    expect(collector.openCount).toBe(0);
    collector.flush();
    expect(collector.next()).toBeUndefined();
  });
});
