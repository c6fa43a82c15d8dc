import type { Dataset, EventByDataset, GridEvent, TransactionsEvent } from '../../schemas/index.js';
import { ALERT_KINDS, ALERT_SEVERITIES, DEFAULT_ALERT_THRESHOLDS } from './constants.js';
import type { Alert, AlertThresholds } from './types.js';

const SUBJECT_MAX = 100;

function subjectOf(text: string): string {
  return text.length <= SUBJECT_MAX ? text : `${text.slice(0, SUBJECT_MAX - 3)}...`;
}

function usd(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function gridAlerts(event: GridEvent, t: AlertThresholds): Alert[] {
  const lmp = event.lmp_usd_mwh;
  if (event.record_type !== 'SETTLEMENT_POINT_PRICE' || lmp === null || lmp === undefined) return [];
  const point = event.settlement_point ?? event.load_zone;
  const attributes = { settlement_point: point, load_zone: event.load_zone, market: event.market };
  const when = new Date(event.event_time).toISOString();
  if (lmp >= t.priceSpikeUsdMwh) {
    return [
      {
        kind: ALERT_KINDS.priceSpike,
        severity: lmp >= t.criticalPriceUsdMwh ? ALERT_SEVERITIES.critical : ALERT_SEVERITIES.warning,
        dataset: 'grid',
        eventId: event.event_id,
        eventTime: event.event_time,
        subject: subjectOf(`Price spike ${usd(lmp)} $/MWh at ${point} (${event.market})`),
        message: `${event.market} LMP at ${point} was ${usd(lmp)} $/MWh for the interval starting ${when}, at or above the ${usd(t.priceSpikeUsdMwh)} $/MWh spike threshold.`,
        value: lmp,
        threshold: t.priceSpikeUsdMwh,
        attributes,
      },
    ];
  }
  if (lmp <= t.negativePriceUsdMwh) {
    return [
      {
        kind: ALERT_KINDS.negativePrice,
        severity: ALERT_SEVERITIES.warning,
        dataset: 'grid',
        eventId: event.event_id,
        eventTime: event.event_time,
        subject: subjectOf(`Negative price ${usd(lmp)} $/MWh at ${point} (${event.market})`),
        message: `${event.market} LMP at ${point} was ${usd(lmp)} $/MWh for the interval starting ${when}, at or below the ${usd(t.negativePriceUsdMwh)} $/MWh threshold.`,
        value: lmp,
        threshold: t.negativePriceUsdMwh,
        attributes,
      },
    ];
  }
  return [];
}

function tradeAlerts(event: TransactionsEvent, t: AlertThresholds): Alert[] {
  // A cancellation removes exposure; alerting on it would double-count the original trade.
  if (event.status === 'CANCEL') return [];
  const notional = Math.abs(event.quantity_mwh * event.price_usd_mwh);
  const bigQuantity = event.quantity_mwh >= t.largeTradeMwh;
  const bigNotional = notional >= t.largeTradeNotionalUsd;
  if (!bigQuantity && !bigNotional) return [];
  const reasons = [
    ...(bigQuantity ? [`quantity ${usd(event.quantity_mwh)} MWh >= ${usd(t.largeTradeMwh)} MWh`] : []),
    ...(bigNotional ? [`notional ${usd(notional)} USD >= ${usd(t.largeTradeNotionalUsd)} USD`] : []),
  ];
  return [
    {
      kind: ALERT_KINDS.largeTrade,
      severity: bigQuantity && bigNotional ? ALERT_SEVERITIES.critical : ALERT_SEVERITIES.warning,
      dataset: 'transactions',
      eventId: event.event_id,
      eventTime: event.event_time,
      subject: subjectOf(
        `Large trade ${event.trade_id} v${event.version}: ${event.side} ${usd(event.quantity_mwh)} MWh ${event.product}`,
      ),
      message: `Trade ${event.trade_id} version ${event.version} (${event.status}) by ${event.trader} in book ${event.book}: ${event.side} ${usd(event.quantity_mwh)} MWh of ${event.product} at ${usd(event.price_usd_mwh)} $/MWh with ${event.counterparty}; ${reasons.join('; ')}.`,
      value: bigQuantity ? event.quantity_mwh : notional,
      threshold: bigQuantity ? t.largeTradeMwh : t.largeTradeNotionalUsd,
      attributes: {
        trade_id: event.trade_id,
        book: event.book,
        trader: event.trader,
        counterparty: event.counterparty,
        settlement_point: event.settlement_point,
      },
    },
  ];
}

/**
 * The real-time alerts one event raises: price spikes and negative prices on grid settlement-point
 * prices, large trades (by quantity or notional) on transactions. Pure: no I/O, so the local pipeline
 * runs it in-process and the Kinesis consumer Lambda runs the same code.
 *
 * @param dataset - dataset of the event
 * @param event - an event valid against the dataset's contract
 * @param thresholds - when to alert
 * @returns the alerts, empty when the event is unremarkable
 * @example
 * ```ts
 * const alerts = evaluateAlerts('grid', gridEvent, DEFAULT_ALERT_THRESHOLDS);
 * for (const a of alerts) await publish(a);
 * ```
 */
export function evaluateAlerts<D extends Dataset>(
  dataset: D,
  event: EventByDataset[D],
  thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
): Alert[] {
  switch (dataset) {
    case 'grid':
      return gridAlerts(event as GridEvent, thresholds);
    case 'transactions':
      return tradeAlerts(event as TransactionsEvent, thresholds);
    default:
      return [];
  }
}
