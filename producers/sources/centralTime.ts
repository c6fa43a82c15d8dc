import { DAY_MS, HOUR_MS } from './constants.js';
import { TimeConversionError } from './errors.js';

/**
 * US Central prevailing time (ERCOT's clock), with the US daylight-saving rules in force since 2007:
 * CDT (UTC-5) from the second Sunday of March 02:00 CST to the first Sunday of November 02:00 CDT,
 * CST (UTC-6) otherwise. Pure arithmetic, cached per year, so the generators can call it per interval.
 */

const CST_OFFSET_MS = -6 * HOUR_MS;
const CDT_OFFSET_MS = -5 * HOUR_MS;

interface YearRule {
  readonly yearStart: number;
  readonly yearEnd: number;
  readonly dstStart: number;
  readonly dstEnd: number;
}

let cached: YearRule = ruleOfYear(2026);

function weekdayOf(utcMidnightMs: number): number {
  // 1970-01-01 was a Thursday (4); 0 = Sunday.
  return (((Math.floor(utcMidnightMs / DAY_MS) + 4) % 7) + 7) % 7;
}

function ruleOfYear(year: number): YearRule {
  const march1 = Date.UTC(year, 2, 1);
  const firstSundayMarch = 1 + ((7 - weekdayOf(march1)) % 7);
  const nov1 = Date.UTC(year, 10, 1);
  const firstSundayNov = 1 + ((7 - weekdayOf(nov1)) % 7);
  return {
    yearStart: Date.UTC(year, 0, 1),
    yearEnd: Date.UTC(year + 1, 0, 1),
    // 02:00 CST = 08:00 UTC; 02:00 CDT = 07:00 UTC.
    dstStart: Date.UTC(year, 2, firstSundayMarch + 7, 8),
    dstEnd: Date.UTC(year, 10, firstSundayNov, 7),
  };
}

function ruleAt(utcMs: number): YearRule {
  if (utcMs >= cached.yearStart && utcMs < cached.yearEnd) return cached;
  cached = ruleOfYear(new Date(utcMs).getUTCFullYear());
  return cached;
}

/**
 * True when US Central daylight time is in force at an instant.
 *
 * @param utcMs - epoch milliseconds
 */
export function isCentralDaylightTime(utcMs: number): boolean {
  const r = ruleAt(utcMs);
  return utcMs >= r.dstStart && utcMs < r.dstEnd;
}

/**
 * Offset of US Central prevailing time from UTC at an instant: -5 h (CDT) or -6 h (CST), in ms.
 *
 * @param utcMs - epoch milliseconds
 */
export function centralOffsetMs(utcMs: number): number {
  return isCentralDaylightTime(utcMs) ? CDT_OFFSET_MS : CST_OFFSET_MS;
}

/**
 * Local Central wall time of an instant, as "local epoch" milliseconds (the wall-clock reading
 * written as if it were UTC): `Math.floor(local / DAY_MS)` is the local day, `local % DAY_MS` the
 * time of day.
 *
 * @param utcMs - epoch milliseconds
 */
export function centralWallMs(utcMs: number): number {
  return utcMs + centralOffsetMs(utcMs);
}

/**
 * The instant of a Central wall-clock time.
 *
 * In the repeated hour of the fall-back day (01:00–02:00 twice) the first, daylight occurrence is
 * chosen unless `repeatedHour` is true (ERCOT's `DSTFlag` = Y marks the second, standard-time one).
 * Times in the skipped hour of the spring-forward day (02:00–03:00) do not exist.
 *
 * @param wallMs - wall-clock time as "local epoch" milliseconds (e.g. `Date.UTC(y, m, d, h, min)`)
 * @param repeatedHour - true for the second occurrence of the repeated hour
 * @throws TimeConversionError when the wall time does not exist
 */
export function centralWallToUtc(wallMs: number, repeatedHour = false): number {
  const asCdt = wallMs - CDT_OFFSET_MS;
  const asCst = wallMs - CST_OFFSET_MS;
  const cdtValid = isCentralDaylightTime(asCdt);
  const cstValid = !isCentralDaylightTime(asCst);
  if (cdtValid && cstValid) return repeatedHour ? asCst : asCdt;
  if (cdtValid) return asCdt;
  if (cstValid) return asCst;
  throw new TimeConversionError(
    `${new Date(wallMs).toISOString().slice(0, 16).replace('T', ' ')} does not exist in US Central time (skipped by the change to daylight time)`,
  );
}

/**
 * Start of a Central local day, UTC.
 *
 * @param localDay - local day number (days since 1970-01-01 in Central wall time)
 */
export function centralDayStartUtc(localDay: number): number {
  return centralWallToUtc(localDay * DAY_MS);
}
