import { SYSTEM_ZONE } from './constants.js';
import { hashUnit } from './prng.js';
import type { LoadZoneProfile, SettlementPoint, WeatherLocation } from './types.js';

/**
 * Texas weather locations (real coordinates), each mapped to the ERCOT load zone it drives.
 * El Paso is outside the ERCOT interconnection; it is kept for weather coverage and mapped to the
 * nearest zone, LZ_WEST.
 */
export const WEATHER_LOCATIONS: readonly WeatherLocation[] = [
  {
    id: 'houston',
    name: 'Houston',
    loadZone: 'LZ_HOUSTON',
    latitudeDeg: 29.7604,
    longitudeDeg: -95.3698,
    climate: climate(21.0, 8.0, 4.5, 15.5, 7.0, 3.6, -0.1, 0.6),
  },
  {
    id: 'dallas',
    name: 'Dallas',
    loadZone: 'LZ_NORTH',
    latitudeDeg: 32.7767,
    longitudeDeg: -96.797,
    climate: climate(19.4, 10.0, 5.5, 10.5, 8.0, 4.3, -0.3, 0.55),
  },
  {
    id: 'fort_worth',
    name: 'Fort Worth',
    loadZone: 'LZ_NORTH',
    latitudeDeg: 32.7555,
    longitudeDeg: -97.3308,
    climate: climate(19.0, 10.0, 6.0, 10.0, 8.0, 4.5, -0.35, 0.52),
  },
  {
    id: 'austin',
    name: 'Austin',
    loadZone: 'LZ_AEN',
    latitudeDeg: 30.2672,
    longitudeDeg: -97.7431,
    climate: climate(20.8, 8.8, 6.0, 12.5, 7.5, 3.5, -0.3, 0.45),
  },
  {
    id: 'san_antonio',
    name: 'San Antonio',
    loadZone: 'LZ_CPS',
    latitudeDeg: 29.4241,
    longitudeDeg: -98.4936,
    climate: climate(21.0, 8.6, 6.2, 12.5, 7.5, 3.8, -0.35, 0.5),
  },
  {
    id: 'corpus_christi',
    name: 'Corpus Christi',
    loadZone: 'LZ_SOUTH',
    latitudeDeg: 27.8006,
    longitudeDeg: -97.3964,
    climate: climate(22.4, 7.2, 4.5, 17.0, 6.0, 5.6, -0.2, 0.5),
  },
  {
    id: 'brownsville',
    name: 'Brownsville',
    loadZone: 'LZ_SOUTH',
    latitudeDeg: 25.9017,
    longitudeDeg: -97.4975,
    climate: climate(23.6, 6.0, 4.8, 18.0, 5.0, 5.0, -0.2, 0.45),
  },
  {
    id: 'midland',
    name: 'Midland',
    loadZone: 'LZ_WEST',
    latitudeDeg: 31.9973,
    longitudeDeg: -102.0779,
    climate: climate(18.2, 9.5, 8.0, 3.5, 8.0, 5.4, -1.0, 0.42),
  },
  {
    id: 'lubbock',
    name: 'Lubbock',
    loadZone: 'LZ_WEST',
    latitudeDeg: 33.5779,
    longitudeDeg: -101.8552,
    climate: climate(15.8, 10.5, 8.5, 2.5, 8.0, 6.0, -0.9, 0.42),
  },
  {
    id: 'abilene',
    name: 'Abilene',
    loadZone: 'LZ_WEST',
    latitudeDeg: 32.4487,
    longitudeDeg: -99.7331,
    climate: climate(18.0, 10.0, 7.0, 7.0, 8.0, 5.4, -0.7, 0.45),
  },
  {
    id: 'el_paso',
    name: 'El Paso',
    loadZone: 'LZ_WEST',
    latitudeDeg: 31.7619,
    longitudeDeg: -106.485,
    climate: climate(18.3, 10.0, 8.5, 0.5, 7.0, 3.9, -1.3, 0.35),
  },
];

/**
 * ERCOT load zones with SYSTEM_CONDITIONS: load and fleet sizes in the proportions of the real
 * system (most wind and solar in the West, nuclear in North and South, coal near Houston and Dallas).
 */
export const LOAD_ZONES: readonly LoadZoneProfile[] = [
  zone('LZ_HOUSTON', 13_500, 0.9, 600, 1_800, 0, 2_800, 0, 900, 400),
  zone('LZ_NORTH', 20_000, 1.0, 5_500, 6_500, 2_430, 5_200, 80, 1_800, 350),
  zone('LZ_SOUTH', 6_300, 0.9, 6_500, 3_500, 2_700, 1_100, 40, 1_500, 200),
  zone('LZ_WEST', 7_500, 0.45, 24_000, 14_000, 0, 0, 0, 3_200, 150),
  zone('LZ_AEN', 2_100, 0.9, 0, 400, 0, 600, 250, 200, 50),
  zone('LZ_CPS', 4_000, 0.9, 0, 900, 0, 1_400, 0, 300, 100),
];

/** ERCOT hubs and load zones priced by the grid generator. */
export const SETTLEMENT_POINTS: readonly SettlementPoint[] = [
  point('HB_HOUSTON', 'HUB', 'LZ_HOUSTON', 0.012, 22, 0, 0, 0.8),
  point('HB_NORTH', 'HUB', 'LZ_NORTH', 0.004, 2, -4, 0, 0.5),
  point('HB_SOUTH', 'HUB', 'LZ_SOUTH', 0.006, 3, 0, -18, 0.9),
  point('HB_WEST', 'HUB', 'LZ_WEST', -0.015, 0, -55, 0, 1.2),
  point('HB_PAN', 'HUB', 'LZ_WEST', -0.02, 0, -75, 0, 1.5),
  point('HB_BUSAVG', 'HUB', SYSTEM_ZONE, 0.003, 6, -10, -3, 0.3),
  point('HB_HUBAVG', 'HUB', SYSTEM_ZONE, 0.002, 6, -14, -4, 0.3),
  point('LZ_HOUSTON', 'LOAD_ZONE', 'LZ_HOUSTON', 0.015, 25, 0, 0, 0.9),
  point('LZ_NORTH', 'LOAD_ZONE', 'LZ_NORTH', 0.006, 3, -3, 0, 0.6),
  point('LZ_SOUTH', 'LOAD_ZONE', 'LZ_SOUTH', 0.008, 4, 0, -14, 1.0),
  point('LZ_WEST', 'LOAD_ZONE', 'LZ_WEST', -0.01, 0, -50, 0, 1.3),
  point('LZ_AEN', 'LOAD_ZONE', 'LZ_AEN', 0.007, 5, 0, 0, 0.7),
  point('LZ_CPS', 'LOAD_ZONE', 'LZ_CPS', 0.008, 5, 0, -2, 0.7),
  point('LZ_LCRA', 'LOAD_ZONE', 'LZ_LCRA', 0.006, 4, -2, 0, 0.7),
  point('LZ_RAYBN', 'LOAD_ZONE', 'LZ_RAYBN', 0.005, 2, -3, 0, 0.6),
];

/** Largest number of synthetic resource nodes the grid generator can price. */
export const MAX_RESOURCE_NODES = 2000;

// Share of resource nodes per load zone (wind and solar farms crowd the West), cumulative.
const NODE_ZONES = [
  { zone: 'LZ_WEST', tag: 'W', cumulative: 0.36 },
  { zone: 'LZ_NORTH', tag: 'N', cumulative: 0.6 },
  { zone: 'LZ_SOUTH', tag: 'S', cumulative: 0.78 },
  { zone: 'LZ_HOUSTON', tag: 'H', cumulative: 0.9 },
  { zone: 'LZ_CPS', tag: 'C', cumulative: 0.95 },
  { zone: 'LZ_AEN', tag: 'A', cumulative: 1 },
] as const;

/**
 * Synthetic ERCOT resource nodes (generator busbars), in a fixed order: `RN_<zone tag>_<nnnn>`, each
 * in a load zone with its own loss factor (±3 %) and congestion exposure (its zone's, scaled 0.5-1.7×,
 * noisier than a hub). The grid generator prices the first N of them (`grid.resourceNodes`), so a
 * wider key universe is a longer prefix of the same list.
 */
export const RESOURCE_NODES: readonly SettlementPoint[] = Array.from(
  { length: MAX_RESOURCE_NODES },
  (_, i) => {
    const u = (k: number) => hashUnit(0x5eed, k, i);
    const z = NODE_ZONES.find((x) => u(1) < x.cumulative) ?? NODE_ZONES[0];
    const base = SETTLEMENT_POINTS.find((p) => p.name === z.zone)!.congestion;
    const scale = 0.5 + 1.2 * u(2);
    return point(
      `RN_${z.tag}_${String(i + 1).padStart(4, '0')}`,
      'RESOURCE_NODE',
      z.zone,
      Math.round((u(3) * 0.06 - 0.03) * 1000) / 1000,
      base.houstonImport * scale,
      base.westExport * scale,
      base.southExport * scale,
      1 + 2 * u(4),
    );
  },
);

/** Largest number of extra weather stations per location (`weather.stationsPerLocation` − 1). */
export const MAX_STATIONS_PER_LOCATION = 20;

/**
 * Weather stations: every location of {@link WEATHER_LOCATIONS} first, then up to
 * `perLocation − 1` nearby stations per location (`<id>_2`, `<id>_3`, … within ~0.5° of it, same
 * climate and load zone, their own local weather). `weatherStations(1)` is `WEATHER_LOCATIONS`.
 *
 * @param perLocation - stations per location, 1..{@link MAX_STATIONS_PER_LOCATION}
 */
export function weatherStations(perLocation: number): readonly WeatherLocation[] {
  const out: WeatherLocation[] = [...WEATHER_LOCATIONS];
  for (let k = 2; k <= perLocation; k++) {
    for (const [i, l] of WEATHER_LOCATIONS.entries()) {
      out.push({
        ...l,
        id: `${l.id}_${k}`,
        name: `${l.name} ${k}`,
        latitudeDeg: Math.round((l.latitudeDeg + hashUnit(0x57a7, k, i * 2) - 0.5) * 10_000) / 10_000,
        longitudeDeg: Math.round((l.longitudeDeg + hashUnit(0x57a7, k, i * 2 + 1) - 0.5) * 10_000) / 10_000,
      });
    }
  }
  return out;
}

function climate(
  meanTempC: number,
  seasonalAmplitudeC: number,
  diurnalAmplitudeC: number,
  meanDewPointC: number,
  dewSeasonalAmplitudeC: number,
  meanWindMps: number,
  cloudBias: number,
  wetness: number,
): WeatherLocation['climate'] {
  return {
    meanTempC,
    seasonalAmplitudeC,
    diurnalAmplitudeC,
    meanDewPointC,
    dewSeasonalAmplitudeC,
    meanWindMps,
    cloudBias,
    wetness,
  };
}

function zone(
  name: string,
  baseLoadMw: number,
  weatherSensitivity: number,
  windMw: number,
  solarMw: number,
  nuclearMw: number,
  coalMw: number,
  hydroMw: number,
  storageMw: number,
  otherMw: number,
): LoadZoneProfile {
  return {
    zone: name,
    baseLoadMw,
    weatherSensitivity,
    windMw,
    solarMw,
    nuclearMw,
    coalMw,
    hydroMw,
    storageMw,
    otherMw,
  };
}

function point(
  name: string,
  type: SettlementPoint['type'],
  loadZone: string,
  lossFactor: number,
  houstonImport: number,
  westExport: number,
  southExport: number,
  noise: number,
): SettlementPoint {
  return { name, type, loadZone, lossFactor, congestion: { houstonImport, westExport, southExport, noise } };
}
