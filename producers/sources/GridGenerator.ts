import type { GridEvent } from '../../schemas/index.js';
import { GRID_DEFAULTS, GRID_INTERVAL_MINUTES, MINUTE_MS, SYNTHETIC_SOURCE } from './constants.js';
import { LOAD_ZONES, SETTLEMENT_POINTS } from './ercotCatalog.js';
import { InvalidSourceOptionError } from './errors.js';
import { eventIdFor } from './eventId.js';
import {
  type CommonGeneratorSettings,
  checkRate,
  pickByName,
  resolveCommonOptions,
} from './generatorOptions.js';
import { type GridInterval, gridIntervalAt, MAX_SPIKE_WEIGHT } from './gridModel.js';
import type { EventGenerator, GeneratorOptions } from './types.js';

/**
 * Seeded ERCOT-style grid events: per interval, one SETTLEMENT_POINT_PRICE per settlement point and
 * one SYSTEM_CONDITIONS per load zone, from the deterministic grid model.
 *
 * The clock is read once per batch; the batch is the interval containing that reading. A fast
 * producer on the wall clock therefore repeats the current interval (same values, new event ids)
 * until the clock enters the next one; a simulated clock stepping by the interval length yields one
 * batch per interval.
 */
export class GridGenerator implements EventGenerator<'grid'> {
  /** Always `grid`. */
  public readonly dataset = 'grid' as const;
  /** Interval length, ms. */
  public readonly intervalMs: number;
  private readonly common: CommonGeneratorSettings;
  private readonly market: 'RTM' | 'DAM';
  private readonly intervalMinutes: number;
  private readonly spikeRate: number;
  private readonly pointIndexes: readonly number[];
  private readonly zoneIndexes: readonly number[];
  private readonly batch: GridEvent[];
  private position: number;
  private sequence: number;
  private cached: GridInterval | undefined;

  /**
   * @param options - generator options; `options.grid` tunes the model
   * @throws InvalidSourceOptionError naming an invalid option
   */
  public constructor(options: GeneratorOptions = {}) {
    this.common = resolveCommonOptions('grid', options);
    const g = options.grid ?? {};
    this.market = g.market ?? GRID_DEFAULTS.market;
    if (this.market !== 'RTM' && this.market !== 'DAM') {
      throw new InvalidSourceOptionError('grid.market', this.market, 'RTM or DAM');
    }
    const interval = g.intervalMinutes ?? (this.market === 'DAM' ? 60 : GRID_DEFAULTS.intervalMinutes);
    if (
      !(GRID_INTERVAL_MINUTES as readonly number[]).includes(interval) ||
      (this.market === 'DAM') !== (interval === 60)
    ) {
      throw new InvalidSourceOptionError(
        'grid.intervalMinutes',
        interval,
        this.market === 'DAM' ? '60 for DAM' : '5 or 15 for RTM',
      );
    }
    this.intervalMinutes = interval;
    this.intervalMs = interval * MINUTE_MS;
    this.spikeRate = checkRate(
      'grid.spikeRate',
      g.spikeRate ?? GRID_DEFAULTS.spikeRate,
      1 / MAX_SPIKE_WEIGHT,
    );
    const includePrices = g.includePrices ?? GRID_DEFAULTS.includePrices;
    const includeConditions = g.includeSystemConditions ?? GRID_DEFAULTS.includeSystemConditions;
    const points = includePrices
      ? pickByName('grid.settlementPoints', g.settlementPoints, SETTLEMENT_POINTS, (p) => p.name)
      : [];
    const zones = includeConditions
      ? pickByName('grid.loadZones', g.loadZones, LOAD_ZONES, (z) => z.zone)
      : [];
    this.pointIndexes = points.map((p) => SETTLEMENT_POINTS.indexOf(p));
    this.zoneIndexes = zones.map((z) => LOAD_ZONES.indexOf(z));
    if (this.pointIndexes.length + this.zoneIndexes.length === 0) {
      throw new InvalidSourceOptionError('grid', g, 'at least one settlement point or load zone to report');
    }
    this.batch = new Array<GridEvent>(this.pointIndexes.length + this.zoneIndexes.length);
    this.position = this.batch.length;
    this.sequence = this.common.startSequence;
  }

  /** The next event; see the class comment for how intervals advance. */
  public next(): GridEvent {
    if (this.position >= this.batch.length) this.fill();
    return this.batch[this.position++]!;
  }

  private fill(): void {
    const { clock, seed32, idKey, producerId } = this.common;
    const now = clock.now();
    const start = Math.floor(now / this.intervalMs) * this.intervalMs;
    let interval = this.cached;
    if (interval === undefined || interval.startMs !== start) {
      interval = gridIntervalAt(start, seed32, this.spikeRate);
      this.cached = interval;
    }
    let k = 0;
    for (const i of this.pointIndexes) {
      const sp = SETTLEMENT_POINTS[i]!;
      const p = interval.prices[i]!;
      this.batch[k++] = {
        event_id: eventIdFor(idKey, this.sequence++),
        event_time: start,
        record_type: 'SETTLEMENT_POINT_PRICE',
        market: this.market,
        interval_minutes: this.intervalMinutes,
        version: 1,
        load_zone: sp.loadZone,
        settlement_point: sp.name,
        settlement_point_type: sp.type,
        lmp_usd_mwh: p.lmp,
        energy_usd_mwh: p.energy,
        congestion_usd_mwh: p.congestion,
        loss_usd_mwh: p.loss,
        load_mw: null,
        wind_mw: null,
        solar_mw: null,
        gas_mw: null,
        coal_mw: null,
        nuclear_mw: null,
        hydro_mw: null,
        storage_mw: null,
        other_mw: null,
        source: SYNTHETIC_SOURCE,
        producer_id: producerId,
        produced_at: now,
      };
    }
    for (const i of this.zoneIndexes) {
      const z = interval.zones[i]!;
      this.batch[k++] = {
        event_id: eventIdFor(idKey, this.sequence++),
        event_time: start,
        record_type: 'SYSTEM_CONDITIONS',
        market: this.market,
        interval_minutes: this.intervalMinutes,
        version: 1,
        load_zone: z.zone,
        settlement_point: null,
        settlement_point_type: null,
        lmp_usd_mwh: null,
        energy_usd_mwh: null,
        congestion_usd_mwh: null,
        loss_usd_mwh: null,
        load_mw: z.loadMw,
        wind_mw: z.windMw,
        solar_mw: z.solarMw,
        gas_mw: z.gasMw,
        coal_mw: z.coalMw,
        nuclear_mw: z.nuclearMw,
        hydro_mw: z.hydroMw,
        storage_mw: z.storageMw,
        other_mw: z.otherMw,
        source: SYNTHETIC_SOURCE,
        producer_id: producerId,
        produced_at: now,
      };
    }
    this.position = 0;
  }
}
