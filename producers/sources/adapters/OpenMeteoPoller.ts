import type { WeatherEvent } from '../../../schemas/index.js';
import { WEATHER_LOCATIONS } from '../ercotCatalog.js';
import { InvalidSourceOptionError } from '../errors.js';
import type { Clock, WeatherLocation } from '../types.js';
import { WALL_CLOCK } from '../WallClock.js';
import {
  OPEN_METEO_BASE_URL,
  OPEN_METEO_FORECAST_PATH,
  OPEN_METEO_HOURLY_VARIABLES,
  RATE_LIMIT_DEFAULTS,
} from './constants.js';
import {
  checkBaseUrl,
  createHttpContext,
  getJson,
  type HttpContext,
  type PollerHttpOptions,
} from './httpJson.js';
import { openMeteoToEvents } from './openMeteoEvents.js';
import type { PollPage, PollResult } from './types.js';

/** Options of the {@link OpenMeteoPoller}. */
export interface OpenMeteoPollerOptions extends PollerHttpOptions {
  /** API base URL. @default OPEN_METEO_BASE_URL */
  readonly baseUrl?: string;
  /** Locations to poll. @default WEATHER_LOCATIONS */
  readonly locations?: readonly WeatherLocation[];
  /** Locations per request (Open-Meteo takes comma-separated coordinates); each request is a page. @default 10 */
  readonly locationsPerRequest?: number;
  /** Past days of hourly values (become OBSERVATIONs). @default 1 */
  readonly pastDays?: number;
  /** Forecast days (future hours become FORECASTs). @default 2 */
  readonly forecastDays?: number;
  /** `producer_id` of the events. @default 'open-meteo-poller' */
  readonly producerId?: string;
  /** Poll time source (splits observations from forecasts). @default the wall clock */
  readonly clock?: Clock;
}

/**
 * Polls Open-Meteo's `/v1/forecast` for Texas locations and converts the hourly arrays into weather
 * contract events (past hours as OBSERVATIONs, future hours as FORECASTs).
 *
 * @example
 * ```ts
 * const poller = new OpenMeteoPoller({ forecastDays: 3 });
 * const { events, rejected } = await poller.poll();
 * ```
 */
export class OpenMeteoPoller {
  private readonly baseUrl: string;
  private readonly locations: readonly WeatherLocation[];
  private readonly perRequest: number;
  private readonly pastDays: number;
  private readonly forecastDays: number;
  private readonly producerId: string;
  private readonly clock: Clock;
  private readonly http: HttpContext;

  /**
   * @param options - endpoint, locations, window and the injected fetch, retrier, rate limit, clock
   * @throws InvalidSourceOptionError before any request when an option is invalid
   */
  public constructor(options: OpenMeteoPollerOptions = {}) {
    this.baseUrl = checkBaseUrl(options.baseUrl ?? OPEN_METEO_BASE_URL);
    this.locations = options.locations ?? WEATHER_LOCATIONS;
    if (this.locations.length === 0)
      throw new InvalidSourceOptionError('locations', [], 'at least one location');
    this.perRequest = options.locationsPerRequest ?? 10;
    if (!Number.isInteger(this.perRequest) || this.perRequest < 1) {
      throw new InvalidSourceOptionError('locationsPerRequest', this.perRequest, 'an integer >= 1');
    }
    this.pastDays = checkDays('pastDays', options.pastDays ?? 1, 0, 92);
    this.forecastDays = checkDays('forecastDays', options.forecastDays ?? 2, 0, 16);
    this.producerId = options.producerId ?? 'open-meteo-poller';
    this.clock = options.clock ?? WALL_CLOCK;
    this.http = createHttpContext(options, this.clock, RATE_LIMIT_DEFAULTS.openMeteo);
  }

  /**
   * The URL of one request.
   *
   * @param locations - locations of the request
   */
  public urlFor(locations: readonly WeatherLocation[]): string {
    const params = new URLSearchParams({
      latitude: locations.map((l) => l.latitudeDeg.toFixed(4)).join(','),
      longitude: locations.map((l) => l.longitudeDeg.toFixed(4)).join(','),
      hourly: OPEN_METEO_HOURLY_VARIABLES.join(','),
      timezone: 'UTC',
      wind_speed_unit: 'ms',
      past_days: String(this.pastDays),
      forecast_days: String(this.forecastDays),
    });
    return `${this.baseUrl}${OPEN_METEO_FORECAST_PATH}?${params.toString()}`;
  }

  /** Fetches and converts the locations batch by batch (one page per request). */
  public async *pages(): AsyncGenerator<PollPage<WeatherEvent>> {
    let page = 0;
    for (let i = 0; i < this.locations.length; i += this.perRequest) {
      page++;
      const batch = this.locations.slice(i, i + this.perRequest);
      const url = this.urlFor(batch);
      const body = await getJson(url, page, this.http);
      yield openMeteoToEvents(body, batch, {
        url,
        page,
        producerId: this.producerId,
        nowMs: this.clock.now(),
      });
    }
  }

  /** One poll of every location. */
  public async poll(): Promise<PollResult<WeatherEvent>> {
    const events: WeatherEvent[] = [];
    const rejected: PollResult<WeatherEvent>['rejected'] = [];
    let pages = 0;
    for await (const p of this.pages()) {
      pages++;
      events.push(...p.events);
      rejected.push(...p.rejected);
    }
    return { events, rejected, pages };
  }
}

function checkDays(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidSourceOptionError(option, value, `an integer in ${min}..${max}`);
  }
  return value;
}
