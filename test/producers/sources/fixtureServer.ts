import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A canned HTTP response. */
export interface FixtureResponse {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as is (malformed bodies); anything else as JSON. */
  readonly body?: unknown;
}

/** A request the server received. */
export interface RecordedRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

type Route = (query: URLSearchParams) => FixtureResponse;

/**
 * A local HTTP server on 127.0.0.1 serving fixtures in the real APIs' formats: per path, queued
 * one-shot responses (errors, then success) before a route function.
 */
export class FixtureServer {
  public readonly requests: RecordedRequest[] = [];
  private readonly queues = new Map<string, FixtureResponse[]>();
  private readonly routes = new Map<string, Route>();

  private constructor(
    private readonly server: Server,
    public readonly baseUrl: string,
  ) {}

  /** Starts a server on an ephemeral loopback port. */
  public static async start(): Promise<FixtureServer> {
    let self: FixtureServer | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      self!.requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
      const queued = self!.queues.get(url.pathname)?.shift();
      const route = self!.routes.get(url.pathname);
      const response: FixtureResponse = queued ??
        route?.(url.searchParams) ?? { status: 404, body: { error: 'no fixture' } };
      const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? null);
      res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FixtureServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Serves `route` for every request to `path` not answered by a queued response. */
  public route(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  /** Queues one-shot responses for `path`, answered in order before the route. */
  public enqueue(path: string, ...responses: FixtureResponse[]): this {
    this.queues.set(path, [...(this.queues.get(path) ?? []), ...responses]);
    return this;
  }

  /** Requests received for `path`. */
  public requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Stops the server. */
  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
