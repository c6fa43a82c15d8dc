import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShardMap } from '../../kinesis/ShardMap.js';
import { LoadtestError } from '../../loadtest/errors.js';
import { estimateCost, loadPrices, type StreamLoad } from '../../loadtest/model/costModel.js';
import { scenarioCost, scenarioShardPredictions } from '../../loadtest/model/scenarioModels.js';
import {
  compareWithThrottles,
  evenKeyLoads,
  evenShardRanges,
  predictShardLoad,
  SHARD_WRITE_LIMITS,
} from '../../loadtest/model/shardModel.js';
import { loadScenario } from '../../loadtest/scenario/loadScenario.js';
import { tempDir } from '../helpers/tempDir.js';

describe('shard model', () => {
  it('splits the hash space into equal, contiguous ranges as CreateStream does', () => {
    const ranges = evenShardRanges(3);
    expect(BigInt(`0x${ranges[0]!.startingHashKey}`)).toBe(0n);
    expect(BigInt(`0x${ranges[2]!.endingHashKey}`)).toBe((1n << 128n) - 1n);
    for (let i = 1; i < 3; i++) {
      expect(BigInt(`0x${ranges[i]!.startingHashKey}`)).toBe(
        BigInt(`0x${ranges[i - 1]!.endingHashKey}`) + 1n,
      );
    }
  });

  it('routes every key to the shard the sink routes it to (kinesis/ShardMap)', () => {
    const ranges = evenShardRanges(7);
    const map = new ShardMap(ranges);
    const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
    const p = predictShardLoad({
      ranges,
      keys: keys.map((key) => ({ key, recordsPerSecond: 1, bytesPerSecond: 1 })),
    });
    for (const s of p.shards) {
      expect(s.keys).toBe(keys.filter((k) => map.shardFor(k) === s.shardId).length);
    }
  });

  it('one hot key: all its load on one shard, skew = shard count, the excess over 1,000 records/s predicted', () => {
    const p = predictShardLoad({
      ranges: evenShardRanges(4),
      keys: [{ key: 'HB_NORTH', recordsPerSecond: 2000, bytesPerSecond: 2000 * 500 }],
    });
    expect(p.skew).toBeCloseTo(4, 9);
    expect(p.overLimit).toEqual([p.hottest]);
    expect(p.excessShare).toBeCloseTo(0.5, 9);
    expect(p.shards.find((s) => s.shardId === p.hottest)).toMatchObject({
      utilisation: 2,
      limitedBy: 'records',
    });
    expect(p.shardsNeededEven).toBe(2);
  });

  it('random keys spread by hash-range width: no skew, nothing over the limit below capacity', () => {
    const p = predictShardLoad({
      ranges: evenShardRanges(4),
      uniform: { recordsPerSecond: 3600, bytesPerSecond: 3600 * 600 },
    });
    expect(p.skew).toBeCloseTo(1, 9);
    expect(p.overLimit).toEqual([]);
    for (const s of p.shards) expect(s.recordsPerSecond).toBeCloseTo(900, 6);
  });

  it('large events hit the 1 MiB/s limit first; aggregation divides records, not bytes', () => {
    const keys = [{ key: 'k', recordsPerSecond: 500, bytesPerSecond: 500 * 4096 }];
    const plain = predictShardLoad({ ranges: evenShardRanges(1), keys });
    expect(plain.shards[0]).toMatchObject({ limitedBy: 'bytes', overLimit: true });
    expect(plain.shards[0]!.utilisation).toBeCloseTo((500 * 4096) / SHARD_WRITE_LIMITS.bytesPerSecond, 9);
    const small = [{ key: 'k', recordsPerSecond: 3000, bytesPerSecond: 3000 * 100 }];
    const aggregated = predictShardLoad({
      ranges: evenShardRanges(1),
      keys: small,
      recordsPerKinesisRecord: 10,
    });
    expect(aggregated.shards[0]).toMatchObject({
      recordsPerSecond: 300,
      bytesPerSecond: 300_000,
      overLimit: false,
    });
  });

  it('compares the prediction with the throttles a run saw', () => {
    const p = predictShardLoad({ ranges: evenShardRanges(2), keys: evenKeyLoads(['HB_HOUSTON'], 1500, 400) });
    const rows = compareWithThrottles(p, { [p.hottest]: 42 });
    expect(rows.every((r) => r.agrees)).toBe(true);
    expect(compareWithThrottles(p, {}).find((r) => r.shardId === p.hottest)?.agrees).toBe(false);
  });

  it('predicts the shipped scenarios: spike-storm peaks over the grid stream of 4 shards, smoke fits', () => {
    const storm = scenarioShardPredictions(loadScenario('spike-storm'));
    expect(storm.grid!.overLimit.length).toBeGreaterThan(0);
    expect(storm.transactions!.skew).toBeCloseTo(1, 6);
    const smoke = scenarioShardPredictions(loadScenario('smoke'));
    for (const p of Object.values(smoke)) expect(p.overLimit).toEqual([]);
    expect(smoke.grid!.shards.reduce((n, s) => n + s.keys, 0)).toBeGreaterThan(10);
  });
});

describe('cost model', () => {
  const prices = loadPrices();
  // The worked example of docs/DEPLOY.md: 1,000 events/s (600 grid, 50 weather, 350 transactions) of
  // 600 bytes for 30 days; 256 events per aggregated record (150 KiB: a whole number of 1 KB and 5 KB units).
  const month = 720;
  const example = (mode: 'on_demand' | 'provisioned') =>
    estimateCost(
      {
        hours: month,
        kinesisMode: mode,
        streams: (
          [
            ['grid', 600, 2],
            ['weather', 50, 1],
            ['transactions', 350, 2],
          ] as const
        ).map(
          ([dataset, rate, readers]): StreamLoad => ({
            dataset,
            events: rate * month * 3600,
            peakEventsPerSecond: rate,
            eventBytes: 600,
            eventsPerKinesisRecord: 256,
            readers,
          }),
        ),
      },
      prices,
    );
  const sum = (e: ReturnType<typeof example>, service: string, item: RegExp) =>
    e.lines.filter((l) => l.service === service && item.test(l.item)).reduce((s, l) => s + l.cost, 0);

  it('reproduces the Kinesis and Firehose lines of the worked example in docs/DEPLOY.md', () => {
    const e = example('on_demand');
    expect(sum(e, 'kinesis', /stream-hours/)).toBeCloseTo(86.4, 6);
    expect(sum(e, 'kinesis', /ingest/)).toBeCloseTo(124.4, 1);
    expect(sum(e, 'kinesis', /retrieval/)).toBeCloseTo(121.3, 1);
    expect(sum(e, 'firehose', /ingestion|conversion|partitioning$/)).toBeCloseTo(104.2, 1);
    const p = example('provisioned');
    expect(sum(p, 'kinesis', /shard/)).toBeCloseTo(3 * 720 * 0.015, 6);
  });

  it('bills Firehose ingestion in 5 KB increments and on-demand ingest in 1 KB per record', () => {
    const e = estimateCost(
      {
        hours: 1,
        kinesisMode: 'on_demand',
        streams: [{ dataset: 'grid', events: 1e6, peakEventsPerSecond: 278, eventBytes: 600 }],
      },
      prices,
    );
    const line = (re: RegExp) => e.lines.find((l) => re.test(l.item))!;
    expect(line(/ingestion/).quantity).toBeCloseTo((1e6 * 5120) / 1e9, 9);
    expect(line(/on-demand ingest/).quantity).toBeCloseTo((1e6 * 1024) / 1e9, 9);
    expect(line(/dynamic partitioning$/).quantity).toBeCloseTo(0.6, 9);
    expect(line(/objects/).quantity).toBe(12); // 1 partition, one flush per 300 s buffer
  });

  it('sizes provisioned shards from the peak, counts 25 KB PUT payload units, Glue minimum minute, Athena 10 MB minimum', () => {
    const e = estimateCost(
      {
        hours: 2,
        kinesisMode: 'provisioned',
        streams: [
          {
            dataset: 'grid',
            events: 1e5,
            peakEventsPerSecond: 2500,
            eventBytes: 300,
            eventsPerKinesisRecord: 100,
          },
        ],
        glue: [{ job: 'curate', runs: 2, dpus: 2, minutesPerRun: 0.2 }],
        athena: { queries: 100, bytesPerQuery: 1000 },
      },
      prices,
    );
    expect(e.lines.find((l) => /shard/.test(l.item))).toMatchObject({ quantity: 2 * 1, unit: 'shard-hour' }); // 25 records/s aggregated
    expect(e.lines.find((l) => /PUT payload/.test(l.item))?.quantity).toBe(1000 * 2); // 30 KB records: 2 units each
    expect(e.lines.find((l) => l.service === 'glue')?.quantity).toBeCloseTo((2 * 2 * 1) / 60, 9);
    expect(e.lines.find((l) => l.service === 'athena')?.quantity).toBeCloseTo((100 * 10_485_760) / 1e12, 12);
    expect(e.perHour * e.hours).toBeCloseTo(e.total, 9);
    expect(e.perMillionEvents).toBeCloseTo((e.total / 1e5) * 1e6, 9);
  });

  it('prices a shipped scenario with the table date and region, and refuses an undated table', () => {
    const e = scenarioCost(loadScenario('steady-20k'), prices);
    expect(e).toMatchObject({ asOf: prices.as_of, region: prices.region });
    expect(new Set(e.lines.map((l) => l.service))).toEqual(
      new Set(['kinesis', 'firehose', 's3', 'glue', 'athena']),
    );
    expect(e.perMillionEvents).toBeGreaterThan(0);
    const dir = tempDir('prices');
    const bad = join(dir, 'prices.json');
    writeFileSync(bad, JSON.stringify({ ...prices, as_of: 'recently' }));
    expect(() => loadPrices(bad)).toThrow(LoadtestError);
    writeFileSync(bad, JSON.stringify({ ...prices, glue: { dpu_hour: 'cheap', minimum_billed_minutes: 1 } }));
    expect(() => loadPrices(bad)).toThrow(/glue\.dpu_hour/);
  });
});

describe('aggregation in the shard model', () => {
  it('counts the aggregates the sink sends: 10 per second per shard at low rates, bytes / 50 KiB at high ones', () => {
    const aggregation = { maxBytes: 51_200, lingerMs: 100 };
    const low = predictShardLoad({
      ranges: evenShardRanges(1),
      keys: [{ key: 'k', recordsPerSecond: 300, bytesPerSecond: 300 * 500 }],
      aggregation,
    });
    expect(low.shards[0]!.recordsPerSecond).toBe(10);
    const high = predictShardLoad({
      ranges: evenShardRanges(1),
      keys: [{ key: 'k', recordsPerSecond: 5000, bytesPerSecond: 5000 * 500 }],
      aggregation,
    });
    expect(high.shards[0]).toMatchObject({
      recordsPerSecond: (5000 * 500) / 51_200,
      limitedBy: 'bytes',
      overLimit: true,
    });
    const trickle = predictShardLoad({
      ranges: evenShardRanges(1),
      keys: [{ key: 'k', recordsPerSecond: 3, bytesPerSecond: 1500 }],
      aggregation,
    });
    expect(trickle.shards[0]!.recordsPerSecond).toBe(3);
  });
});
