/** The subset of `fetch` the adapters use; inject a stub or a fault-injecting wrapper in tests. */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

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
