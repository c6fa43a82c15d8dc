import { DEFAULT_ALERT_THRESHOLDS, THRESHOLD_ENV_VARS } from './constants.js';
import { InvalidThresholdError } from './errors.js';
import type { AlertThresholds } from './types.js';

/**
 * Checks that every threshold is a finite number and that they are consistent.
 *
 * @param thresholds - thresholds to check
 * @returns the same thresholds
 * @throws InvalidThresholdError naming the threshold and the value received
 */
export function validateThresholds(thresholds: AlertThresholds): AlertThresholds {
  for (const [name, value] of Object.entries(thresholds)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidThresholdError(
        name,
        `alert threshold ${name} must be a finite number, got ${JSON.stringify(value)}`,
      );
    }
  }
  const t = thresholds;
  if (t.criticalPriceUsdMwh < t.priceSpikeUsdMwh) {
    throw new InvalidThresholdError(
      'criticalPriceUsdMwh',
      `alert threshold criticalPriceUsdMwh (${t.criticalPriceUsdMwh}) must be >= priceSpikeUsdMwh (${t.priceSpikeUsdMwh})`,
    );
  }
  if (t.negativePriceUsdMwh >= t.priceSpikeUsdMwh) {
    throw new InvalidThresholdError(
      'negativePriceUsdMwh',
      `alert threshold negativePriceUsdMwh (${t.negativePriceUsdMwh}) must be below priceSpikeUsdMwh (${t.priceSpikeUsdMwh})`,
    );
  }
  for (const name of ['largeTradeMwh', 'largeTradeNotionalUsd'] as const) {
    if (t[name] <= 0) {
      throw new InvalidThresholdError(name, `alert threshold ${name} must be > 0, got ${t[name]}`);
    }
  }
  return thresholds;
}

/**
 * Thresholds from the environment (`GRIDSTREAM_ALERT_*`, see {@link THRESHOLD_ENV_VARS}); a variable
 * that is unset or empty keeps its default.
 *
 * @param env - environment to read
 * @param defaults - values for unset variables
 * @throws InvalidThresholdError naming the variable and the value received
 */
export function thresholdsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  defaults: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
): AlertThresholds {
  const out: Record<string, number> = { ...defaults };
  for (const [name, variable] of Object.entries(THRESHOLD_ENV_VARS)) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      throw new InvalidThresholdError(name, `${variable} must be a number, got ${JSON.stringify(raw)}`);
    }
    out[name] = value;
  }
  return validateThresholds(out as unknown as AlertThresholds);
}
