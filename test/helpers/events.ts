import { createGenerator, SimulatedClock } from '../../producers/sources/index.js';
import type {
  Dataset,
  EventByDataset,
  GridEvent,
  TransactionsEvent,
  WeatherEvent,
} from '../../schemas/index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
let counter = 0;

/** A unique event id for tests. */
export function testEventId(prefix = 'evt'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** A valid grid event (settlement-point price); override any field. */
export function gridEvent(overrides: Partial<GridEvent> = {}): GridEvent {
  return {
    event_id: testEventId('grid'),
    event_time: T0,
    record_type: 'SETTLEMENT_POINT_PRICE',
    market: 'RTM',
    interval_minutes: 5,
    version: 1,
    load_zone: 'LZ_HOUSTON',
    settlement_point: 'HB_HOUSTON',
    settlement_point_type: 'HUB',
    lmp_usd_mwh: 42.5,
    energy_usd_mwh: 40.1,
    congestion_usd_mwh: 1.9,
    loss_usd_mwh: 0.5,
    load_mw: null,
    wind_mw: null,
    solar_mw: null,
    gas_mw: null,
    coal_mw: null,
    nuclear_mw: null,
    hydro_mw: null,
    storage_mw: null,
    other_mw: null,
    source: 'test',
    producer_id: 'test-producer',
    produced_at: T0 + 1000,
    ...overrides,
  };
}

/** A valid weather observation; override any field. */
export function weatherEvent(overrides: Partial<WeatherEvent> = {}): WeatherEvent {
  return {
    event_id: testEventId('weather'),
    event_time: T0,
    record_type: 'OBSERVATION',
    location_id: 'houston',
    location_name: 'Houston',
    load_zone: 'LZ_HOUSTON',
    latitude_deg: 29.76,
    longitude_deg: -95.37,
    forecast_issued_at: null,
    forecast_horizon_hours: null,
    temperature_c: 24.5,
    relative_humidity_pct: 70,
    dew_point_c: 18.6,
    wind_speed_mps: 4.2,
    wind_direction_deg: 160,
    shortwave_radiation_w_m2: 610,
    cloud_cover_pct: 20,
    precipitation_mm: 0,
    source: 'test',
    producer_id: 'test-producer',
    produced_at: T0 + 1000,
    ...overrides,
  };
}

/** A valid NEW trade; override any field. */
export function transactionEvent(overrides: Partial<TransactionsEvent> = {}): TransactionsEvent {
  return {
    event_id: testEventId('trade'),
    event_time: T0,
    trade_id: 'T-1',
    version: 1,
    status: 'NEW',
    side: 'BUY',
    product: 'HB_NORTH_RT_PEAK_5x16',
    settlement_point: 'HB_NORTH',
    delivery_start: T0 + 86_400_000,
    delivery_end: T0 + 2 * 86_400_000,
    quantity_mwh: 400,
    price_usd_mwh: 55.25,
    counterparty: 'CP-ALPHA',
    book: 'ERCOT-POWER',
    trader: 'trader-1',
    venue: 'ICE',
    is_block: false,
    source: 'test',
    producer_id: 'test-producer',
    produced_at: T0 + 1000,
    ...overrides,
  };
}

/** A valid event of any dataset. */
export function eventOf<D extends Dataset>(
  dataset: D,
  overrides: Partial<EventByDataset[D]> = {},
): EventByDataset[D] {
  const make = { grid: gridEvent, weather: weatherEvent, transactions: transactionEvent }[
    dataset
  ] as unknown as (o: Partial<EventByDataset[D]>) => EventByDataset[D];
  return make(overrides);
}

/** Generated events of a dataset as plain JSON objects: seeds 1, 7 and 42, a simulated clock stepping hours. */
export function generatedEvents(dataset: Dataset, count: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const seed of [1, 7, 42]) {
    const clock = new SimulatedClock({
      startMs: Date.UTC(2026, 6, 1) + seed * 7 * 3_600_000,
      stepMs: dataset === 'transactions' ? 997 : 3_600_000,
    });
    const gen = createGenerator(dataset, { seed, clock });
    for (let i = 0; i < count; i++) events.push(gen.next() as unknown as Record<string, unknown>);
  }
  return events;
}
