import type { TransactionsEvent } from '../../schemas/index.js';
import {
  DAY_MS,
  DESK_LIMITS,
  HOUR_MS,
  SYNTHETIC_SOURCE,
  TRADE_EVENTS_PER_BOOK_PER_DAY,
  TRANSACTIONS_DEFAULTS,
} from './constants.js';
import { InvalidSourceOptionError } from './errors.js';
import { eventIdFor } from './eventId.js';
import { type CommonGeneratorSettings, checkRate, resolveCommonOptions } from './generatorOptions.js';
import { hash3, hashString, mulberry32, type RandomStream } from './prng.js';
import {
  DELIVERY_BLOCKS,
  type DeliveryBlock,
  type DeliveryWindow,
  deliveryWindow,
  type Tenor,
} from './tradeProducts.js';
import type { EventGenerator, GeneratorOptions } from './types.js';

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
  /** Largest MW this trade may be amended to (desk limits; quarterly strips trade screen sizes). */
  readonly maxMw: number;
  /** Price, integer cents per MWh (multiples of 5). */
  priceCents: number;
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
interface BlockChoice {
  readonly key: DeliveryBlock;
  readonly index: number;
  readonly cumulative: number;
  /** Price relative to the peak block. */
  readonly ratio: number;
  /** Product names per hub (in `HUBS` order), built once: e.g. HB_NORTH_RT_PEAK_5x16. */
  readonly products: { readonly rt: readonly string[]; readonly da: readonly string[] };
}
function blockChoice(key: DeliveryBlock, index: number, cumulative: number, ratio: number): BlockChoice {
  const b = DELIVERY_BLOCKS[key];
  const names = (market: string) => HUBS.map((h) => `${h.name}_${market}_${b.shape}_${b.block}`);
  return { key, index, cumulative, ratio, products: { rt: names('RT'), da: names('DA') } };
}
const BLOCKS: readonly BlockChoice[] = [
  blockChoice('PEAK_5x16', 0, 0.5, 1),
  blockChoice('OFFPEAK_7x8', 1, 0.72, 0.55),
  blockChoice('ATC_7x24', 2, 0.9, 0.72),
  blockChoice('WKND_2x16', 3, 1, 0.8),
];
const TENOR_CHOICES: readonly { tenor: Tenor; cumulative: number }[] = [
  { tenor: 'NEXT_DAY', cumulative: 0.55 },
  { tenor: 'NEXT_WEEK', cumulative: 0.8 },
  { tenor: 'NEXT_MONTH', cumulative: 0.95 },
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
const NAMED_BOOKS = ['ERCOT-POWER', 'ERCOT-HEDGE', 'ERCOT-RENEWABLES', 'ERCOT-RETAIL'];
/** Largest number of books (desks) the generator can spread trades over. */
export const MAX_BOOKS = 10_000;
/** Book names: the four named desks, then `ERCOT-DESK-0005`, … */
function bookName(i: number): string {
  return NAMED_BOOKS[i] ?? `ERCOT-DESK-${String(i + 1).padStart(4, '0')}`;
}
const SCREEN_MW = [5, 10, 10, 25, 25, 50];
const BLOCK_MW = [50, 75, 100, 125, 150];
const LONG_TENOR_MW = [5, 5, 10, 10, 25];

function pick<T>(items: readonly T[], u: number): T {
  return items[Math.floor(u * items.length)]!;
}

/** Uniform in [0, 1) from 8 bits of a 32-bit draw. */
function byteUnit(draw: number, shift: number): number {
  return ((draw >>> shift) & 0xff) / 256;
}

function pickCumulativeIndex(items: readonly { readonly cumulative: number }[], u: number): number {
  for (let i = 0; i < items.length; i++) if (u < items[i]!.cumulative) return i;
  return items.length - 1;
}

function pickCumulative<T extends { readonly cumulative: number }>(items: readonly T[], u: number): T {
  return items[pickCumulativeIndex(items, u)]!;
}

/**
 * Seeded energy trades with a life cycle: a trade starts NEW (version 1); later events AMEND it
 * (version + 1, new quantity or price) or CANCEL it (version + 1, then it is closed). Only trades in
 * the bounded open set are amended or cancelled; when the set is full the oldest trade matures and
 * leaves it without further events.
 *
 * The clock is read once per event (`event_time`, `produced_at`), but two events are never closer than
 * `spacingMs` (a day / (books × TRADE_EVENTS_PER_BOOK_PER_DAY)): a fast producer moves simulated
 * time forward instead of packing a month of trading into a minute. Trade ids are the producer's
 * prefix and the event's sequence, so the natural key (trade_id, version) never repeats at any rate.
 * Sizes respect {@link DESK_LIMITS}; prices are whole cents.
 */
export class TransactionsGenerator implements EventGenerator<'transactions'> {
  /** Always `transactions`. */
  public readonly dataset = 'transactions' as const;
  private readonly common: CommonGeneratorSettings;
  private readonly maxOpenTrades: number;
  private readonly amendRate: number;
  private readonly cancelRate: number;
  private readonly books: readonly string[];
  /** Closest spacing of two trade events in simulated time, ms: the books' realistic pace. */
  public readonly spacingMs: number;
  private lastTime = Number.NEGATIVE_INFINITY;
  private readonly random: RandomStream;
  private readonly tradePrefix: string;
  private readonly open: OpenTrade[] = [];
  /** Delivery windows depend only on the trade's local day, tenor and block: cached per day. */
  private readonly windows: (DeliveryWindow | undefined)[] = [];
  private windowsUntil = Number.NEGATIVE_INFINITY;
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
    const books = t.books ?? TRANSACTIONS_DEFAULTS.books;
    if (!Number.isInteger(books) || books < 1 || books > MAX_BOOKS) {
      throw new InvalidSourceOptionError('transactions.books', books, `an integer in 1..${MAX_BOOKS}`);
    }
    this.books = Array.from({ length: books }, (_, i) => bookName(i));
    this.spacingMs = Math.max(1, Math.round(DAY_MS / (books * TRADE_EVENTS_PER_BOOK_PER_DAY)));
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
    // A fast producer on a slow clock moves simulated time forward instead of packing trades.
    const now = Math.max(this.common.clock.now(), this.lastTime + this.spacingMs);
    this.lastTime = now;
    const u = this.random();
    const sequence = this.sequence++;
    if (this.open.length > 0 && u < this.amendRate + this.cancelRate) {
      const index = Math.floor(this.random() * this.open.length);
      const trade = this.open[index]!;
      if (trade.deliveryEnd > now) {
        trade.version += 1;
        if (u < this.cancelRate) {
          // Order-preserving removal: the set stays oldest-first for eviction.
          this.open.splice(index, 1);
          return this.toEvent(trade, 'CANCEL', now, sequence);
        }
        this.amend(trade);
        return this.toEvent(trade, 'AMEND', now, sequence);
      }
      // Delivered trades can no longer change: drop it and trade something new instead.
      this.open.splice(index, 1);
    }
    const trade = this.newTrade(now, sequence);
    if (this.open.length >= this.maxOpenTrades) this.open.shift();
    this.open.push(trade);
    return this.toEvent(trade, 'NEW', now, sequence);
  }

  private newTrade(now: number, sequence: number): OpenTrade {
    // Three 32-bit draws split into 8-bit uniforms cover the categorical choices: a third of the
    // PRNG calls of one draw per choice, on the path of most events.
    const a = (this.random() * 4294967296) >>> 0;
    const b = (this.random() * 4294967296) >>> 0;
    const c = (this.random() * 4294967296) >>> 0;
    const hubIndex = pickCumulativeIndex(HUBS, byteUnit(a, 0));
    const hub = HUBS[hubIndex]!;
    const block = pickCumulative(BLOCKS, byteUnit(a, 8));
    const tenorIndex = pickCumulativeIndex(TENOR_CHOICES, byteUnit(a, 16));
    const rt = byteUnit(a, 24) < 0.55;
    const window = this.windowOf(tenorIndex, block, now);
    // Months and quarters trade in small screen clips: a block of them would pass the desk's MWh limit.
    const tenor = TENOR_CHOICES[tenorIndex]!.tenor;
    const long = tenor === 'NEXT_MONTH' || tenor === 'NEXT_QUARTER';
    const isBlock = !long && byteUnit(b, 0) < 0.1;
    const mw = isBlock
      ? pick(BLOCK_MW, byteUnit(b, 8))
      : pick(long ? LONG_TENOR_MW : SCREEN_MW, byteUnit(b, 8));
    const level = PEAK_BY_MONTH[window.month]! * block.ratio + hub.basis;
    const noise = byteUnit(b, 16) + byteUnit(b, 24) - 1;
    // Whole cents, in 5-cent ticks: the price is exact at the source.
    const priceCents = 5 * Math.round(level * (1 + 0.05 * noise) * (rt ? 1.01 : 1) * 20);
    const vu = byteUnit(c, 0);
    const venue = isBlock
      ? 'BILATERAL'
      : vu < 0.55
        ? 'ICE'
        : vu < 0.82
          ? 'NODAL'
          : vu < 0.95
            ? 'BILATERAL'
            : null;
    return {
      tradeId: this.tradePrefix + sequence,
      version: 1,
      side: (c & 0x100) === 0 ? 'BUY' : 'SELL',
      product: rt ? block.products.rt[hubIndex]! : block.products.da[hubIndex]!,
      settlementPoint: hub.name,
      deliveryStart: window.start,
      deliveryEnd: window.end,
      hours: window.hours,
      mw,
      maxMw: long ? DESK_LIMITS.maxLongTenorMw : DESK_LIMITS.maxTradeMw,
      priceCents: Math.max(5, priceCents),
      counterparty: COUNTERPARTIES[(c >>> 9) & 7]!,
      ...this.bookAndTrader(c >>> 12),
      venue,
      isBlock,
    };
  }

  /** Each book has two traders: `trader-<2b+1>` and `trader-<2b+2>`. */
  private bookAndTrader(bits: number): { book: string; trader: string } {
    const index = bits % (this.books.length * 2);
    const book = index >> 1;
    return { book: this.books[book]!, trader: `trader-${index + 1}` };
  }

  private windowOf(tenorIndex: number, block: BlockChoice, now: number): DeliveryWindow {
    // The cache is valid until the next UTC hour boundary, never across a Central midnight.
    if (now >= this.windowsUntil || now < this.windowsUntil - HOUR_MS) {
      this.windows.fill(undefined);
      this.windowsUntil = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
    }
    const slot = tenorIndex * BLOCKS.length + block.index;
    let window = this.windows[slot];
    if (window === undefined) {
      window = deliveryWindow(TENOR_CHOICES[tenorIndex]!.tenor, block.key, now);
      this.windows[slot] = window;
    }
    return window;
  }

  private amend(trade: OpenTrade): void {
    const r = this.random;
    if (r() < 0.6) {
      const step = pick(SCREEN_MW, r());
      const canUp = trade.mw + step <= trade.maxMw;
      const canDown = trade.mw > step;
      if (canUp && (r() < 0.5 || !canDown)) {
        trade.mw += step;
        return;
      }
      if (canDown) {
        trade.mw -= step;
        return;
      }
    }
    const bp = 25 + Math.floor(r() * 175); // 0.25 % .. 2 %
    const factor = r() < 0.5 ? 1 + bp / 10_000 : 1 - bp / 10_000;
    const cents = 5 * Math.round((trade.priceCents * factor) / 5);
    trade.priceCents = cents === trade.priceCents ? trade.priceCents + 5 : Math.max(5, cents);
  }

  private toEvent(
    t: OpenTrade,
    status: 'NEW' | 'AMEND' | 'CANCEL',
    now: number,
    sequence: number,
  ): TransactionsEvent {
    return {
      event_id: eventIdFor(this.common.idKey, sequence),
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
      price_usd_mwh: t.priceCents / 100,
      counterparty: t.counterparty,
      book: t.book,
      trader: t.trader,
      venue: t.venue,
      is_block: t.isBlock,
      source: SYNTHETIC_SOURCE,
      producer_id: this.common.producerId,
      produced_at: now,
    };
  }
}
