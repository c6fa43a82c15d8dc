import type { AlertThresholds } from './types.js';

/** The kinds of alert {@link evaluateAlerts} raises. */
export const ALERT_KINDS = {
  /** A settlement-point price at or above the spike threshold. */
  priceSpike: 'PRICE_SPIKE',
  /** A settlement-point price at or below the negative-price threshold (oversupply, curtailment). */
  negativePrice: 'NEGATIVE_PRICE',
  /** A trade whose quantity or notional value is at or above the large-trade thresholds. */
  largeTrade: 'LARGE_TRADE',
} as const;

/** How urgent an alert is; the SNS message attribute `severity` carries it for subscription filters. */
export const ALERT_SEVERITIES = {
  warning: 'WARNING',
  critical: 'CRITICAL',
} as const;

/**
 * Thresholds used when none are configured. The ERCOT real-time price band is -250..5000 $/MWh and
 * prices are normally 20..100 $/MWh, so 1000 $/MWh is a scarcity event; a 5000 MWh trade is a large
 * block for a single hub.
 */
export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  priceSpikeUsdMwh: 1000,
  criticalPriceUsdMwh: 3000,
  negativePriceUsdMwh: -50,
  largeTradeMwh: 5000,
  largeTradeNotionalUsd: 1_000_000,
};

/** Environment variables {@link thresholdsFromEnv} reads, one per threshold. */
export const THRESHOLD_ENV_VARS: { readonly [K in keyof AlertThresholds]: string } = {
  priceSpikeUsdMwh: 'GRIDSTREAM_ALERT_PRICE_SPIKE_USD_MWH',
  criticalPriceUsdMwh: 'GRIDSTREAM_ALERT_CRITICAL_PRICE_USD_MWH',
  negativePriceUsdMwh: 'GRIDSTREAM_ALERT_NEGATIVE_PRICE_USD_MWH',
  largeTradeMwh: 'GRIDSTREAM_ALERT_LARGE_TRADE_MWH',
  largeTradeNotionalUsd: 'GRIDSTREAM_ALERT_LARGE_TRADE_NOTIONAL_USD',
};
