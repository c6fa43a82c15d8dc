import { describe, expect, it } from 'vitest';
import {
  ALERT_KINDS,
  DEFAULT_ALERT_THRESHOLDS,
  evaluateAlerts,
  InvalidThresholdError,
  THRESHOLD_ENV_VARS,
  thresholdsFromEnv,
  validateThresholds,
} from '../../stream-processors/alerts/index.js';
import { gridEvent, transactionEvent, weatherEvent } from '../helpers/events.js';

const T = DEFAULT_ALERT_THRESHOLDS;

describe('evaluateAlerts: grid prices', () => {
  it('raises a WARNING price spike at the threshold (inclusive)', () => {
    // Prepare
    const event = gridEvent({ lmp_usd_mwh: T.priceSpikeUsdMwh });
    // Act
    const alerts = evaluateAlerts('grid', event, T);
    // Assess
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: ALERT_KINDS.priceSpike,
      severity: 'WARNING',
      dataset: 'grid',
      eventId: event.event_id,
      eventTime: event.event_time,
      value: T.priceSpikeUsdMwh,
      threshold: T.priceSpikeUsdMwh,
      attributes: { settlement_point: 'HB_HOUSTON', load_zone: 'LZ_HOUSTON', market: 'RTM' },
    });
    expect(alerts[0]!.subject.length).toBeLessThanOrEqual(100);
  });

  it('makes a spike at or above the critical price CRITICAL', () => {
    const alerts = evaluateAlerts('grid', gridEvent({ lmp_usd_mwh: T.criticalPriceUsdMwh }), T);
    expect(alerts[0]?.severity).toBe('CRITICAL');
  });

  it('raises a negative-price alert at the threshold (inclusive)', () => {
    const alerts = evaluateAlerts('grid', gridEvent({ lmp_usd_mwh: T.negativePriceUsdMwh }), T);
    expect(alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.negativePrice]);
  });

  it.each([
    ['a normal price', { lmp_usd_mwh: 42.5 }],
    ['a price just under the spike threshold', { lmp_usd_mwh: T.priceSpikeUsdMwh - 0.01 }],
    ['a missing price', { lmp_usd_mwh: null }],
    [
      'system conditions',
      { record_type: 'SYSTEM_CONDITIONS' as const, lmp_usd_mwh: 9000, settlement_point: null },
    ],
  ])('raises nothing for %s', (_label, overrides) => {
    expect(evaluateAlerts('grid', gridEvent(overrides), T)).toEqual([]);
  });

  it('uses the thresholds it is given, not the defaults', () => {
    const alerts = evaluateAlerts('grid', gridEvent({ lmp_usd_mwh: 150 }), { ...T, priceSpikeUsdMwh: 100 });
    expect(alerts).toHaveLength(1);
  });
});

describe('evaluateAlerts: trades', () => {
  it('raises a large trade on quantity alone (WARNING)', () => {
    const event = transactionEvent({ quantity_mwh: T.largeTradeMwh, price_usd_mwh: 1 });
    const alerts = evaluateAlerts('transactions', event, T);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: ALERT_KINDS.largeTrade,
      severity: 'WARNING',
      value: T.largeTradeMwh,
      threshold: T.largeTradeMwh,
      attributes: { trade_id: event.trade_id, book: event.book },
    });
  });

  it('raises a large trade on notional alone', () => {
    const alerts = evaluateAlerts(
      'transactions',
      transactionEvent({ quantity_mwh: 100, price_usd_mwh: 10_000 }),
      T,
    );
    expect(alerts[0]).toMatchObject({
      value: 1_000_000,
      threshold: T.largeTradeNotionalUsd,
      severity: 'WARNING',
    });
  });

  it('makes a trade large on both quantity and notional CRITICAL', () => {
    const alerts = evaluateAlerts(
      'transactions',
      transactionEvent({ quantity_mwh: 20_000, price_usd_mwh: 60 }),
      T,
    );
    expect(alerts[0]?.severity).toBe('CRITICAL');
    expect(alerts[0]?.message).toContain('quantity');
    expect(alerts[0]?.message).toContain('notional');
  });

  it('ignores cancellations and small trades', () => {
    expect(
      evaluateAlerts('transactions', transactionEvent({ status: 'CANCEL', quantity_mwh: 50_000 }), T),
    ).toEqual([]);
    expect(evaluateAlerts('transactions', transactionEvent(), T)).toEqual([]);
  });
});

describe('evaluateAlerts: weather', () => {
  it('raises nothing for weather events', () => {
    expect(evaluateAlerts('weather', weatherEvent({ temperature_c: 48 }), T)).toEqual([]);
  });
});

describe('alert thresholds', () => {
  it('accepts the defaults', () => {
    expect(validateThresholds(DEFAULT_ALERT_THRESHOLDS)).toBe(DEFAULT_ALERT_THRESHOLDS);
  });

  it.each([
    [
      'priceSpikeUsdMwh',
      { priceSpikeUsdMwh: Number.NaN },
      /priceSpikeUsdMwh must be a finite number, got null/,
    ],
    [
      'criticalPriceUsdMwh',
      { criticalPriceUsdMwh: 500 },
      /criticalPriceUsdMwh \(500\) must be >= priceSpikeUsdMwh/,
    ],
    ['negativePriceUsdMwh', { negativePriceUsdMwh: 2000 }, /negativePriceUsdMwh \(2000\) must be below/],
    ['largeTradeMwh', { largeTradeMwh: 0 }, /largeTradeMwh must be > 0, got 0/],
    ['largeTradeNotionalUsd', { largeTradeNotionalUsd: -1 }, /largeTradeNotionalUsd must be > 0, got -1/],
  ])('rejects a bad %s, naming the value', (name, override, message) => {
    const bad = { ...DEFAULT_ALERT_THRESHOLDS, ...override };
    expect(() => validateThresholds(bad)).toThrow(message);
    try {
      validateThresholds(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidThresholdError);
      expect((err as InvalidThresholdError).threshold).toBe(name);
      expect((err as InvalidThresholdError).retriable).toBe(false);
    }
  });

  it('reads overrides from the environment and keeps defaults for unset variables', () => {
    const t = thresholdsFromEnv({
      [THRESHOLD_ENV_VARS.priceSpikeUsdMwh]: '800',
      [THRESHOLD_ENV_VARS.largeTradeMwh]: '',
    });
    expect(t).toEqual({ ...DEFAULT_ALERT_THRESHOLDS, priceSpikeUsdMwh: 800 });
  });

  it('rejects a non-numeric environment value, naming the variable and the value', () => {
    expect(() => thresholdsFromEnv({ [THRESHOLD_ENV_VARS.largeTradeMwh]: 'lots' })).toThrow(
      'GRIDSTREAM_ALERT_LARGE_TRADE_MWH must be a number, got "lots"',
    );
  });
});
