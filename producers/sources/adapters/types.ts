import type { Clock } from '../types.js';

/** The subset of `fetch` the adapters use; inject a stub or a fault-injecting wrapper in tests. */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** Waits `ms` milliseconds; injected so tests never really wait. */
export type Sleep = (ms: number) => Promise<void>;

/** Retry timing (see `RETRY_DEFAULTS`). */
export interface RetryTiming {
  readonly retries: number;
  readonly initialRetryTimeMs: number;
  readonly multiplier: number;
  readonly factor: number;
  readonly maxBackoffMs: number;
  readonly maxRetryTimeMs: number;
  readonly maxRetryAfterMs: number;
}

/** Options of `createRetrier`. */
export type RetryOptions = Partial<RetryTiming> & {
  /** Random source in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** How to wait. @default setTimeout */
  readonly sleep?: Sleep;
  /** Time source for the budget. @default the wall clock */
  readonly clock?: Clock;
};

/** Client-side rate limit: a token bucket. */
export interface RateLimitOptions {
  /** Burst size (tokens when full). */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
}

/** A record an adapter could not turn into a valid event; nothing valid is dropped with it. */
export interface RejectedRecord {
  /** URL of the response. */
  readonly url: string;
  /** 1-based page (or location batch). */
  readonly page: number;
  /** Row (ERCOT) or hour (Open-Meteo) index within the page. */
  readonly index: number;
  /** Why, e.g. `temperature_2m is null` or a contract violation with its field path. */
  readonly reason: string;
}

/** One page of a poll. */
export interface PollPage<E> {
  readonly url: string;
  readonly page: number;
  readonly events: E[];
  readonly rejected: RejectedRecord[];
}

/** Everything one poll produced. */
export interface PollResult<E> {
  /** Valid events, in upstream order. */
  readonly events: E[];
  /** Records that could not be converted. */
  readonly rejected: RejectedRecord[];
  /** Pages (or location batches) fetched. */
  readonly pages: number;
}
