import { describe, expect, it } from 'vitest';
import { createGenerator, SimulatedClock, TransactionsGenerator } from '../../../producers/sources/index.js';
import type { TransactionsEvent } from '../../../schemas/index.js';
import { transactionEvent } from '../../helpers/events.js';

const START = Date.UTC(2025, 2, 3, 15);

function trades(
  n: number,
  options: ConstructorParameters<typeof TransactionsGenerator>[0] = {},
): TransactionsEvent[] {
  const gen = createGenerator('transactions', {
    seed: 17,
    clock: new SimulatedClock({ startMs: START, stepMs: 2_000 }),
    ...options,
  });
  return Array.from({ length: n }, () => gen.next());
}

const EVENTS = trades(30_000);

describe('transactions life cycle', () => {
  it('starts every trade NEW at version 1, then only AMENDs or CANCELs existing trades with version + 1', () => {
    const last = new Map<string, TransactionsEvent>();
    const problems: string[] = [];
    for (const e of EVENTS) {
      const prev = last.get(e.trade_id);
      if (e.status === 'NEW') {
        if (prev) problems.push(`${e.trade_id}: NEW twice`);
        if (e.version !== 1) problems.push(`${e.trade_id}: NEW at version ${e.version}`);
      } else if (!prev) {
        problems.push(`${e.trade_id}: ${e.status} of an unknown trade`);
      } else {
        if (prev.status === 'CANCEL') problems.push(`${e.trade_id}: ${e.status} after CANCEL`);
        if (e.version !== prev.version + 1)
          problems.push(`${e.trade_id}: version ${prev.version} -> ${e.version}`);
        if (e.event_time < prev.event_time) problems.push(`${e.trade_id}: went back in time`);
      }
      last.set(e.trade_id, e);
    }
    expect(problems).toEqual([]);
  });

  it('produces all three statuses at roughly the configured shares', () => {
    const share = (s: string) => EVENTS.filter((e) => e.status === s).length / EVENTS.length;
    expect(share('AMEND')).toBeGreaterThan(0.15);
    expect(share('AMEND')).toBeLessThan(0.25);
    expect(share('CANCEL')).toBeGreaterThan(0.04);
    expect(share('CANCEL')).toBeLessThan(0.08);
    expect(share('NEW')).toBeGreaterThan(0.65);
  });

  it('changes quantity or price on AMEND and keeps the product, window and counterparty', () => {
    const previous = new Map<string, TransactionsEvent>();
    const problems: string[] = [];
    for (const e of EVENTS) {
      const prev = previous.get(e.trade_id);
      if (e.status === 'AMEND' && prev) {
        if (e.quantity_mwh === prev.quantity_mwh && e.price_usd_mwh === prev.price_usd_mwh)
          problems.push(`${e.trade_id}: no change`);
        for (const f of [
          'product',
          'settlement_point',
          'delivery_start',
          'delivery_end',
          'counterparty',
          'side',
        ] as const) {
          if (e[f] !== prev[f]) problems.push(`${e.trade_id}: ${f} changed`);
        }
      }
      if (
        e.status === 'CANCEL' &&
        prev &&
        (e.quantity_mwh !== prev.quantity_mwh || e.price_usd_mwh !== prev.price_usd_mwh)
      ) {
        problems.push(`${e.trade_id}: CANCEL changed terms`);
      }
      previous.set(e.trade_id, e);
    }
    expect(problems).toEqual([]);
  });

  it('delivers in the future over a positive window with a positive quantity and a sane price', () => {
    const bad = EVENTS.filter(
      (e) =>
        !(e.delivery_end > e.delivery_start) ||
        !(e.quantity_mwh > 0) ||
        !(e.price_usd_mwh > 0 && e.price_usd_mwh < 500) ||
        (e.status === 'NEW' && e.delivery_start <= e.event_time),
    );
    expect(bad).toEqual([]);
  });

  it('names products after hub, market, shape and block, matching the delivery hours', () => {
    const names = new Set(EVENTS.map((e) => e.product));
    for (const p of names)
      expect(p).toMatch(/^HB_[A-Z]+_(RT|DA)_(PEAK_5x16|OFFPEAK_7x8|ATC_7x24|WKND_2x16)$/);
    expect(names.has(transactionEvent().product)).toBe(true);
    for (const e of EVENTS.filter((x) => x.status === 'NEW' && x.product.endsWith('ATC_7x24')).slice(
      0,
      200,
    )) {
      const hours = Math.round((e.delivery_end - e.delivery_start) / 3_600_000);
      expect(e.quantity_mwh % hours).toBe(0);
    }
    for (const e of EVENTS.filter((x) => x.status === 'NEW' && x.product.endsWith('PEAK_5x16')).slice(
      0,
      200,
    )) {
      expect(e.quantity_mwh % 16).toBe(0);
      expect(e.settlement_point).toBe(e.product.split('_RT_')[0]!.split('_DA_')[0]);
    }
  });

  it('starts deliveries at midnight US Central time', () => {
    for (const e of EVENTS.filter((x) => x.status === 'NEW').slice(0, 500)) {
      const hour = new Date(e.delivery_start).getUTCHours();
      expect([5, 6]).toContain(hour);
    }
  });

  it('bounds the open-trade set: the oldest trades mature and are never amended again', () => {
    // Prepare
    const gen = new TransactionsGenerator({
      seed: 2,
      clock: new SimulatedClock({ startMs: START, stepMs: 1_000 }),
      transactions: { maxOpenTrades: 5, amendRate: 0.3, cancelRate: 0.1 },
    });
    // Act
    const events = Array.from({ length: 2_000 }, () => gen.next());
    // Assess
    expect(gen.openTrades).toBeLessThanOrEqual(5);
    // Replay the rule: NEW joins the set (evicting the oldest when 5 are open), CANCEL leaves it.
    const open: string[] = [];
    const outside: string[] = [];
    for (const e of events) {
      if (e.status === 'NEW') {
        if (open.length >= 5) open.shift();
        open.push(e.trade_id);
        continue;
      }
      const at = open.indexOf(e.trade_id);
      if (at < 0) outside.push(`${e.status} ${e.trade_id}`);
      else if (e.status === 'CANCEL') open.splice(at, 1);
    }
    expect(outside).toEqual([]);
    expect(events.filter((e) => e.status !== 'NEW').length).toBeGreaterThan(500);
  });

  it('marks block trades as bilateral and larger than screen trades', () => {
    const blocks = EVENTS.filter((e) => e.is_block && e.status === 'NEW');
    expect(blocks.length).toBeGreaterThan(100);
    expect(blocks.every((e) => e.venue === 'BILATERAL')).toBe(true);
    const mw = (e: TransactionsEvent) => e.quantity_mwh;
    const screen = EVENTS.filter((e) => !e.is_block && e.status === 'NEW');
    expect(screen.some((e) => e.venue === null)).toBe(true);
    expect(blocks.reduce((a, e) => a + mw(e), 0) / blocks.length).toBeGreaterThan(
      screen.reduce((a, e) => a + mw(e), 0) / screen.length,
    );
  });
});
