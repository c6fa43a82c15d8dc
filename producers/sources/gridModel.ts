import { centralWallMs } from './centralTime.js';
import {
  DAY_MS,
  ERCOT_PRICE_CAP_USD_MWH,
  ERCOT_PRICE_FLOOR_USD_MWH,
  HOUR_MS,
  MINUTE_MS,
  SCARCITY_THRESHOLD_USD_MWH,
} from './constants.js';
import { LOAD_ZONES, SETTLEMENT_POINTS, WEATHER_LOCATIONS } from './ercotCatalog.js';
import { hashNormal, hashString, hashUnit, smoothNoise } from './prng.js';
import type { LoadZoneProfile, SettlementPoint, WeatherLocation } from './types.js';
import { cosSolarZenith, type WeatherSample, weatherDriversAt } from './weatherModel.js';

/**
 * The deterministic grid model: a pure function of (interval start, seed, spike rate).
 *
 * Fundamentals drive prices: zone load = base × behavioural daily shape (lower at weekends) ×
 * a U-shaped temperature response; wind and solar come from the shared weather model; the system
 * lambda follows a heat-rate supply curve of the net load (load − wind − solar), so prices are low
 * overnight, depressed at midday by solar and peak in the evening. Scarcity spikes are rare,
 * evening-weighted and reach the 5,000 $/MWh cap. Congestion comes from three stylised constraints
 * (Houston import, West and South export).
 */

/** Wind and solar conditions of a zone at a time, from the weather model. */
export interface ZoneWeather {
  /** Mean temperature of the zone's locations, °C. */
  readonly temperatureC: number;
  /** Wind capacity factor (0..1). */
  readonly windCapacityFactor: number;
  /** Solar capacity factor (0..1), 0 at night. */
  readonly solarCapacityFactor: number;
}

/** Generation mix and load of one zone in one interval, MW (0.1). */
export interface ZoneConditions {
  /** Load zone, e.g. `LZ_HOUSTON`. */
  readonly zone: string;
  /** Mean temperature of the zone's weather locations, °C (drives the load). */
  readonly temperatureC: number;
  readonly loadMw: number;
  readonly windMw: number;
  readonly solarMw: number;
  /** Gas covers the rest of the zone's load, with a must-run floor of 6 % of load. */
  readonly gasMw: number;
  readonly coalMw: number;
  readonly nuclearMw: number;
  readonly hydroMw: number;
  /** Battery net output: negative while charging (midday), positive at the evening peak and in spikes. */
  readonly storageMw: number;
  readonly otherMw: number;
}

/**
 * LMP and its components at one settlement point: integer cents (`lmpCents === energyCents +
 * congestionCents + lossCents`), and $/MWh as cents / 100 (two decimals, no binary-float noise).
 */
export interface PriceComponents {
  /** Settlement point name. */
  readonly settlementPoint: string;
  readonly lmpCents: number;
  readonly energyCents: number;
  readonly congestionCents: number;
  readonly lossCents: number;
  readonly lmp: number;
  readonly energy: number;
  readonly congestion: number;
  readonly loss: number;
}

/** Everything the grid generator reports for one interval. */
export interface GridInterval {
  /** Interval start, epoch ms. */
  readonly startMs: number;
  /** True when the interval is a scarcity spike. */
  readonly spike: boolean;
  /** Conditions of every zone, in `LOAD_ZONES` order. */
  readonly zones: readonly ZoneConditions[];
  /** Prices of every settlement point, in `SETTLEMENT_POINTS` order. */
  readonly prices: readonly PriceComponents[];
  /** What prices any other point (a resource node) in this interval: see {@link priceAt}. */
  readonly drivers: PriceDrivers;
}

/** The system-wide part of an interval's prices: the system lambda and the binding constraints. */
export interface PriceDrivers {
  /** Generator seed (32 bits). */
  readonly seed: number;
  /** Interval start in minutes since the epoch (the key of per-interval noise). */
  readonly minute: number;
  /** System lambda, integer cents. */
  readonly energyCents: number;
  /** Shadow prices of the three stylised constraints, before each point's exposure. */
  readonly houstonTerm: number;
  readonly westTerm: number;
  readonly southTerm: number;
}

/**
 * Hash key of a settlement point's per-interval congestion noise.
 *
 * @param name - settlement point name
 */
export function pointKey(name: string): number {
  return (hashString(name) & 0x00ffffff) << 6;
}

/**
 * A settlement point's price in one interval, in integer cents: energy = the system lambda, loss =
 * energy × the point's loss factor, congestion = its exposure to the binding constraints plus noise,
 * clipped so the LMP stays inside ERCOT's band (congestion gives way, never the system lambda).
 * Dollars are the cents divided by 100, so every double is the nearest one to a two-decimal value and
 * `lmpCents === energyCents + congestionCents + lossCents` holds exactly.
 *
 * @param d - the interval's drivers
 * @param p - the settlement point
 * @param key - {@link pointKey} of its name
 */
export function priceAt(d: PriceDrivers, p: SettlementPoint, key: number): PriceComponents {
  const c = p.congestion;
  const congestion =
    c.houstonImport * d.houstonTerm +
    c.westExport * d.westTerm +
    c.southExport * d.southTerm +
    c.noise * hashNormal(d.seed, key + K_CONGESTION, d.minute);
  return centsPrice(
    p.name,
    d.energyCents,
    Math.round(congestion * 100),
    Math.round(d.energyCents * p.lossFactor),
  );
}

/**
 * Price components from integer cents, with the LMP clipped into ERCOT's band by the congestion.
 *
 * @param name - settlement point
 * @param energyCents - system lambda, cents
 * @param congestionCents - congestion before clipping, cents
 * @param lossCents - loss, cents
 */
export function centsPrice(
  name: string,
  energyCents: number,
  congestionCents: number,
  lossCents: number,
): PriceComponents {
  const cap = ERCOT_PRICE_CAP_USD_MWH * 100;
  const floor = ERCOT_PRICE_FLOOR_USD_MWH * 100;
  let congestion = congestionCents;
  const total = energyCents + congestion + lossCents;
  if (total > cap) congestion -= total - cap;
  else if (total < floor) congestion += floor - total;
  const lmpCents = energyCents + congestion + lossCents;
  return {
    settlementPoint: name,
    lmpCents,
    energyCents,
    congestionCents: congestion,
    lossCents,
    lmp: lmpCents / 100,
    energy: energyCents / 100,
    congestion: congestion / 100,
    loss: lossCents / 100,
  };
}

// Behavioural daily load shape by local hour (weekday, weekend), before the weather response.
const WEEKDAY_SHAPE = [
  0.74, 0.71, 0.69, 0.68, 0.69, 0.73, 0.8, 0.86, 0.88, 0.89, 0.9, 0.92, 0.94, 0.96, 0.98, 1.0, 1.0, 0.99,
  0.97, 0.95, 0.93, 0.89, 0.83, 0.78,
];
const WEEKEND_SHAPE = [
  0.76, 0.72, 0.7, 0.68, 0.68, 0.69, 0.72, 0.76, 0.8, 0.84, 0.87, 0.9, 0.92, 0.94, 0.96, 0.97, 0.97, 0.96,
  0.95, 0.93, 0.91, 0.88, 0.84, 0.8,
];
/** Weekend load relative to a weekday at the same shape and weather. */
const WEEKEND_FACTOR = 0.9;
// Battery net output by local hour, share of power: charge on the solar peak, discharge at the evening peak.
const STORAGE_SHAPE = [
  0.05, 0, 0, 0, 0, 0.05, 0.15, 0.2, 0, -0.2, -0.4, -0.5, -0.55, -0.55, -0.45, -0.2, 0.2, 0.55, 0.75, 0.8,
  0.6, 0.35, 0.15, 0.05,
];
// Relative likelihood of a scarcity spike by local hour; normalised to mean 1 below.
const SPIKE_WEIGHTS_RAW = [
  0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 0.9, 0.8, 0.6, 0.6, 0.7, 0.8, 0.9, 1.1, 1.4, 1.9, 2.4, 2.8, 2.6, 1.9,
  1.2, 0.7, 0.4,
];
const SPIKE_WEIGHT_MEAN = SPIKE_WEIGHTS_RAW.reduce((a, b) => a + b, 0) / 24;
const SPIKE_WEIGHTS = SPIKE_WEIGHTS_RAW.map((w) => w / SPIKE_WEIGHT_MEAN);
/** Largest spike weight: `spikeRate × max weight` must stay ≤ 1 for the mean rate to be exact. */
export const MAX_SPIKE_WEIGHT = Math.max(...SPIKE_WEIGHTS);

/** Dispatchable capacity the net load is compared with, MW. */
const THERMAL_CAPACITY_MW = 60_000;
/** Hub-height / 10 m wind-speed ratio by day (α ≈ 0.1) and by night (α ≈ 0.3), 100 m hubs. */
const DAY_SHEAR_RATIO = 1.26;
const NIGHT_SHEAR_RATIO = 2.0;
const STABILITY_LAG_MS = 2.5 * 3_600_000;
const CUT_IN_MPS = 3;
const RATED_MPS = 11.5;
const CUT_OUT_MPS = 25;
const WIND_AVAILABILITY = 0.95;
/** DC/AC and temperature losses of solar plants at 1,000 W/m². */
const SOLAR_PERFORMANCE_RATIO = 0.9;

const K_PRICE = 0x51;
const K_SPIKE = 0x52;
const K_SPIKE_SIZE = 0x53;
const K_CONGESTION = 0x54;
const K_LOAD = 0x55;
const K_SCARCITY = 0x56;

/** Length of the daily scarcity event's steps, ms: it starts and ends on quarter hours. */
const SCARCITY_STEP_MS = 15 * MINUTE_MS;
/**
 * Earliest UTC start of the daily scarcity event: 22:00 UTC = 17:00 CDT / 16:00 CST, the start of
 * the evening net-load peak; the seed moves it up to 3 h 45 min later.
 */
const SCARCITY_EARLIEST_UTC_MS = 22 * HOUR_MS;

/** The seeded daily scarcity event of one UTC day. */
export interface ScarcityEvent {
  /** First interval start, epoch ms (a quarter hour). */
  readonly startMs: number;
  /** End, exclusive, epoch ms: 15, 30 or 45 minutes after the start. */
  readonly endMs: number;
}

/**
 * The daily scarcity event that starts on a UTC day: at the same UTC time every day (seeded, in the
 * evening peak, 22:00-01:45 UTC), so any 24-hour window holds at least one interval of one event;
 * 15 to 45 minutes long (seeded per day). Only generators asked for it (`grid.dailyScarcity`) have it.
 *
 * @param seed - generator seed (32 bits)
 * @param dayIndex - UTC day, days since the epoch
 */
export function scarcityEventOn(seed: number, dayIndex: number): ScarcityEvent {
  const offset = Math.floor(hashUnit(seed, K_SCARCITY, 0) * 16) * SCARCITY_STEP_MS;
  const steps = 1 + Math.floor(hashUnit(seed, K_SCARCITY, dayIndex + 1) * 3);
  const startMs = dayIndex * DAY_MS + SCARCITY_EARLIEST_UTC_MS + offset;
  return { startMs, endMs: startMs + steps * SCARCITY_STEP_MS };
}

/**
 * Whether a time lies in a daily scarcity event.
 *
 * @param seed - generator seed (32 bits)
 * @param timeMs - epoch ms
 */
export function inScarcityEvent(seed: number, timeMs: number): boolean {
  const day = Math.floor(timeMs / DAY_MS);
  for (const d of [day - 1, day]) {
    const e = scarcityEventOn(seed, d);
    if (timeMs >= e.startMs && timeMs < e.endMs) return true;
  }
  return false;
}

const LOCATIONS_BY_ZONE: ReadonlyMap<string, readonly WeatherLocation[]> = new Map(
  LOAD_ZONES.map((z) => [z.zone, WEATHER_LOCATIONS.filter((l) => l.loadZone === z.zone)]),
);
const ZONE_KEYS: readonly number[] = LOAD_ZONES.map((z) => (hashString(z.zone) & 0x00ffffff) << 6);
const POINT_KEYS: readonly number[] = SETTLEMENT_POINTS.map((p) => pointKey(p.name));
const scratch: WeatherSample = {
  temperatureC: 0,
  dewPointC: 0,
  relativeHumidityPct: 0,
  windSpeedMps: 0,
  windDirectionDeg: 0,
  shortwaveRadiationWm2: 0,
  cloudCoverPct: 0,
  precipitationMm: 0,
};
const ZONE_INDEX = new Map(LOAD_ZONES.map((z, i) => [z.zone, i]));

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(x, hi));
}

function interpolate(shape: readonly number[], hour: number): number {
  const i = Math.floor(hour);
  const f = hour - i;
  return shape[i % 24]! * (1 - f) + shape[(i + 1) % 24]! * f;
}

/**
 * Ratio of hub-height (~100 m) to 10 m wind speed. By day the mixed boundary layer keeps it small
 * (α ≈ 0.1); after sunset the surface decouples and the low-level jet builds (α ≈ 0.3), which is why
 * Texas wind output peaks at night. Stability follows the sun of 2.5 hours earlier, so the night
 * regime builds gradually after sunset.
 *
 * @param location - weather location
 * @param timeMs - epoch milliseconds
 */
export function windShearRatio(location: WeatherLocation, timeMs: number): number {
  const sun = cosSolarZenith(location.latitudeDeg, location.longitudeDeg, timeMs - STABILITY_LAG_MS);
  const stable = sun <= 0 ? 1 : Math.max(0, 1 - sun / 0.25);
  return DAY_SHEAR_RATIO + (NIGHT_SHEAR_RATIO - DAY_SHEAR_RATIO) * stable;
}

/**
 * Capacity factor of a wind fleet at a hub-height wind speed: cubic between cut-in and rated
 * speed, zero above cut-out.
 *
 * @param hubWindMps - wind speed at hub height, m/s (10 m speed × {@link windShearRatio})
 */
export function windCapacityFactor(hubWindMps: number): number {
  const v = hubWindMps;
  if (v < CUT_IN_MPS || v >= CUT_OUT_MPS) return 0;
  if (v >= RATED_MPS) return WIND_AVAILABILITY;
  const vi3 = CUT_IN_MPS ** 3;
  return (WIND_AVAILABILITY * (v ** 3 - vi3)) / (RATED_MPS ** 3 - vi3);
}

/**
 * Capacity factor of a solar fleet at a global horizontal irradiance; 0 at night.
 *
 * @param ghiWm2 - irradiance, W/m²
 */
export function solarCapacityFactor(ghiWm2: number): number {
  return Math.min(1, (ghiWm2 / 1000) * SOLAR_PERFORMANCE_RATIO);
}

/**
 * Temperature and renewable capacity factors of a load zone: the mean over its weather locations of
 * the shared weather model.
 *
 * @param zone - load zone name
 * @param timeMs - epoch milliseconds
 * @param seed - generator seed
 */
export function zoneWeatherAt(zone: string, timeMs: number, seed: number): ZoneWeather {
  const locations = LOCATIONS_BY_ZONE.get(zone) ?? [];
  let t = 0;
  let w = 0;
  let s = 0;
  for (const location of locations) {
    const x = weatherDriversAt(location, timeMs, seed, scratch);
    t += x.temperatureC;
    w += windCapacityFactor(x.windSpeedMps * windShearRatio(location, timeMs));
    s += solarCapacityFactor(x.shortwaveRadiationWm2);
  }
  const n = locations.length || 1;
  return { temperatureC: t / n, windCapacityFactor: w / n, solarCapacityFactor: s / n };
}

/**
 * Load multiplier of the weather: cooling load above 20 °C, heating load below 14 °C (U-shape).
 *
 * @param temperatureC - zone temperature
 */
export function temperatureResponse(temperatureC: number): number {
  const cooling = temperatureC > 20 ? 0.02 * (temperatureC - 20) ** 1.2 : 0;
  const heating = temperatureC < 14 ? 0.025 * (14 - temperatureC) ** 1.1 : 0;
  return cooling + heating;
}

/**
 * The grid in one interval: zone conditions and settlement-point prices.
 *
 * @param startMs - interval start, epoch ms
 * @param seed - generator seed
 * @param spikeRate - mean share of intervals with a scarcity spike
 * @param dailyScarcity - add the seeded daily evening scarcity event ({@link scarcityEventOn})
 */
export function gridIntervalAt(
  startMs: number,
  seed: number,
  spikeRate: number,
  dailyScarcity = false,
): GridInterval {
  const wall = centralWallMs(startMs);
  const localHour = (wall % DAY_MS) / HOUR_MS;
  const weekday = (((Math.floor(wall / DAY_MS) + 4) % 7) + 7) % 7;
  const weekend = weekday === 0 || weekday === 6;
  const shape = weekend
    ? interpolate(WEEKEND_SHAPE, localHour) * WEEKEND_FACTOR
    : interpolate(WEEKDAY_SHAPE, localHour);
  const minute = Math.floor(startMs / MINUTE_MS);
  const hourIndex = Math.floor(localHour);

  const zoneCount = LOAD_ZONES.length;
  const loads = new Array<number>(zoneCount);
  const winds = new Array<number>(zoneCount);
  const solars = new Array<number>(zoneCount);
  const temps = new Array<number>(zoneCount);
  let systemLoad = 0;
  let systemRenewables = 0;
  for (let i = 0; i < zoneCount; i++) {
    const z = LOAD_ZONES[i]!;
    const weather = zoneWeatherAt(z.zone, startMs, seed);
    const noise = 0.015 * smoothNoise(seed, ZONE_KEYS[i]! + K_LOAD, startMs, 6 * HOUR_MS);
    const load =
      z.baseLoadMw *
      shape *
      (1 + z.weatherSensitivity * temperatureResponse(weather.temperatureC)) *
      (1 + noise);
    loads[i] = round1(load);
    winds[i] = round1(z.windMw * weather.windCapacityFactor);
    solars[i] = round1(z.solarMw * weather.solarCapacityFactor);
    temps[i] = weather.temperatureC;
    systemLoad += loads[i]!;
    systemRenewables += winds[i]! + solars[i]!;
  }

  // System lambda from the supply curve of the net load.
  const netLoad = systemLoad - systemRenewables;
  const r = clamp(netLoad / THERMAL_CAPACITY_MW, 0, 1.02);
  const dayOfYear = (startMs / DAY_MS) % 365.2425;
  const winterness = (1 - Math.cos((2 * Math.PI * (dayOfYear - 200)) / 365.2425)) / 2;
  const gasPrice = 2.8 + 0.8 * winterness;
  let energy = gasPrice * (6.8 + 9 * r ** 4) + 3 + 350 * Math.exp((r - 1) / 0.045);
  const renewableShare = systemRenewables / systemLoad;
  if (renewableShare > 0.65) energy -= 45 * (renewableShare - 0.65);
  energy *=
    1 + 0.06 * hashNormal(seed, K_PRICE, minute) + 0.04 * smoothNoise(seed, K_PRICE, startMs, 3 * HOUR_MS);
  energy = clamp(energy, -60, SCARCITY_THRESHOLD_USD_MWH - 100);
  const inEvent = dailyScarcity && inScarcityEvent(seed, startMs);
  const spike = inEvent || hashUnit(seed, K_SPIKE, minute) < spikeRate * SPIKE_WEIGHTS[hourIndex]!;
  if (inEvent) {
    // A scarcity event: reserves short, offers at 1.5-5 k$/MWh, the cap in its worst intervals.
    const size = hashUnit(seed, K_SCARCITY + 1, minute);
    energy = size > 0.7 ? ERCOT_PRICE_CAP_USD_MWH : 1500 + 3500 * size;
  } else if (spike) {
    const size = hashUnit(seed, K_SPIKE_SIZE, minute);
    energy =
      size > 0.85
        ? ERCOT_PRICE_CAP_USD_MWH
        : SCARCITY_THRESHOLD_USD_MWH + (ERCOT_PRICE_CAP_USD_MWH - SCARCITY_THRESHOLD_USD_MWH) * size * size;
  }
  const energyCents = Math.round(energy * 100);

  // Dispatch of the rest of the fleet in each zone.
  const zones = new Array<ZoneConditions>(zoneCount);
  const storageShare = spike ? 0.95 : interpolate(STORAGE_SHAPE, localHour);
  const peakness = clamp((r - 0.3) / 0.6, 0, 1);
  for (let i = 0; i < zoneCount; i++) {
    const z: LoadZoneProfile = LOAD_ZONES[i]!;
    const load = loads[i]!;
    const nuclear = round1(z.nuclearMw * 0.97);
    const coal = round1(z.coalMw * (0.45 + 0.45 * peakness));
    const hydro = round1(z.hydroMw * (0.2 + 0.6 * peakness));
    const storage = round1(z.storageMw * storageShare);
    const other = round1(z.otherMw * 0.75);
    const rest = load - winds[i]! - solars[i]! - nuclear - coal - hydro - storage - other;
    const gas = round1(Math.max(0.06 * load, rest));
    zones[i] = {
      zone: z.zone,
      temperatureC: temps[i]!,
      loadMw: load,
      windMw: winds[i]!,
      solarMw: solars[i]!,
      gasMw: gas,
      coalMw: coal,
      nuclearMw: nuclear,
      hydroMw: hydro,
      storageMw: storage,
      otherMw: other,
    };
  }

  // Constraints: Houston import (high Houston load), West and South export (renewables above load).
  const h = ZONE_INDEX.get('LZ_HOUSTON')!;
  const w = ZONE_INDEX.get('LZ_WEST')!;
  const s = ZONE_INDEX.get('LZ_SOUTH')!;
  const houstonStress = clamp((loads[h]! / (LOAD_ZONES[h]!.baseLoadMw * 1.5) - 0.8) / 0.2, 0, 1.5);
  const westExport = clamp((winds[w]! + solars[w]! - loads[w]!) / LOAD_ZONES[w]!.windMw, 0, 1.5);
  const southExport = clamp((winds[s]! + solars[s]! - loads[s]!) / LOAD_ZONES[s]!.windMw, 0, 1.5);
  const drivers: PriceDrivers = {
    seed,
    minute,
    energyCents,
    houstonTerm: houstonStress * houstonStress * (spike ? 3 : 1),
    westTerm: westExport ** 1.5,
    southTerm: southExport ** 1.5,
  };
  const prices = new Array<PriceComponents>(SETTLEMENT_POINTS.length);
  for (let i = 0; i < SETTLEMENT_POINTS.length; i++) {
    prices[i] = priceAt(drivers, SETTLEMENT_POINTS[i]!, POINT_KEYS[i]!);
  }
  return { startMs, spike, zones, prices, drivers };
}
