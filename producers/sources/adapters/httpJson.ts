import { createRetrier, type Retrier, type RetryOptions, type Sleep } from '../../../common/retry/index.js';
import { InvalidSourceOptionError } from '../errors.js';
import type { Clock } from '../types.js';
import { HTTP_RETRY_DEFAULTS } from './constants.js';
import { HttpStatusError, MalformedResponseError, NetworkError } from './errors.js';
import { TokenBucket } from './TokenBucket.js';
import type { FetchLike, RateLimitOptions } from './types.js';

/** The HTTP options every poller takes. */
export interface PollerHttpOptions {
  /** `fetch` to use. @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Retrier, or options for one. @default createRetrier() with HTTP_RETRY_DEFAULTS */
  readonly retry?: Retrier | RetryOptions;
  /** Rate limit, or a shared bucket. @default the poller's entry in RATE_LIMIT_DEFAULTS */
  readonly rateLimit?: TokenBucket | RateLimitOptions;
  /** How to wait (retries and rate limit). @default setTimeout */
  readonly sleep?: Sleep;
  /** Aborts in-flight requests. */
  readonly signal?: AbortSignal;
}

/** What {@link getJson} needs besides the URL. */
export interface HttpContext {
  readonly fetch: FetchLike;
  readonly retrier: Retrier;
  readonly bucket: TokenBucket;
  readonly clock: Clock;
  readonly headers?: () => Promise<Record<string, string>> | Record<string, string>;
  readonly signal?: AbortSignal;
}

/**
 * A poller's {@link HttpContext} from its options: the retrier (HTTP defaults, the poller's clock and
 * sleep) and the token bucket (the poller's default rate, or a bucket shared with other pollers).
 *
 * @param options - the poller's HTTP options
 * @param clock - the poller's clock
 * @param defaultRateLimit - rate when `options.rateLimit` is not given
 * @param headers - request headers (e.g. credentials), computed per request
 */
export function createHttpContext(
  options: PollerHttpOptions,
  clock: Clock,
  defaultRateLimit: RateLimitOptions,
  headers?: HttpContext['headers'],
): HttpContext {
  const sleep = options.sleep;
  const retrier =
    typeof options.retry === 'function'
      ? options.retry
      : createRetrier({ ...HTTP_RETRY_DEFAULTS, clock, ...(sleep ? { sleep } : {}), ...options.retry });
  const bucket =
    options.rateLimit instanceof TokenBucket
      ? options.rateLimit
      : new TokenBucket({ ...(options.rateLimit ?? defaultRateLimit), clock, ...(sleep ? { sleep } : {}) });
  return {
    fetch: options.fetch ?? (globalThis.fetch as FetchLike),
    retrier,
    bucket,
    clock,
    ...(headers ? { headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * Parses a Retry-After header (delta seconds or an HTTP date) into ms from now.
 *
 * @param value - header value
 * @param nowMs - current time, epoch ms
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * GETs a JSON document with the rate limit and the retrier: one token per attempt; 429/5xx and
 * network failures are retried (honouring Retry-After), other statuses and unparseable bodies fail
 * at once with an error naming the URL and page.
 *
 * @param url - absolute URL
 * @param page - 1-based page for error messages
 * @param ctx - fetch, retrier, rate limit, clock, headers
 */
export function getJson(url: string, page: number, ctx: HttpContext): Promise<unknown> {
  return ctx.retrier(async () => {
    await ctx.bucket.take();
    const headers = { accept: 'application/json', ...(ctx.headers ? await ctx.headers() : {}) };
    let response: Response;
    try {
      response = await ctx.fetch(url, ctx.signal ? { headers, signal: ctx.signal } : { headers });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new NetworkError(url, err);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new NetworkError(url, err);
    }
    if (!response.ok) {
      throw new HttpStatusError(
        url,
        response.status,
        text,
        parseRetryAfter(response.headers.get('retry-after'), ctx.clock.now()),
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const snippet = text.length > 80 ? `${text.slice(0, 77)}...` : text;
      throw new MalformedResponseError(url, page, `body is not JSON (${JSON.stringify(snippet)})`, err);
    }
  });
}

/**
 * Checks a base URL before any request.
 *
 * @param url - base URL
 */
export function checkBaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(u.protocol);
  } catch {
    throw new InvalidSourceOptionError('baseUrl', url, 'an absolute http(s) URL');
  }
  return url.replace(/\/+$/, '');
}
