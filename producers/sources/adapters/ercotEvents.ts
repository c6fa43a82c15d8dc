import { contractFor, type GridEvent } from '../../../schemas/index.js';
import { centralWallMs, centralWallToUtc } from '../centralTime.js';
import { HOUR_MS, MINUTE_MS, SYSTEM_ZONE } from '../constants.js';
import { SETTLEMENT_POINTS } from '../ercotCatalog.js';
import { eventIdFromKey } from '../eventId.js';
import { ERCOT_REPORTS, ERCOT_SOURCE } from './constants.js';
import { MalformedResponseError } from './errors.js';
import type { PollPage, RejectedRecord } from './types.js';

/** An ERCOT report the poller reads. */
export type ErcotReport = keyof typeof ERCOT_REPORTS;

/** Paging metadata of an ERCOT Public API response. */
export interface ErcotMeta {
  readonly totalRecords: number;
  readonly pageSize: number;
  readonly totalPages: number;
  readonly currentPage: number;
}

/** Maps a settlement point to its load zone (for `load_zone`). */
export type ZoneOf = (settlementPoint: string, type: GridEvent['settlement_point_type']) => string;

/** Where a response came from and when it was read. */
export interface ErcotContext {
  readonly url: string;
  readonly page: number;
  readonly report: ErcotReport;
  readonly producerId: string;
  readonly nowMs: number;
  readonly zoneOf: ZoneOf;
}

const contract = contractFor('grid');
const KNOWN_ZONES = new Map(SETTLEMENT_POINTS.map((p) => [p.name, p.loadZone]));

/** ERCOT settlement-point type codes → contract types. */
const POINT_TYPES: Readonly<Record<string, GridEvent['settlement_point_type']>> = {
  HU: 'HUB',
  AH: 'HUB',
  SH: 'HUB',
  LZ: 'LOAD_ZONE',
  LZEW: 'LOAD_ZONE',
  LZ_DC: 'LOAD_ZONE',
  RN: 'RESOURCE_NODE',
  PCCRN: 'RESOURCE_NODE',
  PUN: 'RESOURCE_NODE',
};

/**
 * Default `load_zone` of a settlement point: the catalogue's zone for hubs and load zones, `ERCOT`
 * for system hubs, `UNKNOWN` for resource nodes (pass `zoneOf` to map them).
 *
 * @param settlementPoint - ERCOT name
 * @param type - contract type
 */
export const defaultZoneOf: ZoneOf = (settlementPoint, type) => {
  const known = KNOWN_ZONES.get(settlementPoint);
  if (known) return known;
  if (type === 'LOAD_ZONE') return settlementPoint;
  if (type === 'HUB') return SYSTEM_ZONE;
  return 'UNKNOWN';
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses `YYYY-MM-DD` (API) or `MM/DD/YYYY` (CSV reports) into the local day's start as "local epoch" ms. */
function parseDeliveryDate(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  if (m) return Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!);
  return Number.NaN;
}

/** Hour ending 1..24 from a number or `HH:00`. */
function parseHourEnding(value: unknown): number {
  const n = typeof value === 'string' ? Number(value.replace(/:00$/, '')) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 24 ? n : Number.NaN;
}

function parseFlag(value: unknown): boolean | undefined {
  if (value === true || value === 'Y' || value === 'y' || value === 'true') return true;
  if (value === false || value === 'N' || value === 'n' || value === 'false' || value == null) return false;
  return undefined;
}

/**
 * Reads and checks the `_meta` of an ERCOT response.
 *
 * @param body - parsed JSON body
 * @param url - URL for errors
 * @param page - requested page
 * @throws MalformedResponseError when `_meta` is missing or inconsistent
 */
export function ercotMeta(body: unknown, url: string, page: number): ErcotMeta {
  const meta = isRecord(body) ? body._meta : undefined;
  if (!isRecord(meta)) throw new MalformedResponseError(url, page, 'missing _meta');
  const { totalRecords, pageSize, totalPages, currentPage } = meta;
  for (const [k, v] of Object.entries({ totalRecords, pageSize, totalPages, currentPage })) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new MalformedResponseError(url, page, `_meta.${k} is ${JSON.stringify(v)}, expected an integer`);
    }
  }
  if (currentPage !== page && !(totalPages === 0 && page === 1)) {
    throw new MalformedResponseError(
      url,
      page,
      `_meta.currentPage is ${currentPage}, requested page ${page}`,
    );
  }
  return meta as unknown as ErcotMeta;
}

/**
 * Converts one page of an ERCOT settlement-point-price report (NP6-905-CD real-time 15-minute, or
 * NP4-190-CD day-ahead hourly) into grid contract events.
 *
 * Rows are read by the names in `fields` (arrays or objects). Delivery date + hour ending (+ 15-minute
 * interval) are US Central prevailing time: converted to the interval start in UTC, with `DSTFlag`
 * choosing the second (standard-time) occurrence of the repeated hour on the fall-back day; the
 * skipped hour of the spring-forward day is rejected. Every event is validated; bad rows are returned
 * as rejected with the reason. Ids derive from the row's natural key, so re-polling gives the same ids.
 *
 * @param body - parsed JSON body
 * @param ctx - URL, page, report, producer id, poll time, zone mapping
 * @throws MalformedResponseError when the body is not in the API's format
 */
export function ercotToEvents(body: unknown, ctx: ErcotContext): PollPage<GridEvent> {
  const fail = (reason: string) => new MalformedResponseError(ctx.url, ctx.page, reason);
  if (!isRecord(body)) throw fail('expected a JSON object');
  const { fields, data } = body;
  if (!Array.isArray(fields)) throw fail('missing fields[]');
  if (!Array.isArray(data)) throw fail('missing data[]');
  const names = fields.map((f) => (isRecord(f) ? f.name : undefined));
  const col = (name: string, required: boolean): number => {
    const i = names.indexOf(name);
    if (i < 0 && required) throw fail(`fields[] has no ${name}`);
    return i;
  };
  const rtm = ctx.report === 'rtm';
  const iDate = col('deliveryDate', true);
  const iHour = rtm ? col('deliveryHour', true) : col('hourEnding', true);
  const iInterval = rtm ? col('deliveryInterval', true) : -1;
  const iPoint = col('settlementPoint', true);
  const iType = col('settlementPointType', false);
  const iPrice = col('settlementPointPrice', true);
  const iDst = col('DSTFlag', false);
  const report = ERCOT_REPORTS[ctx.report];
  const events: GridEvent[] = [];
  const rejected: RejectedRecord[] = [];
  for (let r = 0; r < data.length; r++) {
    const row = data[r];
    const get = (i: number): unknown => {
      if (i < 0) return undefined;
      if (Array.isArray(row)) return row[i];
      return isRecord(row) ? row[names[i] as string] : undefined;
    };
    const reject = (reason: string) => rejected.push({ url: ctx.url, page: ctx.page, index: r, reason });
    if (!Array.isArray(row) && !isRecord(row)) {
      reject('row is not an array or object');
      continue;
    }
    const point = get(iPoint);
    const day = parseDeliveryDate(get(iDate));
    const hourEnding = parseHourEnding(get(iHour));
    const interval = rtm ? get(iInterval) : 1;
    const rawPrice = get(iPrice);
    const price = typeof rawPrice === 'string' ? Number(rawPrice) : rawPrice;
    const dst = parseFlag(get(iDst));
    if (typeof point !== 'string' || point === '') {
      reject(`settlementPoint ${JSON.stringify(point)} is not a name`);
      continue;
    }
    if (Number.isNaN(day)) {
      reject(`${point}: deliveryDate ${JSON.stringify(get(iDate))} is not a date`);
      continue;
    }
    if (Number.isNaN(hourEnding)) {
      reject(`${point}: hour ending ${JSON.stringify(get(iHour))} is not 1..24`);
      continue;
    }
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1 || interval > 4) {
      reject(`${point}: deliveryInterval ${JSON.stringify(interval)} is not 1..4`);
      continue;
    }
    if (typeof price !== 'number' || !Number.isFinite(price)) {
      reject(`${point}: settlementPointPrice ${JSON.stringify(rawPrice)} is not a number`);
      continue;
    }
    if (dst === undefined) {
      reject(`${point}: DSTFlag ${JSON.stringify(get(iDst))} is not a flag`);
      continue;
    }
    const wall = day + (hourEnding - 1) * HOUR_MS + (interval - 1) * 15 * MINUTE_MS;
    let start: number;
    try {
      start = centralWallToUtc(wall, dst);
    } catch (err) {
      reject(`${point}: ${(err as Error).message}`);
      continue;
    }
    const typeCode = get(iType);
    const type =
      (typeof typeCode === 'string' ? POINT_TYPES[typeCode] : undefined) ??
      (point.startsWith('HB_') ? 'HUB' : point.startsWith('LZ_') ? 'LOAD_ZONE' : 'RESOURCE_NODE');
    const date = new Date(day).toISOString().slice(0, 10);
    const key = `ercot|${ctx.report}|${point}|${date}|${hourEnding}|${interval}|${dst ? 'Y' : 'N'}`;
    const event: GridEvent = {
      event_id: eventIdFromKey(key),
      event_time: start,
      record_type: 'SETTLEMENT_POINT_PRICE',
      market: report.market,
      version: 1,
      interval_minutes: report.intervalMinutes,
      load_zone: ctx.zoneOf(point, type),
      settlement_point: point,
      settlement_point_type: type,
      lmp_usd_mwh: price,
      energy_usd_mwh: null,
      congestion_usd_mwh: null,
      loss_usd_mwh: null,
      load_mw: null,
      wind_mw: null,
      solar_mw: null,
      gas_mw: null,
      coal_mw: null,
      nuclear_mw: null,
      hydro_mw: null,
      storage_mw: null,
      other_mw: null,
      source: ERCOT_SOURCE,
      producer_id: ctx.producerId,
      produced_at: ctx.nowMs,
    };
    const violations = contract.validate(event);
    if (violations.length > 0) {
      reject(`${point}: ${violations.map((v) => `${v.path}: ${v.reason}`).join('; ')}`);
      continue;
    }
    events.push(event);
  }
  return { url: ctx.url, page: ctx.page, events, rejected };
}

/**
 * Today's date in US Central time, `YYYY-MM-DD` (the default delivery date of a poll).
 *
 * @param nowMs - epoch ms
 */
export function centralDate(nowMs: number): string {
  return new Date(centralWallMs(nowMs)).toISOString().slice(0, 10);
}
