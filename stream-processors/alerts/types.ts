import type { Dataset } from '../../schemas/index.js';
import type { ALERT_KINDS, ALERT_SEVERITIES } from './constants.js';

/** One of {@link ALERT_KINDS}. */
export type AlertKind = (typeof ALERT_KINDS)[keyof typeof ALERT_KINDS];

/** One of {@link ALERT_SEVERITIES}. */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[keyof typeof ALERT_SEVERITIES];

/** When an event raises an alert. Every value is inclusive. */
export interface AlertThresholds {
  /** A grid price (`lmp_usd_mwh`) at or above this is a price spike, $/MWh. */
  readonly priceSpikeUsdMwh: number;
  /** A price spike at or above this is CRITICAL rather than WARNING, $/MWh. */
  readonly criticalPriceUsdMwh: number;
  /** A grid price at or below this is a negative-price alert, $/MWh. */
  readonly negativePriceUsdMwh: number;
  /** A trade of at least this quantity is large, MWh. */
  readonly largeTradeMwh: number;
  /** A trade of at least this notional value (|quantity × price|) is large, USD. */
  readonly largeTradeNotionalUsd: number;
}

/** A real-time alert raised by one event. */
export interface Alert {
  /** What happened. */
  readonly kind: AlertKind;
  /** How urgent it is. */
  readonly severity: AlertSeverity;
  /** Dataset of the event that raised it. */
  readonly dataset: Dataset;
  /** `event_id` of that event: subscribers de-duplicate on it (delivery is at-least-once). */
  readonly eventId: string;
  /** `event_time` of that event, epoch milliseconds. */
  readonly eventTime: number;
  /** One line for e-mail subjects and chat titles (at most 100 characters, SNS's limit). */
  readonly subject: string;
  /** Human-readable details. */
  readonly message: string;
  /** The value that crossed the threshold. */
  readonly value: number;
  /** The threshold it crossed. */
  readonly threshold: number;
  /** Identifying fields of the event (settlement point, trade id, ...). */
  readonly attributes: Readonly<Record<string, string>>;
}
