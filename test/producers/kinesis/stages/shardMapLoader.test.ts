import { describe, expect, it } from 'vitest';
import type { ShardMap } from '../../../../kinesis/ShardMap.js';
import { ShardMapLoader } from '../../../../producers/kinesis/ShardMapLoader.js';
import { evenShards, hasSettled } from './stageFixtures.js';

/** A ListShards stand-in whose calls the test answers one by one. */
function scriptedLoads() {
  const calls: { resolve: (m: ShardMap) => void; reject: (e: Error) => void }[] = [];
  const load = () =>
    new Promise<ShardMap>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { calls, load };
}

describe('ShardMapLoader', () => {
  it('loads once for every caller that asks while the first load runs', async () => {
    const { calls, load } = scriptedLoads();
    const seen: [string, boolean][] = [];
    const loader = new ShardMapLoader(load, (map, reloaded) => seen.push([map.ranges[0]!.shardId, reloaded]));
    const waiting = [loader.load(), loader.load(), loader.load()];
    const map = evenShards(2, 'a-');
    calls[0]!.resolve(map);
    expect(await Promise.all(waiting)).toEqual([map, map, map]);
    expect(await loader.load()).toBe(map);
    expect(calls).toHaveLength(1);
    expect(seen).toEqual([['a-0', false]]);
  });

  it('lets the next caller try again after a failed first load', async () => {
    const { calls, load } = scriptedLoads();
    const loader = new ShardMapLoader(load, () => undefined);
    const first = loader.load();
    calls[0]!.reject(new Error('ListShards failed'));
    await expect(first).rejects.toThrow('ListShards failed');
    const second = loader.load();
    calls[1]!.resolve(evenShards(1));
    await expect(second).resolves.toBeDefined();
    expect(calls).toHaveLength(2);
  });

  it('reloads in the background only after the first map, one reload at a time', async () => {
    // Prepare
    const { calls, load } = scriptedLoads();
    const seen: [string, boolean][] = [];
    const loader = new ShardMapLoader(load, (map, reloaded) => seen.push([map.ranges[0]!.shardId, reloaded]));
    // Act 1: a refresh before any map does nothing
    loader.refresh();
    expect(calls).toHaveLength(0);
    const first = loader.load();
    calls[0]!.resolve(evenShards(2, 'a-'));
    await first;
    // Act 2: two refreshes while one runs start one reload
    loader.refresh();
    loader.refresh();
    expect(calls).toHaveLength(2);
    expect(loader.refreshing).toBe(true);
    calls[1]!.resolve(evenShards(3, 'b-'));
    await hasSettled(Promise.resolve());
    // Assess
    expect(loader.refreshing).toBe(false);
    expect(seen).toEqual([
      ['a-0', false],
      ['b-0', true],
    ]);
    loader.refresh();
    expect(calls).toHaveLength(3);
  });

  it('keeps the old map when a reload fails', async () => {
    const { calls, load } = scriptedLoads();
    const seen: boolean[] = [];
    const loader = new ShardMapLoader(load, (_, reloaded) => seen.push(reloaded));
    const first = loader.load();
    calls[0]!.resolve(evenShards(2));
    await first;
    loader.refresh();
    calls[1]!.reject(new Error('throttled'));
    await hasSettled(Promise.resolve());
    expect(seen).toEqual([false]);
    expect(loader.refreshing).toBe(false);
  });
});
