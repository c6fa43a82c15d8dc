import { describe, expect, it } from 'vitest';
import {
  backfill,
  backfillClock,
  createGenerator,
  eventIdFor,
  eventIdKey,
  InvalidSourceOptionError,
  SimulatedClock,
  WallClock,
} from '../../../producers/sources/index.js';
import { contractFor, DATASETS, type Dataset } from '../../../schemas/index.js';

const JULY = Date.UTC(2025, 6, 1);

function take<D extends Dataset>(dataset: D, n: number, seed: number, startMs = JULY) {
  const clock = backfillClock(dataset, { startMs });
  const gen = createGenerator(dataset, { seed, clock });
  return Array.from({ length: n }, () => gen.next());
}

describe.each(DATASETS)('%s generator', (dataset) => {
  it('generates only events valid against the contract (20,000 events)', () => {
    // Prepare
    const contract = contractFor(dataset);
    // Act
    const events = take(dataset, 20_000, 11);
    // Assess
    for (const e of events) expect(contract.validate(e)).toEqual([]);
    expect(events).toHaveLength(20_000);
  });

  it('is deterministic: same seed and clock, same events', () => {
    expect(take(dataset, 2_000, 42)).toEqual(take(dataset, 2_000, 42));
  });

  it('differs with another seed', () => {
    const a = take(dataset, 500, 1);
    const b = take(dataset, 500, 2);
    expect(a.map((e) => e.event_id)).not.toEqual(b.map((e) => e.event_id));
    const content = (e: object) => JSON.stringify({ ...e, event_id: '', producer_id: '' });
    expect(a.map(content)).not.toEqual(b.map(content));
  });

  it('assigns unique UUID-formatted event ids', () => {
    const ids = take(dataset, 20_000, 3).map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('derives event ids from (seed, producerId, dataset, sequence) and honours startSequence', () => {
    const clock = () => new SimulatedClock({ startMs: JULY, stepMs: 1000 });
    const first = createGenerator(dataset, { seed: 9, producerId: 'p-1', clock: clock() });
    const ids = Array.from({ length: 5 }, () => first.next().event_id);
    const key = eventIdKey(9, 'p-1', dataset);
    expect(ids).toEqual([0, 1, 2, 3, 4].map((s) => eventIdFor(key, s)));
    const resumed = createGenerator(dataset, {
      seed: 9,
      producerId: 'p-1',
      clock: clock(),
      startSequence: 5,
    });
    expect(resumed.next().event_id).toBe(eventIdFor(key, 5));
    const other = createGenerator(dataset, { seed: 9, producerId: 'p-2', clock: clock() });
    expect(other.next().event_id).not.toBe(ids[0]);
  });

  it('writes the producer id, source and produced_at >= event_time for observed data', () => {
    const gen = createGenerator(dataset, { seed: 1, clock: new SimulatedClock({ startMs: JULY + 123_456 }) });
    const e = gen.next();
    expect(e.producer_id).toBe(`gridstream-${dataset}-1`);
    expect(e.source).toBe('synthetic');
    expect(e.produced_at).toBe(JULY + 123_456);
  });

  it('follows the wall clock by default', () => {
    const before = Date.now();
    const e = createGenerator(dataset).next();
    const after = Date.now();
    // Grid and weather stamp the start of the current interval/hour; forecasts lie ahead.
    expect(e.produced_at).toBeGreaterThanOrEqual(before);
    expect(e.produced_at).toBeLessThanOrEqual(after);
    expect(e.event_time).toBeGreaterThan(before - 3_600_000);
  });

  it('backfills a range in simulated time: complete batches, event times across the range', () => {
    // Prepare
    const startMs = Date.UTC(2025, 0, 10);
    const endMs = Date.UTC(2025, 0, 12);
    // Act
    const events = [...backfill(dataset, { seed: 4, startMs, endMs, tradesPerSecond: 0.01 })];
    // Assess
    expect(Math.min(...events.map((e) => e.event_time))).toBe(startMs);
    const produced = events.map((e) => e.produced_at);
    expect(Math.max(...produced)).toBeLessThan(endMs);
    expect(Math.max(...produced)).toBeGreaterThanOrEqual(endMs - 3_600_000);
    // Every hour of the range is covered, and every hour has the same number of events.
    const perHour = new Map<number, number>();
    for (const t of produced)
      perHour.set(Math.floor(t / 3_600_000), (perHour.get(Math.floor(t / 3_600_000)) ?? 0) + 1);
    expect(perHour.size).toBe(48);
    expect(new Set(perHour.values()).size).toBe(1);
  });
});

describe('createGenerator options', () => {
  it.each([
    ['seed', { seed: 1.5 }],
    ['producerId', { producerId: '' }],
    ['startSequence', { startSequence: -1 }],
    ['grid.intervalMinutes', { grid: { intervalMinutes: 7 as 5 } }],
    ['grid.intervalMinutes', { grid: { market: 'DAM' as const, intervalMinutes: 5 as const } }],
    ['grid.spikeRate', { grid: { spikeRate: 2 } }],
    ['grid.settlementPoints', { grid: { settlementPoints: ['HB_NOWHERE'] } }],
    ['weather.locations', { weather: { locations: ['atlantis'] } }],
    ['weather.forecastHorizonsHours', { weather: { forecastHorizonsHours: [0] } }],
    ['transactions.amendRate', { transactions: { amendRate: -0.1 } }],
  ])('rejects an invalid %s before generating, naming the option', (option, options) => {
    const dataset = option.startsWith('weather')
      ? 'weather'
      : option.startsWith('trans')
        ? 'transactions'
        : 'grid';
    const make = () => createGenerator(dataset, options);
    expect(make).toThrow(InvalidSourceOptionError);
    expect(make).toThrow(option);
  });

  it('rejects an unknown dataset', () => {
    expect(() => createGenerator('prices' as Dataset)).toThrow(/dataset/);
  });

  it('narrows the grid generator to the requested points and zones', () => {
    const gen = createGenerator('grid', {
      clock: new SimulatedClock({ startMs: JULY }),
      grid: { settlementPoints: ['HB_WEST'], loadZones: ['LZ_WEST'], market: 'DAM' },
    });
    const [a, b, c] = [gen.next(), gen.next(), gen.next()];
    expect([a.settlement_point, b.record_type, c.settlement_point]).toEqual([
      'HB_WEST',
      'SYSTEM_CONDITIONS',
      'HB_WEST',
    ]);
    expect([a.market, a.interval_minutes]).toEqual(['DAM', 60]);
  });

  it('WallClock reads the system time', () => {
    const now = Date.now();
    expect(new WallClock().now()).toBeGreaterThanOrEqual(now);
  });
});

describe('SimulatedClock', () => {
  it('steps after every reading', () => {
    const clock = new SimulatedClock({ startMs: 1000, stepMs: 10 });
    expect([clock.now(), clock.now(), clock.peek()]).toEqual([1000, 1010, 1020]);
    clock.advance();
    expect(clock.now()).toBe(1030);
  });

  it('stands still with stepMs 0 until advanced', () => {
    const clock = new SimulatedClock({ startMs: 5 });
    expect([clock.now(), clock.now()]).toEqual([5, 5]);
    clock.advance(7);
    expect(clock.now()).toBe(12);
  });

  it('rejects a negative step', () => {
    expect(() => new SimulatedClock({ startMs: 0, stepMs: -1 })).toThrow(/clock.stepMs/);
  });

  it('paces backfills per interval, per hour and per trade', () => {
    const t = Date.UTC(2025, 0, 1, 0, 7);
    const grid = backfillClock('grid', { startMs: t, intervalMinutes: 5 });
    const weather = backfillClock('weather', { startMs: t });
    const trades = backfillClock('transactions', { startMs: t, tradesPerSecond: 4 });
    expect([grid.now(), grid.now()]).toEqual([Date.UTC(2025, 0, 1, 0, 5), Date.UTC(2025, 0, 1, 0, 10)]);
    expect([weather.now(), weather.now()]).toEqual([Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 1)]);
    expect([trades.now(), trades.now()]).toEqual([t, t + 250]);
  });
});
