import { contractFor, type WeatherEvent } from '../../../schemas/index.js';
import { HOUR_MS } from '../constants.js';
import { eventIdFromKey } from '../eventId.js';
import type { WeatherLocation } from '../types.js';
import { OPEN_METEO_HOURLY_VARIABLES, OPEN_METEO_SOURCE } from './constants.js';
import { MalformedResponseError } from './errors.js';
import type { PollPage, RejectedRecord } from './types.js';

/** Where a response came from and when it was read. */
export interface OpenMeteoContext {
  readonly url: string;
  readonly page: number;
  readonly producerId: string;
  /** Poll time, epoch ms: hours at or before it are OBSERVATIONs, later ones FORECASTs. */
  readonly nowMs: number;
}

type Variable = (typeof OPEN_METEO_HOURLY_VARIABLES)[number];

const contract = contractFor('weather');

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Converts a unit Open-Meteo reports into the contract's unit. */
function converter(variable: Variable, unit: unknown): ((x: number) => number) | string {
  if (unit === undefined) return (x) => x;
  if (variable === 'temperature_2m' || variable === 'dew_point_2m') {
    if (unit === '°C') return (x) => x;
    if (unit === '°F') return (x) => Math.round(((x - 32) / 1.8) * 10) / 10;
  } else if (variable === 'wind_speed_10m') {
    if (unit === 'm/s') return (x) => x;
    if (unit === 'km/h') return (x) => Math.round((x / 3.6) * 10) / 10;
    if (unit === 'mp/h') return (x) => Math.round(x * 0.44704 * 10) / 10;
    if (unit === 'kn') return (x) => Math.round(x * 0.514444 * 10) / 10;
  } else if (variable === 'precipitation') {
    if (unit === 'mm') return (x) => x;
    if (unit === 'inch') return (x) => Math.round(x * 25.4 * 10) / 10;
  } else {
    return (x) => x;
  }
  return `unsupported unit ${JSON.stringify(unit)} for ${variable}`;
}

/**
 * Parses an Open-Meteo time: ISO `YYYY-MM-DDTHH:MM` in the response's timezone (UTC when
 * `timezone=UTC`; `utc_offset_seconds` is applied otherwise) or unix seconds (`timeformat=unixtime`).
 */
function parseTime(value: unknown, utcOffsetSeconds: number): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return Number.NaN;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) - utcOffsetSeconds * 1000;
}

/**
 * Converts one Open-Meteo `/v1/forecast` response (one object, or an array for several coordinates)
 * into weather contract events: hours at or before the poll time become OBSERVATIONs, later hours
 * FORECASTs issued at the poll hour. Each event is validated; records that cannot be converted are
 * returned as rejected with the reason, without dropping the valid ones.
 *
 * The event id derives from (location, record type, issue hour, valid time), so polling the same
 * forecast again yields the same ids.
 *
 * @param body - parsed JSON body
 * @param locations - the locations requested, in request order
 * @param ctx - URL, page, producer id and poll time
 * @throws MalformedResponseError when the body is not in Open-Meteo's format
 */
export function openMeteoToEvents(
  body: unknown,
  locations: readonly WeatherLocation[],
  ctx: OpenMeteoContext,
): PollPage<WeatherEvent> {
  const responses = Array.isArray(body) ? body : [body];
  const fail = (reason: string) => new MalformedResponseError(ctx.url, ctx.page, reason);
  if (responses.length !== locations.length) {
    throw fail(`expected ${locations.length} location(s), got ${responses.length}`);
  }
  const issuedAt = Math.floor(ctx.nowMs / HOUR_MS) * HOUR_MS;
  const events: WeatherEvent[] = [];
  const rejected: RejectedRecord[] = [];
  responses.forEach((response, li) => {
    const location = locations[li]!;
    if (!isRecord(response)) throw fail(`location ${location.id}: expected an object`);
    if (response.error === true) throw fail(`location ${location.id}: ${String(response.reason)}`);
    const hourly = response.hourly;
    if (!isRecord(hourly) || !Array.isArray(hourly.time)) {
      throw fail(`location ${location.id}: missing hourly.time`);
    }
    const times = hourly.time as unknown[];
    const units = isRecord(response.hourly_units) ? response.hourly_units : {};
    const offset = typeof response.utc_offset_seconds === 'number' ? response.utc_offset_seconds : 0;
    const columns = {} as Record<Variable, readonly unknown[]>;
    const convert = {} as Record<Variable, (x: number) => number>;
    for (const v of OPEN_METEO_HOURLY_VARIABLES) {
      const column = hourly[v];
      if (!Array.isArray(column) || column.length !== times.length) {
        throw fail(`location ${location.id}: hourly.${v} missing or not ${times.length} values long`);
      }
      const c = converter(v, units[v]);
      if (typeof c === 'string') throw fail(`location ${location.id}: ${c}`);
      columns[v] = column;
      convert[v] = c;
    }
    const value = (v: Variable, i: number): number | null => {
      const x = columns[v][i];
      return typeof x === 'number' && Number.isFinite(x) ? convert[v](x) : null;
    };
    for (let i = 0; i < times.length; i++) {
      const reject = (reason: string) =>
        rejected.push({ url: ctx.url, page: ctx.page, index: i, reason: `${location.id}: ${reason}` });
      const t = parseTime(times[i], offset);
      if (Number.isNaN(t)) {
        reject(`hourly.time[${i}] ${JSON.stringify(times[i])} is not a time`);
        continue;
      }
      const temperature = value('temperature_2m', i);
      if (temperature === null) {
        reject(`temperature_2m at ${times[i]} is null`);
        continue;
      }
      const forecast = t > ctx.nowMs;
      const horizon = forecast ? Math.max(1, Math.ceil((t - issuedAt) / HOUR_MS)) : null;
      const key = `open-meteo|${location.id}|${forecast ? `F|${issuedAt}` : 'O'}|${t}`;
      const event: WeatherEvent = {
        event_id: eventIdFromKey(key),
        event_time: t,
        record_type: forecast ? 'FORECAST' : 'OBSERVATION',
        location_id: location.id,
        location_name: location.name,
        load_zone: location.loadZone,
        latitude_deg: location.latitudeDeg,
        longitude_deg: location.longitudeDeg,
        forecast_issued_at: forecast ? issuedAt : null,
        forecast_horizon_hours: horizon,
        temperature_c: temperature,
        relative_humidity_pct: value('relative_humidity_2m', i),
        dew_point_c: value('dew_point_2m', i),
        wind_speed_mps: value('wind_speed_10m', i),
        wind_direction_deg: value('wind_direction_10m', i),
        shortwave_radiation_w_m2: value('shortwave_radiation', i),
        cloud_cover_pct: value('cloud_cover', i),
        precipitation_mm: value('precipitation', i),
        source: OPEN_METEO_SOURCE,
        producer_id: ctx.producerId,
        produced_at: ctx.nowMs,
      };
      const violations = contract.validate(event);
      if (violations.length > 0) {
        reject(violations.map((v) => `${v.path}: ${v.reason}`).join('; '));
        continue;
      }
      events.push(event);
    }
  });
  return { url: ctx.url, page: ctx.page, events, rejected };
}
