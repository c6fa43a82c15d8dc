import type { GridEvent } from '../../../schemas/index.js';
import { InvalidSourceOptionError } from '../errors.js';
import type { Clock } from '../types.js';
import { WALL_CLOCK } from '../WallClock.js';
import {
  ERCOT_BASE_URL,
  ERCOT_MAX_PAGES,
  ERCOT_PAGE_SIZE,
  ERCOT_REPORTS,
  RATE_LIMIT_DEFAULTS,
} from './constants.js';
import {
  centralDate,
  defaultZoneOf,
  type ErcotReport,
  ercotMeta,
  ercotToEvents,
  type ZoneOf,
} from './ercotEvents.js';
import {
  checkBaseUrl,
  createHttpContext,
  getJson,
  type HttpContext,
  type PollerHttpOptions,
} from './httpJson.js';
import type { PollPage, PollResult } from './types.js';

/** Options of the {@link ErcotSppPoller}. */
export interface ErcotSppPollerOptions extends PollerHttpOptions {
  /** API base URL. @default ERCOT_BASE_URL */
  readonly baseUrl?: string;
  /** Report: `rtm` (NP6-905-CD, 15-minute) or `dam` (NP4-190-CD, hourly). @default 'rtm' */
  readonly report?: ErcotReport;
  /** Rows per page (`size`). @default ERCOT_PAGE_SIZE */
  readonly pageSize?: number;
  /** Stop after this many pages. @default ERCOT_MAX_PAGES */
  readonly maxPages?: number;
  /** Sent as `Ocp-Apim-Subscription-Key`. */
  readonly subscriptionKey?: string;
  /** Bearer token (or a function returning a fresh one) sent as `Authorization`. */
  readonly accessToken?: string | (() => string | Promise<string>);
  /** Maps settlement points to load zones. @default {@link defaultZoneOf} */
  readonly zoneOf?: ZoneOf;
  /** `producer_id` of the events. @default 'ercot-spp-poller' */
  readonly producerId?: string;
  /** Time source (`produced_at`, default delivery date). @default the wall clock */
  readonly clock?: Clock;
}

/** What one ERCOT poll asks for. */
export interface ErcotQuery {
  /** First delivery date, `YYYY-MM-DD`. @default today in US Central time */
  readonly deliveryDateFrom?: string;
  /** Last delivery date, `YYYY-MM-DD`. @default deliveryDateFrom */
  readonly deliveryDateTo?: string;
  /** Only this settlement point. @default all */
  readonly settlementPoint?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Polls ERCOT's Public API settlement-point-price reports page by page and converts the rows into
 * grid contract events (SETTLEMENT_POINT_PRICE; ERCOT publishes the price, not its components).
 *
 * @example
 * ```ts
 * const poller = new ErcotSppPoller({ subscriptionKey: process.env.ERCOT_KEY, accessToken: getToken });
 * const { events } = await poller.poll({ deliveryDateFrom: '2025-07-01', deliveryDateTo: '2025-07-02' });
 * ```
 */
export class ErcotSppPoller {
  /** Report read. */
  public readonly report: ErcotReport;
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly zoneOf: ZoneOf;
  private readonly producerId: string;
  private readonly clock: Clock;
  private readonly http: HttpContext;

  /**
   * @param options - endpoint, report, paging, auth and the injected fetch, retrier, rate limit, clock
   * @throws InvalidSourceOptionError before any request when an option is invalid
   */
  public constructor(options: ErcotSppPollerOptions = {}) {
    this.baseUrl = checkBaseUrl(options.baseUrl ?? ERCOT_BASE_URL);
    this.report = options.report ?? 'rtm';
    if (!(this.report in ERCOT_REPORTS))
      throw new InvalidSourceOptionError('report', this.report, 'rtm or dam');
    this.pageSize = options.pageSize ?? ERCOT_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new InvalidSourceOptionError('pageSize', this.pageSize, 'an integer >= 1');
    }
    this.maxPages = options.maxPages ?? ERCOT_MAX_PAGES;
    if (!Number.isInteger(this.maxPages) || this.maxPages < 1) {
      throw new InvalidSourceOptionError('maxPages', this.maxPages, 'an integer >= 1');
    }
    this.zoneOf = options.zoneOf ?? defaultZoneOf;
    this.producerId = options.producerId ?? 'ercot-spp-poller';
    this.clock = options.clock ?? WALL_CLOCK;
    const { subscriptionKey, accessToken } = options;
    const headers = async (): Promise<Record<string, string>> => {
      const h: Record<string, string> = {};
      if (subscriptionKey) h['Ocp-Apim-Subscription-Key'] = subscriptionKey;
      if (accessToken) {
        h.Authorization = `Bearer ${typeof accessToken === 'function' ? await accessToken() : accessToken}`;
      }
      return h;
    };
    this.http = createHttpContext(options, this.clock, RATE_LIMIT_DEFAULTS.ercot, headers);
  }

  /**
   * The URL of one page.
   *
   * @param query - delivery dates and settlement point
   * @param page - 1-based page
   */
  public urlFor(query: ErcotQuery, page: number): string {
    const from = query.deliveryDateFrom ?? centralDate(this.clock.now());
    const params = new URLSearchParams({
      deliveryDateFrom: from,
      deliveryDateTo: query.deliveryDateTo ?? from,
      page: String(page),
      size: String(this.pageSize),
    });
    if (query.settlementPoint) params.set('settlementPoint', query.settlementPoint);
    return `${this.baseUrl}${ERCOT_REPORTS[this.report].path}?${params.toString()}`;
  }

  /**
   * Fetches and converts the report page by page, following `_meta.totalPages`.
   *
   * @param query - delivery dates (default today, US Central) and settlement point
   * @throws InvalidSourceOptionError before any request when a date is not `YYYY-MM-DD` or the range is reversed
   */
  public async *pages(query: ErcotQuery = {}): AsyncGenerator<PollPage<GridEvent>> {
    const from = query.deliveryDateFrom ?? centralDate(this.clock.now());
    const to = query.deliveryDateTo ?? from;
    if (!DATE.test(from)) throw new InvalidSourceOptionError('deliveryDateFrom', from, 'a date YYYY-MM-DD');
    if (!DATE.test(to) || to < from) {
      throw new InvalidSourceOptionError('deliveryDateTo', to, `a date YYYY-MM-DD not before ${from}`);
    }
    const fixed: ErcotQuery = { ...query, deliveryDateFrom: from, deliveryDateTo: to };
    let totalPages = 1;
    for (let page = 1; page <= totalPages && page <= this.maxPages; page++) {
      const url = this.urlFor(fixed, page);
      const body = await getJson(url, page, this.http);
      totalPages = ercotMeta(body, url, page).totalPages;
      yield ercotToEvents(body, {
        url,
        page,
        report: this.report,
        producerId: this.producerId,
        nowMs: this.clock.now(),
        zoneOf: this.zoneOf,
      });
    }
  }

  /**
   * One poll of every page.
   *
   * @param query - delivery dates and settlement point
   */
  public async poll(query: ErcotQuery = {}): Promise<PollResult<GridEvent>> {
    const events: GridEvent[] = [];
    const rejected: PollResult<GridEvent>['rejected'] = [];
    let pages = 0;
    for await (const p of this.pages(query)) {
      pages++;
      events.push(...p.events);
      rejected.push(...p.rejected);
    }
    return { events, rejected, pages };
  }
}
