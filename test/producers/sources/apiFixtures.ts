import {
  centralWallToUtc,
  WEATHER_LOCATIONS,
  type WeatherLocation,
  weatherAt,
} from '../../../producers/sources/index.js';
import type { FixtureResponse } from './fixtureServer.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** ERCOT Public API field descriptors of NP6-905-CD (spp_node_zone_hub), as the API lists them. */
export const ERCOT_RTM_FIELDS = [
  { name: 'deliveryDate', label: 'Delivery Date', dataType: 'DATE', hasRange: true, cardinality: 0 },
  { name: 'deliveryHour', label: 'Delivery Hour', dataType: 'INTEGER', hasRange: true, cardinality: 0 },
  {
    name: 'deliveryInterval',
    label: 'Delivery Interval',
    dataType: 'INTEGER',
    hasRange: true,
    cardinality: 0,
  },
  {
    name: 'settlementPoint',
    label: 'Settlement Point Name',
    dataType: 'STRING',
    hasRange: false,
    cardinality: 0,
  },
  {
    name: 'settlementPointType',
    label: 'Settlement Point Type',
    dataType: 'STRING',
    hasRange: false,
    cardinality: 0,
  },
  {
    name: 'settlementPointPrice',
    label: 'Settlement Point Price',
    dataType: 'DOUBLE',
    hasRange: true,
    cardinality: 0,
  },
  { name: 'DSTFlag', label: 'DST Flag', dataType: 'BOOLEAN', hasRange: false, cardinality: 0 },
];

/** Field descriptors of NP4-190-CD (dam_stlmnt_pnt_prices). */
export const ERCOT_DAM_FIELDS = [
  { name: 'deliveryDate', label: 'Delivery Date', dataType: 'DATE', hasRange: true, cardinality: 0 },
  { name: 'hourEnding', label: 'Hour Ending', dataType: 'STRING', hasRange: false, cardinality: 0 },
  { name: 'settlementPoint', label: 'Settlement Point', dataType: 'STRING', hasRange: false, cardinality: 0 },
  {
    name: 'settlementPointPrice',
    label: 'Settlement Point Price',
    dataType: 'DOUBLE',
    hasRange: true,
    cardinality: 0,
  },
  { name: 'DSTFlag', label: 'DST Flag', dataType: 'BOOLEAN', hasRange: false, cardinality: 0 },
];

/** An ERCOT row: deliveryDate, deliveryHour, deliveryInterval, settlementPoint, type, price, DSTFlag. */
export type ErcotRow = [string, number, number, string, string, number, boolean];

/**
 * The hours ERCOT publishes for a Central-time operating day: HE1..HE24, without HE3 on the
 * spring-forward day, with HE2 twice (the second flagged DST) on the fall-back day.
 */
export function operatingHours(date: string): { hourEnding: number; dst: boolean }[] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dayStart = centralWallToUtc(Date.UTC(y, m - 1, d));
  const next = centralWallToUtc(Date.UTC(y, m - 1, d + 1));
  const hours = Math.round((next - dayStart) / HOUR);
  const out: { hourEnding: number; dst: boolean }[] = [];
  for (let he = 1; he <= 24; he++) {
    if (hours === 23 && he === 3) continue;
    out.push({ hourEnding: he, dst: false });
    if (hours === 25 && he === 2) out.push({ hourEnding: 2, dst: true });
  }
  return out;
}

/** Real-time SPP rows for settlement points over dates, with a deterministic price. */
export function ercotRtmRows(points: readonly [string, string][], dates: readonly string[]): ErcotRow[] {
  const rows: ErcotRow[] = [];
  for (const date of dates) {
    for (const { hourEnding, dst } of operatingHours(date)) {
      for (let interval = 1; interval <= 4; interval++) {
        for (const [name, type] of points) {
          const price = Math.round((20 + hourEnding * 1.5 + interval * 0.25 + name.length) * 100) / 100;
          rows.push([date, hourEnding, interval, name, type, price, dst]);
        }
      }
    }
  }
  return rows;
}

/**
 * A route serving rows the way the ERCOT Public API pages them: `page` (1-based) and `size`,
 * `_meta` with totals, `fields` and `data` as arrays of rows.
 */
export function ercotRoute(
  rows: readonly unknown[][],
  fields: readonly object[] = ERCOT_RTM_FIELDS,
): (q: URLSearchParams) => FixtureResponse {
  return (q) => {
    const page = Number(q.get('page') ?? '1');
    const size = Number(q.get('size') ?? '1000');
    const point = q.get('settlementPoint');
    const from = q.get('deliveryDateFrom') ?? '0000-00-00';
    const to = q.get('deliveryDateTo') ?? '9999-99-99';
    const selected = rows.filter(
      (r) =>
        (point === null || r[3] === point || r[2] === point) &&
        // Rows in other date formats (malformed-row fixtures) are always served.
        (!/^\d{4}-/.test(String(r[0])) || (String(r[0]) >= from && String(r[0]) <= to)),
    );
    const totalPages = Math.ceil(selected.length / size);
    return {
      body: {
        _meta: { totalRecords: selected.length, pageSize: size, totalPages, currentPage: page },
        report: {
          reportEMILID: 'NP6-905-CD',
          reportTitle: 'Settlement Point Prices at Resource Nodes, Hubs and Load Zones',
        },
        fields,
        data: selected.slice((page - 1) * size, page * size),
        _links: { self: { href: 'fixture' } },
      },
    };
  };
}

/** Open-Meteo `hourly_units` for the requested variables with `wind_speed_unit=ms`. */
export const OPEN_METEO_UNITS = {
  time: 'iso8601',
  temperature_2m: '°C',
  relative_humidity_2m: '%',
  dew_point_2m: '°C',
  wind_speed_10m: 'm/s',
  wind_direction_10m: '°',
  shortwave_radiation: 'W/m²',
  cloud_cover: '%',
  precipitation: 'mm',
};

/** One location's Open-Meteo `/v1/forecast` response, values from the synthetic weather model. */
export function openMeteoResponse(
  location: WeatherLocation,
  startMs: number,
  hours: number,
  seed = 5,
): object {
  const time: string[] = [];
  const cols: Record<string, number[]> = {
    temperature_2m: [],
    relative_humidity_2m: [],
    dew_point_2m: [],
    wind_speed_10m: [],
    wind_direction_10m: [],
    shortwave_radiation: [],
    cloud_cover: [],
    precipitation: [],
  };
  for (let h = 0; h < hours; h++) {
    const t = startMs + h * HOUR;
    const w = weatherAt(location, t, seed);
    time.push(new Date(t).toISOString().slice(0, 16));
    cols.temperature_2m!.push(w.temperatureC);
    cols.relative_humidity_2m!.push(Math.round(w.relativeHumidityPct));
    cols.dew_point_2m!.push(w.dewPointC);
    cols.wind_speed_10m!.push(w.windSpeedMps);
    cols.wind_direction_10m!.push(w.windDirectionDeg);
    cols.shortwave_radiation!.push(w.shortwaveRadiationWm2);
    cols.cloud_cover!.push(w.cloudCoverPct);
    cols.precipitation!.push(w.precipitationMm);
  }
  return {
    // Open-Meteo snaps coordinates to its grid and reports the grid cell.
    latitude: Math.round(location.latitudeDeg * 40) / 40,
    longitude: Math.round(location.longitudeDeg * 40) / 40,
    generationtime_ms: 0.0432,
    utc_offset_seconds: 0,
    timezone: 'GMT',
    timezone_abbreviation: 'GMT',
    elevation: 15,
    hourly_units: OPEN_METEO_UNITS,
    hourly: { time, ...cols },
  };
}

/**
 * A route answering `/v1/forecast` like Open-Meteo: one object for one coordinate pair, an array for
 * several; hours from `past_days` before today 00:00 UTC for `past_days + forecast_days` days.
 */
export function openMeteoRoute(nowMs: number): (q: URLSearchParams) => FixtureResponse {
  return (q) => {
    const lats = (q.get('latitude') ?? '').split(',').map(Number);
    const lons = (q.get('longitude') ?? '').split(',').map(Number);
    const past = Number(q.get('past_days') ?? '0');
    const days = Number(q.get('forecast_days') ?? '7');
    const start = Math.floor(nowMs / DAY) * DAY - past * DAY;
    const responses = lats.map((lat, i) => {
      const loc = WEATHER_LOCATIONS.find(
        (l) => Math.abs(l.latitudeDeg - lat) < 1e-3 && Math.abs(l.longitudeDeg - lons[i]!) < 1e-3,
      );
      if (!loc) throw new Error(`fixture has no location at ${lat},${lons[i]}`);
      return openMeteoResponse(loc, start, (past + days) * 24);
    });
    return { body: responses.length === 1 ? responses[0] : responses };
  };
}
