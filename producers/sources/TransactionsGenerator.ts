import type { TransactionsEvent } from '../../schemas/index.js';
import { SYNTHETIC_SOURCE, TRANSACTIONS_DEFAULTS } from './constants.js';
import { InvalidSourceOptionError } from './errors.js';
import { eventIdFor } from './eventId.js';
import { type CommonGeneratorSettings, checkRate, resolveCommonOptions } from './generatorOptions.js';
import { hash3, hashString, mulberry32, type RandomStream } from './prng.js';
import { DELIVERY_BLOCKS, type DeliveryBlock, deliveryWindow, type Tenor } from './tradeProducts.js';
import type { EventGenerator, GeneratorOptions } from './types.js';
// Hot-path bindings: some loaders (tsx, vite-node) turn imports into property getters that cost a
// call per use; reading each import once into a local constant keeps per-event work low.
const L_SYNTHETIC_SOURCE = SYNTHETIC_SOURCE;
const L_eventIdFor = eventIdFor;
const L_deliveryWindow = deliveryWindow;
const L_DELIVERY_BLOCKS = DELIVERY_BLOCKS;

/** State of an open trade (its latest version). */
interface OpenTrade {
  readonly tradeId: string;
  version: number;
  readonly side: 'BUY' | 'SELL';
  readonly product: string;
  readonly settlementPoint: string;
  readonly deliveryStart: number;
  readonly deliveryEnd: number;
  readonly hours: number;
  mw: number;
  price: number;
  readonly counterparty: string;
  readonly book: string;
  readonly trader: string;
  readonly venue: string | null;
  readonly isBlock: boolean;
}

/** Hubs traded, with cumulative weights (HB_NORTH is the liquid one) and basis to North, $/MWh. */
const HUBS = [
  { name: 'HB_NORTH', cumulative: 0.42, basis: 0 },
  { name: 'HB_HOUSTON', cumulative: 0.62, basis: 2 },
  { name: 'HB_WEST', cumulative: 0.77, basis: -6 },
  { name: 'HB_SOUTH', cumulative: 0.9, basis: 1 },
  { name: 'HB_PAN', cumulative: 0.95, basis: -9 },
  { name: 'HB_BUSAVG', cumulative: 1, basis: 0 },
] as const;
const BLOCKS: readonly { key: DeliveryBlock; cumulative: number; ratio: number }[] = [
  { key: 'PEAK_5x16', cumulative: 0.5, ratio: 1 },
  { key: 'OFFPEAK_7x8', cumulative: 0.72, ratio: 0.55 },
  { key: 'ATC_7x24', cumulative: 0.9, ratio: 0.72 },
  { key: 'WKND_2x16', cumulative: 1, ratio: 0.8 },
];
const TENOR_CHOICES: readonly { tenor: Tenor; cumulative: number }[] = [
  { tenor: 'NEXT_DAY', cumulative: 0.45 },
  { tenor: 'NEXT_WEEK', cumulative: 0.7 },
  { tenor: 'NEXT_MONTH', cumulative: 0.92 },
  { tenor: 'NEXT_QUARTER', cumulative: 1 },
];
/** Forward peak price by delivery month, $/MWh (summer scarcity premium in Jul–Aug). */
const PEAK_BY_MONTH = [52, 48, 42, 40, 45, 60, 85, 110, 65, 45, 42, 50];
const COUNTERPARTIES = [
  'CP-ALPHA',
  'CP-BRAVO',
  'CP-CHARLIE',
  'CP-DELTA',
  'CP-ECHO',
  'CP-FOXTROT',
  'CP-GOLF',
  'CP-HOTEL',
];
const BOOKS = ['ERCOT-POWER', 'ERCOT-HEDGE', 'ERCOT-RENEWABLES', 'ERCOT-RETAIL'];
const TRADERS = Array.from({ length: 8 }, (_, i) => `trader-${i + 1}`);
const SCREEN_MW = [5, 10, 25, 25, 50];

function pick<T>(items: readonly T[], u: number): T {
  return items[Math.floor(u * items.length)]!;
}

function pickCumulative<T extends { readonly cumulative: number }>(items: readonly T[], u: number): T {
  for (const item of items) if (u < item.cumulative) return item;
  return items[items.length - 1]!;
}

/**
 * Seeded energy trades with a life cycle: a trade starts NEW (version 1); later events AMEND it
 * (version + 1, new quantity or price) or CANCEL it (version + 1, then it is closed). Only trades in
 * the bounded open set are amended or cancelled; when the set is full the oldest trade matures and
 * leaves it without further events.
 *
 * The clock is read once per event (`event_time`, `produced_at`).
 */
export class TransactionsGenerator implements EventGenerator<'transactions'> {
  /** Always `transactions`. */
  public readonly dataset = 'transactions' as const;
  private readonly common: CommonGeneratorSettings;
  private readonly maxOpenTrades: number;
  private readonly amendRate: number;
  private readonly cancelRate: number;
  private readonly random: RandomStream;
  private readonly tradePrefix: string;
  private readonly open: OpenTrade[] = [];
  private sequence: number;

  /**
   * @param options - generator options; `options.transactions` tunes the life cycle
   * @throws InvalidSourceOptionError naming an invalid option
   */
  public constructor(options: GeneratorOptions = {}) {
    this.common = resolveCommonOptions('transactions', options);
    const t = options.transactions ?? {};
    this.maxOpenTrades = t.maxOpenTrades ?? TRANSACTIONS_DEFAULTS.maxOpenTrades;
    if (!Number.isInteger(this.maxOpenTrades) || this.maxOpenTrades < 1) {
      throw new InvalidSourceOptionError('transactions.maxOpenTrades', this.maxOpenTrades, 'an integer >= 1');
    }
    this.amendRate = checkRate('transactions.amendRate', t.amendRate ?? TRANSACTIONS_DEFAULTS.amendRate);
    this.cancelRate = checkRate('transactions.cancelRate', t.cancelRate ?? TRANSACTIONS_DEFAULTS.cancelRate);
    if (this.amendRate + this.cancelRate > 0.95) {
      throw new InvalidSourceOptionError(
        'transactions.amendRate + cancelRate',
        this.amendRate + this.cancelRate,
        'at most 0.95 (NEW trades must keep coming)',
      );
    }
    const producerHash = hashString(this.common.producerId, this.common.seed32);
    this.random = mulberry32(hash3(this.common.seed32, producerHash, 0x7a));
    this.tradePrefix = `TRD-${producerHash.toString(16).padStart(8, '0')}-`;
    this.sequence = this.common.startSequence;
  }

  /** Number of trades that can still be amended or cancelled. */
  public get openTrades(): number {
    return this.open.length;
  }

  /** The next trade event. */
  public next(): TransactionsEvent {
    const now = this.common.clock.now();
    const u = this.random();
    const sequence = this.sequence++;
    if (this.open.length > 0 && u < this.amendRate + this.cancelRate) {
      const index = Math.floor(this.random() * this.open.length);
      const trade = this.open[index]!;
      if (trade.deliveryEnd > now) {
        trade.version += 1;
        if (u < this.cancelRate) {
          // Swap-remove: order in the open set does not matter for random picks.
          this.open[index] = this.open[this.open.length - 1]!;
          this.open.pop();
          return this.toEvent(trade, 'CANCEL', now, sequence);
        }
        this.amend(trade);
        return this.toEvent(trade, 'AMEND', now, sequence);
      }
      // Delivered trades can no longer change: drop it and trade something new instead.
      this.open[index] = this.open[this.open.length - 1]!;
      this.open.pop();
    }
    const trade = this.newTrade(now, sequence);
    if (this.open.length >= this.maxOpenTrades) this.open.shift();
    this.open.push(trade);
    return this.toEvent(trade, 'NEW', now, sequence);
  }

  private newTrade(now: number, sequence: number): OpenTrade {
    const r = this.random;
    const hub = pickCumulative(HUBS, r());
    const block = pickCumulative(BLOCKS, r());
    const tenor = pickCumulative(TENOR_CHOICES, r()).tenor;
    const market = r() < 0.55 ? 'RT' : 'DA';
    const window = L_deliveryWindow(tenor, block.key, now);
    const isBlock = r() < 0.12;
    const mw = isBlock ? 100 + 25 * Math.floor(r() * 9) : pick(SCREEN_MW, r());
    const level = PEAK_BY_MONTH[window.month]! * block.ratio + hub.basis;
    const price = Math.round(level * (1 + 0.05 * (r() + r() - 1)) * (market === 'RT' ? 1.01 : 1) * 20) / 20;
    const vu = r();
    const venue = isBlock ? 'BILATERAL' : vu < 0.55 ? 'ICE' : vu < 0.82 ? 'NODAL' : vu < 0.95 ? 'BILATERAL' : null;
    const b = L_DELIVERY_BLOCKS[block.key];
    return {
      tradeId: this.tradePrefix + sequence,
      version: 1,
      side: r() < 0.5 ? 'BUY' : 'SELL',
      product: `${hub.name}_${market}_${b.shape}_${b.block}`,
      settlementPoint: hub.name,
      deliveryStart: window.start,
      deliveryEnd: window.end,
      hours: window.hours,
      mw,
      price: Math.max(0.05, price),
      counterparty: pick(COUNTERPARTIES, r()),
      book: pick(BOOKS, r()),
      trader: pick(TRADERS, r()),
      venue,
      isBlock,
    };
  }

  private amend(trade: OpenTrade): void {
    const r = this.random;
    if (r() < 0.6) {
      const step = pick(SCREEN_MW, r());
      const up = r() < 0.5 || trade.mw <= step;
      trade.mw = up ? trade.mw + step : trade.mw - step;
    } else {
      const bp = 25 + Math.floor(r() * 175); // 0.25 % .. 2 %
      const factor = r() < 0.5 ? 1 + bp / 10_000 : 1 - bp / 10_000;
      const price = Math.round(trade.price * factor * 20) / 20;
      trade.price = price === trade.price ? Math.round(trade.price * 20 + 1) / 20 : Math.max(0.05, price);
    }
  }

  private toEvent(
    t: OpenTrade,
    status: 'NEW' | 'AMEND' | 'CANCEL',
    now: number,
    sequence: number,
  ): TransactionsEvent {
    return {
      event_id: L_eventIdFor(this.common.idKey, sequence),
      event_time: now,
      trade_id: t.tradeId,
      version: t.version,
      status,
      side: t.side,
      product: t.product,
      settlement_point: t.settlementPoint,
      delivery_start: t.deliveryStart,
      delivery_end: t.deliveryEnd,
      quantity_mwh: t.mw * t.hours,
      price_usd_mwh: t.price,
      counterparty: t.counterparty,
      book: t.book,
      trader: t.trader,
      venue: t.venue,
      is_block: t.isBlock,
      source: L_SYNTHETIC_SOURCE,
      producer_id: this.common.producerId,
      produced_at: now,
    };
  }
}
