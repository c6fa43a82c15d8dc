// A fault-injecting HTTP proxy in front of the real emulator: the sink talks real HTTP through the
// real SDK; the proxy turns some PutRecords calls into the failures Kinesis produces under load.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one PutRecords call. */
export type PutRecordsFault =
  /** Forward unchanged. */
  | { readonly kind: 'pass' }
  /** Forward after a delay. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Hold the call until `release()` (a stalled stream), then forward it. */
  | { readonly kind: 'hold' }
  /** Answer 400 ProvisionedThroughputExceededException for the whole call; nothing is written. */
  | { readonly kind: 'throttle'; readonly message?: string }
  /** Answer 500 InternalFailure for the whole call; nothing is written. */
  | { readonly kind: 'error500' }
  /**
   * Fail the entries for which `codeFor` returns an ErrorCode (they are not forwarded, so not written);
   * forward the rest and merge the answers in request order.
   */
  | { readonly kind: 'failEntries'; readonly codeFor: (index: number) => string | undefined };

/** A PutRecords entry as the proxy reads it from the request (Data in base64). */
export interface PutRecordsRequestEntry {
  readonly Data: string;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string;
}

/** Chooses the fault for the n-th PutRecords call (0-based), seeing its entries when it needs them. */
export type FaultPlan = (
  call: number,
  entries: number,
  records: readonly PutRecordsRequestEntry[],
) => PutRecordsFault;

/** What the proxy did. */
export interface FaultStats {
  putRecordsCalls: number;
  throttledCalls: number;
  failedCalls: number;
  failedEntries: number;
  delayedCalls: number;
  heldCalls: number;
  /** Calls held right now. */
  holding: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the sink's client as its endpoint. */
  readonly endpoint: string;
  readonly stats: FaultStats;
  /** Current plan; replace it at any time. */
  plan: FaultPlan;
  /** Lets every held call through (and later `hold` calls pass until the next `hold()` plan). */
  release(): void;
  /**
   * An outage: stops listening and drops every open connection, so every call (not only PutRecords)
   * fails with ECONNREFUSED / ECONNRESET until {@link FaultProxy.restore}.
   */
  goDown(): Promise<void>;
  /** Ends the outage: listens again on the same port. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.1';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection')
        headers[k] = v;
    }
    headers['content-length'] = String(body.length);
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (res) => {
        readBody(res).then((b) => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === 'string' && k !== 'content-length' && k !== 'connection') h[k] = v;
          }
          resolve({ status: res.statusCode ?? 502, headers: h, body: b });
        }, reject);
      },
    );
    up.on('error', reject);
    up.end(body);
  });
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
): void {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': String(b.length) });
  res.end(b);
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  send(
    res,
    status,
    { 'content-type': JSON_TYPE, 'x-amzn-errortype': type },
    JSON.stringify({ __type: type, message }),
  );
}

/**
 * Starts the proxy on 127.0.0.1 in front of `upstream` (the emulator's endpoint). Only PutRecords calls
 * are subject to the plan; every other call is forwarded unchanged.
 *
 * @param upstream - emulator endpoint
 * @param plan - the fault for each PutRecords call
 */
export async function startFaultProxy(upstream: string, plan: FaultPlan): Promise<FaultProxy> {
  const target = new URL(upstream);
  const stats: FaultStats = {
    putRecordsCalls: 0,
    throttledCalls: 0,
    failedCalls: 0,
    failedEntries: 0,
    delayedCalls: 0,
    heldCalls: 0,
    holding: 0,
  };
  let released = false;
  let waiters: (() => void)[] = [];
  const proxy: FaultProxy = {
    endpoint: '',
    stats,
    plan,
    release() {
      released = true;
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    },
    stop: async () => {
      proxy.release();
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    goDown: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    restore: async () => {
      const port = Number(new URL(proxy.endpoint).port);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.headers['x-amz-target'] !== 'Kinesis_20131202.PutRecords') {
      const r = await forward(target, req, body);
      return send(res, r.status, r.headers, r.body);
    }
    const input = JSON.parse(body.toString('utf8')) as {
      StreamName: string;
      Records: PutRecordsRequestEntry[];
    };
    const fault = proxy.plan(stats.putRecordsCalls++, input.Records.length, input.Records);
    switch (fault.kind) {
      case 'throttle':
        stats.throttledCalls += 1;
        return awsError(
          res,
          400,
          'ProvisionedThroughputExceededException',
          fault.message ?? 'Rate exceeded for stream (injected)',
        );
      case 'error500':
        stats.failedCalls += 1;
        return awsError(res, 500, 'InternalFailure', 'injected internal failure');
      case 'delay':
        stats.delayedCalls += 1;
        await new Promise((r) => setTimeout(r, fault.ms));
        break;
      case 'hold':
        if (!released) {
          stats.heldCalls += 1;
          stats.holding += 1;
          await new Promise<void>((resolve) => waiters.push(resolve));
          stats.holding -= 1;
        }
        break;
      case 'failEntries': {
        const codes = input.Records.map((_, i) => fault.codeFor(i));
        const keep = input.Records.filter((_, i) => codes[i] === undefined);
        let passed: {
          SequenceNumber?: string;
          ShardId?: string;
          ErrorCode?: string;
          ErrorMessage?: string;
        }[] = [];
        let upstreamFailed = 0;
        if (keep.length > 0) {
          const r = await forward(target, req, Buffer.from(JSON.stringify({ ...input, Records: keep })));
          if (r.status !== 200) return send(res, r.status, r.headers, r.body);
          const out = JSON.parse(r.body.toString('utf8')) as {
            FailedRecordCount?: number;
            Records: typeof passed;
          };
          passed = out.Records;
          upstreamFailed = out.FailedRecordCount ?? 0;
        }
        let next = 0;
        const merged = codes.map((code) => {
          if (code === undefined) return passed[next++]!;
          stats.failedEntries += 1;
          return { ErrorCode: code, ErrorMessage: `${code} (injected)` };
        });
        const failed = codes.filter((c) => c !== undefined).length + upstreamFailed;
        return send(
          res,
          200,
          { 'content-type': JSON_TYPE },
          JSON.stringify({ FailedRecordCount: failed, Records: merged }),
        );
      }
      default:
        break;
    }
    const r = await forward(target, req, body);
    return send(res, r.status, r.headers, r.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) awsError(res, 502, 'ProxyError', err.message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  (proxy as { endpoint: string }).endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
