import type { GridEvent } from '../../schemas/index.js';
import {
  GRID_CORRECTION_DELAY_MS,
  GRID_DEFAULTS,
  GRID_INTERVAL_MINUTES,
  MINUTE_MS,
  SYNTHETIC_SOURCE,
} from './constants.js';
import { LOAD_ZONES, MAX_RESOURCE_NODES, RESOURCE_NODES, SETTLEMENT_POINTS } from './ercotCatalog.js';
import { InvalidSourceOptionError } from './errors.js';
import { eventIdFor } from './eventId.js';
import {
  type CommonGeneratorSettings,
  checkRate,
  pickByName,
  resolveCommonOptions,
} from './generatorOptions.js';
import {
  type GridInterval,
  gridIntervalAt,
  MAX_SPIKE_WEIGHT,
  type PriceComponents,
  pointKey,
  priceAt,
} from './gridModel.js';
import { correctionOf } from './priceCorrections.js';
import type { EventGenerator, GeneratorOptions, GridSeries, SettlementPoint } from './types.js';

interface Series extends GridSeries {
  readonly intervalMs: number;
  /** Emits the SYSTEM_CONDITIONS records (one series does: 15-minute RTM when present). */
  readonly conditions: boolean;
  /** Republishes rare price corrections (15-minute RTM settlement prices). */
  readonly corrections: boolean;
}

/**
 * Seeded ERCOT-style grid events from the deterministic grid model: per interval of each series
 * (market × interval length: 5-minute SCED, 15-minute RTM settlement, hourly DAM), one
 * SETTLEMENT_POINT_PRICE per settlement point (hubs, load zones, and the first `resourceNodes`
 * resource nodes), and one SYSTEM_CONDITIONS per load zone with the 15-minute series.
 *
 * A batch is one step of the finest series: every record of every interval that starts then (the
 * whole key universe of that instant). The clock is read once per batch; the batch starts at the
 * step containing the reading, but never at or before the previous batch: a fast producer on a slow
 * clock moves simulated time forward instead of repeating an interval, so a natural key is never
 * emitted twice. The only deliberate repeat is a price correction: the same key with `version` 2,
 * one hour after the interval (seeded, rare: `correctionRate`).
 */
export class GridGenerator implements EventGenerator<'grid'> {
  /** Always `grid`. */
  public readonly dataset = 'grid' as const;
  /** Length of one batch (the finest interval), ms. */
  public readonly intervalMs: number;
  /** Records per hour of simulated time (corrections aside): the key universe's real-time rate × 3,600. */
  public readonly eventsPerHour: number;
  private readonly common: CommonGeneratorSettings;
  private readonly series: readonly Series[];
  private readonly spikeRate: number;
  private readonly dailyScarcity: boolean;
  private readonly correctionRate: number;
  private readonly points: readonly SettlementPoint[];
  private readonly pointKeys: readonly number[];
  private readonly catalogIndexes: readonly number[];
  private readonly zoneIndexes: readonly number[];
  private readonly batch: GridEvent[] = [];
  private position = 0;
  private sequence: number;
  private lastStart = Number.NEGATIVE_INFINITY;
  private firstStart = Number.NaN;

  /**
   * @param options - generator options; `options.grid` tunes the model
   * @throws InvalidSourceOptionError naming an invalid option
   */
  public constructor(options: GeneratorOptions = {}) {
    this.common = resolveCommonOptions('grid', options);
    const g = options.grid ?? {};
    const asked: readonly GridSeries[] = g.series ?? [
      {
        market: g.market ?? GRID_DEFAULTS.market,
        intervalMinutes: g.intervalMinutes ?? (g.market === 'DAM' ? 60 : GRID_DEFAULTS.intervalMinutes),
      },
    ];
    if (asked.length === 0) throw new InvalidSourceOptionError('grid.series', asked, 'at least one series');
    const seen = new Set<string>();
    for (const s of asked) {
      if (s.market !== 'RTM' && s.market !== 'DAM') {
        throw new InvalidSourceOptionError('grid.market', s.market, 'RTM or DAM');
      }
      if (
        !(GRID_INTERVAL_MINUTES as readonly number[]).includes(s.intervalMinutes) ||
        (s.market === 'DAM') !== (s.intervalMinutes === 60)
      ) {
        throw new InvalidSourceOptionError(
          'grid.intervalMinutes',
          s.intervalMinutes,
          s.market === 'DAM' ? '60 for DAM' : '5 or 15 for RTM',
        );
      }
      const key = `${s.market}/${s.intervalMinutes}`;
      if (seen.has(key)) throw new InvalidSourceOptionError('grid.series', key, 'each series once');
      seen.add(key);
    }
    const conditionsAt =
      asked.find((s) => s.market === 'RTM' && s.intervalMinutes === 15) ??
      [...asked].sort((a, b) => a.intervalMinutes - b.intervalMinutes)[0]!;
    this.series = asked.map((s) => ({
      ...s,
      intervalMs: s.intervalMinutes * MINUTE_MS,
      conditions: s === conditionsAt,
      corrections: s.market === 'RTM' && s.intervalMinutes === 15,
    }));
    this.intervalMs = Math.min(...this.series.map((s) => s.intervalMs));
    this.spikeRate = checkRate(
      'grid.spikeRate',
      g.spikeRate ?? GRID_DEFAULTS.spikeRate,
      1 / MAX_SPIKE_WEIGHT,
    );
    this.dailyScarcity = g.dailyScarcity ?? GRID_DEFAULTS.dailyScarcity;
    this.correctionRate = checkRate('grid.correctionRate', g.correctionRate ?? GRID_DEFAULTS.correctionRate);
    const resourceNodes = g.resourceNodes ?? GRID_DEFAULTS.resourceNodes;
    if (!Number.isInteger(resourceNodes) || resourceNodes < 0 || resourceNodes > MAX_RESOURCE_NODES) {
      throw new InvalidSourceOptionError(
        'grid.resourceNodes',
        resourceNodes,
        `an integer in 0..${MAX_RESOURCE_NODES}`,
      );
    }
    const includePrices = g.includePrices ?? GRID_DEFAULTS.includePrices;
    const includeConditions = g.includeSystemConditions ?? GRID_DEFAULTS.includeSystemConditions;
    const catalog = includePrices
      ? pickByName('grid.settlementPoints', g.settlementPoints, SETTLEMENT_POINTS, (p) => p.name)
      : [];
    const zones = includeConditions
      ? pickByName('grid.loadZones', g.loadZones, LOAD_ZONES, (z) => z.zone)
      : [];
    this.catalogIndexes = catalog.map((p) => SETTLEMENT_POINTS.indexOf(p));
    this.points = includePrices ? [...catalog, ...RESOURCE_NODES.slice(0, resourceNodes)] : [];
    this.pointKeys = this.points.map((p) => pointKey(p.name));
    this.zoneIndexes = zones.map((z) => LOAD_ZONES.indexOf(z));
    if (this.points.length + this.zoneIndexes.length === 0) {
      throw new InvalidSourceOptionError('grid', g, 'at least one settlement point or load zone to report');
    }
    const hour = 60 * MINUTE_MS;
    this.eventsPerHour = this.series.reduce(
      (n, s) =>
        n + (hour / s.intervalMs) * (this.points.length + (s.conditions ? this.zoneIndexes.length : 0)),
      0,
    );
    this.sequence = this.common.startSequence;
  }

  /** The next event; see the class comment for how intervals advance. */
  public next(): GridEvent {
    while (this.position >= this.batch.length) this.fill();
    return this.batch[this.position++]!;
  }

  private fill(): void {
    const now = this.common.clock.now();
    const start = Math.max(
      Math.floor(now / this.intervalMs) * this.intervalMs,
      this.lastStart + this.intervalMs,
    );
    if (Number.isNaN(this.firstStart)) this.firstStart = start;
    this.lastStart = start;
    const producedAt = Math.max(now, start);
    this.batch.length = 0;
    this.position = 0;
    let rtm: GridInterval | undefined;
    for (const s of this.series) {
      if (start % s.intervalMs !== 0) continue;
      const dam = s.market === 'DAM';
      if (!dam) rtm ??= gridIntervalAt(start, this.common.seed32, this.spikeRate, this.dailyScarcity);
      const interval = dam ? gridIntervalAt(start, this.common.seed32, this.spikeRate, false) : rtm!;
      for (let i = 0; i < this.points.length; i++) {
        const price =
          i < this.catalogIndexes.length
            ? interval.prices[this.catalogIndexes[i]!]!
            : priceAt(interval.drivers, this.points[i]!, this.pointKeys[i]!);
        this.batch.push(this.priceEvent(s, start, this.points[i]!, price, 1, producedAt));
      }
      if (s.conditions) {
        for (const z of this.zoneIndexes)
          this.batch.push(this.conditionsEvent(s, start, interval, z, producedAt));
      }
      if (s.corrections && this.correctionRate > 0) this.addCorrections(s, start, producedAt);
    }
  }

  /** ERCOT price corrections: an interval an hour old republished with version 2 for a few points. */
  private addCorrections(s: Series, start: number, producedAt: number): void {
    const corrected = start - GRID_CORRECTION_DELAY_MS;
    if (!(corrected >= this.firstStart)) return;
    let interval: GridInterval | undefined;
    for (let i = 0; i < this.points.length; i++) {
      const p = this.points[i]!;
      const fix = correctionOf(this.common.seed32, this.pointKeys[i]!, corrected, this.correctionRate);
      if (fix === undefined) continue;
      interval ??= gridIntervalAt(corrected, this.common.seed32, this.spikeRate, this.dailyScarcity);
      const original =
        i < this.catalogIndexes.length
          ? interval.prices[this.catalogIndexes[i]!]!
          : priceAt(interval.drivers, p, this.pointKeys[i]!);
      this.batch.push(this.priceEvent(s, corrected, p, fix(original), 2, producedAt));
    }
  }

  private priceEvent(
    s: Series,
    start: number,
    sp: SettlementPoint,
    p: PriceComponents,
    version: number,
    producedAt: number,
  ): GridEvent {
    return {
      event_id: eventIdFor(this.common.idKey, this.sequence++),
      event_time: start,
      record_type: 'SETTLEMENT_POINT_PRICE',
      market: s.market,
      interval_minutes: s.intervalMinutes,
      version,
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
      producer_id: this.common.producerId,
      produced_at: producedAt,
    };
  }

  private conditionsEvent(
    s: Series,
    start: number,
    interval: GridInterval,
    zoneIndex: number,
    producedAt: number,
  ): GridEvent {
    const z = interval.zones[zoneIndex]!;
    return {
      event_id: eventIdFor(this.common.idKey, this.sequence++),
      event_time: start,
      record_type: 'SYSTEM_CONDITIONS',
      market: s.market,
      interval_minutes: s.intervalMinutes,
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
      producer_id: this.common.producerId,
      produced_at: producedAt,
    };
  }
}
