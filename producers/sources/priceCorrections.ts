import { centsPrice, type PriceComponents } from './gridModel.js';
import { hashUnit } from './prng.js';

const K_CORRECTION = 0x57;
const MINUTE_MS = 60_000;

/**
 * Whether ERCOT corrects a settlement point's price of an interval, and how: a seeded, rare event
 * (probability `rate` per point and interval). The correction re-states the congestion component by
 * ±0.50…5.00 $/MWh (energy and loss unchanged), in cents, inside ERCOT's band.
 *
 * @param seed - generator seed (32 bits)
 * @param key - the point's `pointKey`
 * @param intervalStartMs - start of the corrected interval
 * @param rate - probability of a correction
 * @returns a function from the original to the corrected price, or undefined when not corrected
 */
export function correctionOf(
  seed: number,
  key: number,
  intervalStartMs: number,
  rate: number,
): ((original: PriceComponents) => PriceComponents) | undefined {
  const minute = Math.floor(intervalStartMs / MINUTE_MS);
  if (!(hashUnit(seed, key + K_CORRECTION, minute) < rate)) return undefined;
  const u = hashUnit(seed, key + K_CORRECTION + 1, minute);
  const deltaCents = (u < 0.5 ? -1 : 1) * (50 + Math.floor(Math.abs(u - 0.5) * 2 * 451));
  return (p) => centsPrice(p.settlementPoint, p.energyCents, p.congestionCents + deltaCents, p.lossCents);
}
