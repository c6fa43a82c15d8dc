import { SourceError } from '../errors.js';

/** The server answered with an HTTP error status. Retriable on 429 and 5xx, not on other 4xx. */
export class HttpStatusError extends SourceError {
  /** HTTP status. */
  public readonly status: number;
  /** URL requested. */
  public readonly url: string;
  /** Wait the server asked for (Retry-After), ms. */
  public readonly retryAfterMs: number | undefined;

  public constructor(url: string, status: number, body: string, retryAfterMs: number | undefined) {
    const snippet = body.length > 200 ? `${body.slice(0, 197)}...` : body;
    super(`GET ${url} failed with HTTP ${status}${snippet ? `: ${snippet}` : ''}`, {
      retriable: status === 429 || status >= 500,
    });
    this.name = 'HttpStatusError';
    this.status = status;
    this.url = url;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request did not get a response (connection refused or reset, DNS, TLS). Retriable. */
export class NetworkError extends SourceError {
  /** URL requested. */
  public readonly url: string;

  public constructor(url: string, cause: unknown) {
    const reason =
      (cause as { cause?: { code?: string } })?.cause?.code ?? (cause as Error)?.message ?? String(cause);
    super(`GET ${url} failed: ${reason}`, { retriable: true, cause });
    this.name = 'NetworkError';
    this.url = url;
  }
}

/** The response is not in the API's format; names the URL and page. Not retriable. */
export class MalformedResponseError extends SourceError {
  /** URL requested. */
  public readonly url: string;
  /** 1-based page (or location batch) of the poll. */
  public readonly page: number;

  public constructor(url: string, page: number, reason: string, cause?: unknown) {
    super(`malformed response from ${url} (page ${page}): ${reason}`, { cause });
    this.name = 'MalformedResponseError';
    this.url = url;
    this.page = page;
  }
}
