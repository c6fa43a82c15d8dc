import { centralDayStartUtc, centralWallMs } from './centralTime.js';
import { DAY_MS, HOUR_MS } from './constants.js';

/** Delivery shapes of ERCOT power products: hours ending 7–22 (peak), 23–6 (off-peak), all. */
export const DELIVERY_BLOCKS = {
  /** Weekday peak, HE7–HE22. */
  PEAK_5x16: { shape: 'PEAK', block: '5x16', hoursPerDay: 16, weekdays: true, weekends: false },
  /** Weekend peak, HE7–HE22. */
  WKND_2x16: { shape: 'WKND', block: '2x16', hoursPerDay: 16, weekdays: false, weekends: true },
  /** Off-peak, HE23–HE6 every day. */
  OFFPEAK_7x8: { shape: 'OFFPEAK', block: '7x8', hoursPerDay: 8, weekdays: true, weekends: true },
  /** Around the clock. */
  ATC_7x24: { shape: 'ATC', block: '7x24', hoursPerDay: 24, weekdays: true, weekends: true },
} as const;

/** A delivery block key. */
export type DeliveryBlock = keyof typeof DELIVERY_BLOCKS;

/** Tenors of the synthetic trades. */
export const TENORS = ['NEXT_DAY', 'NEXT_WEEK', 'NEXT_MONTH', 'NEXT_QUARTER'] as const;

/** A tenor. */
export type Tenor = (typeof TENORS)[number];

/** Delivery window of a trade, UTC, with the number of delivery hours of its block. */
export interface DeliveryWindow {
  readonly start: number;
  readonly end: number;
  readonly hours: number;
  /** Month (0–11) the delivery starts in, Central time. */
  readonly month: number;
}

function isWeekend(day: number): boolean {
  const wd = (((day + 4) % 7) + 7) % 7;
  return wd === 0 || wd === 6;
}

/** Civil date (proleptic Gregorian) of a day number; Hinnant's algorithm, no Date objects. */
function civilFromDays(day: number): { y: number; m: number; d: number } {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m: m - 1, d };
}

function daysFromCivil(y: number, m: number): number {
  return Math.floor(Date.UTC(y, m, 1) / DAY_MS);
}

function countDays(from: number, to: number): { weekdays: number; weekends: number } {
  let weekdays = 0;
  let weekends = 0;
  const fullWeeks = Math.floor((to - from) / 7);
  weekdays += 5 * fullWeeks;
  weekends += 2 * fullWeeks;
  for (let d = from + 7 * fullWeeks; d < to; d++) {
    if (isWeekend(d)) weekends++;
    else weekdays++;
  }
  return { weekdays, weekends };
}

/**
 * The delivery window of a product traded at a time: local (US Central) days, converted to UTC.
 * Daily 5x16 and 2x16 trades deliver on the next business or weekend day respectively.
 *
 * @param tenor - tenor
 * @param block - delivery block
 * @param tradeTimeMs - execution time, epoch ms
 */
export function deliveryWindow(tenor: Tenor, block: DeliveryBlock, tradeTimeMs: number): DeliveryWindow {
  const b = DELIVERY_BLOCKS[block];
  const today = Math.floor(centralWallMs(tradeTimeMs) / DAY_MS);
  let from: number;
  let to: number;
  if (tenor === 'NEXT_DAY') {
    from = today + 1;
    while ((isWeekend(from) && !b.weekends) || (!isWeekend(from) && !b.weekdays)) from++;
    to = from + 1;
  } else if (tenor === 'NEXT_WEEK') {
    const wd = (((today + 4) % 7) + 7) % 7;
    from = today + ((8 - wd) % 7 || 7); // next Monday
    to = from + 7;
  } else {
    const { y, m } = civilFromDays(today);
    const span = tenor === 'NEXT_MONTH' ? 1 : 3;
    const first = tenor === 'NEXT_MONTH' ? m + 1 : 3 * (Math.floor(m / 3) + 1);
    from = daysFromCivil(y, first);
    to = daysFromCivil(y, first + span);
  }
  const start = centralDayStartUtc(from);
  const end = centralDayStartUtc(to);
  const { weekdays, weekends } = countDays(from, to);
  // ATC counts real hours, so DST days give 23 or 25.
  const hours =
    b.hoursPerDay === 24
      ? Math.round((end - start) / HOUR_MS)
      : b.hoursPerDay * ((b.weekdays ? weekdays : 0) + (b.weekends ? weekends : 0));
  return { start, end, hours, month: civilFromDays(from).m };
}
