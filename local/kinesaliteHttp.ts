/**
 * The request handling gridstream's own emulator paths share with kinesalite's `index.js` 3.3.3: which
 * requests kinesalite would run as a JSON action, reading and validating their body, and answering
 * errors the way kinesalite does. The fast GetRecords path (`emulatorGetRecords.ts`) and the per-shard
 * write limits (`emulatorShardLimits.ts`) both serve their calls through these.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

/** kinesalite's error shape: client errors carry the status code and the JSON body to send. */
export interface KinesaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string };
}

/** `require('kinesalite/validations')` */
interface KinesaliteValidations {
  checkTypes(data: object, types: unknown): Record<string, unknown>;
  checkValidations(data: object, types: unknown, custom: unknown, operation: string): void;
}

/** `require('kinesalite/validations/<action>')` */
export interface ActionValidation {
  readonly types: unknown;
  readonly custom?: unknown;
}

/** Loads a part of kinesalite (the module objects kinesalite itself uses). */
export const requireKinesalitePart = createRequire(import.meta.url);
const validations = requireKinesalitePart('kinesalite/validations') as KinesaliteValidations;
const uuid = createRequire(requireKinesalitePart.resolve('kinesalite'))('uuid') as { v1(): string };

/** kinesalite's request size limit (index.js `MAX_REQUEST_BYTES`). */
export const MAX_REQUEST_BYTES = 7 * 1024 * 1024;
/** The content type of the JSON protocol (what the AWS SDK for JavaScript sends). */
export const AMZ_JSON = 'application/x-amz-json-1.1';
const AUTH_PARAMS = ['Credential', 'Signature', 'SignedHeaders'] as const;

/**
 * Whether kinesalite would take this request, by its headers alone, as far as running the `target`
 * action with a JSON body: POST, `application/x-amz-json-1.1`, that target, an Authorization header with
 * Credential, Signature and SignedHeaders plus an X-Amz-Date or Date header; no query string and no
 * Origin (CORS) header. Anything else is left to kinesalite.
 *
 * @param req - the request
 * @param target - e.g. `Kinesis_20131202.GetRecords`
 */
export function isKinesaliteJsonCall(req: IncomingMessage, target: string): boolean {
  const h = req.headers;
  if (req.method !== 'POST' || h.origin !== undefined || (req.url ?? '').includes('?')) return false;
  if (h['x-amz-target'] !== target) return false;
  if ((h['content-type'] ?? '').split(';')[0]!.trim() !== AMZ_JSON) return false;
  if (!h['x-amz-date'] && !h.date) return false;
  const auth = h.authorization;
  if (!auth) return false;
  // kinesalite's parse: split on commas and spaces, skip the algorithm, `key=value` pairs (last wins).
  const params = new Map<string, string | undefined>();
  for (const part of auth.split(/,| /).slice(1)) {
    if (!part) continue;
    const kv = part.trim().split('=');
    params.set(kv[0]!, kv[1]);
  }
  return AUTH_PARAMS.every((p) => Boolean(params.get(p)));
}

/** Sends a kinesalite client error (its status code and body), or an InternalFailure for anything else. */
export type SendError = (err: KinesaliteError) => void;

/**
 * Reads a call's body (kinesalite's size limit), sets kinesalite's response headers, parses and
 * validates it with kinesalite's checks for `operation`, and hands the validated input to `handle`;
 * answers kinesalite's errors itself.
 *
 * @param req - a request {@link isKinesaliteJsonCall} accepted
 * @param res - its response
 * @param validation - `require('kinesalite/validations/<action>')`
 * @param operation - e.g. `GetRecords` (named in validation messages)
 * @param handle - receives the validated input and the error sender
 */
export function readKinesaliteCall<T>(
  req: IncomingMessage,
  res: ServerResponse,
  validation: ActionValidation,
  operation: string,
  handle: (params: T, sendError: SendError) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  // kinesalite rethrows request errors (crashing the process); the socket is gone either way.
  req.on('error', () => res.destroy());
  req.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > MAX_REQUEST_BYTES) {
      req.removeAllListeners('data').removeAllListeners('end');
      res.setHeader('Transfer-Encoding', 'chunked');
      res.statusCode = 413;
      res.end();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    res.setHeader('x-amzn-RequestId', uuid.v1());
    res.setHeader('x-amz-id-2', randomBytes(72).toString('base64'));
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    const sendError: SendError = (err) =>
      err.statusCode
        ? sendJson(res, err.statusCode, err.body)
        : // kinesalite throws these (crashing the process); an embedded emulator answers instead.
          sendJson(res, 500, { __type: 'InternalFailure', message: String(err.message) });
    if (length === 0) return sendJson(res, 400, { __type: 'SerializationException' });
    let data: unknown;
    try {
      data = JSON.parse(body.toString());
    } catch {}
    if (typeof data !== 'object' || data === null) {
      return sendJson(res, 400, { __type: 'SerializationException' });
    }
    let params: T;
    try {
      const checked = validations.checkTypes(data, validation.types);
      validations.checkValidations(checked, validation.types, validation.custom, operation);
      params = checked as unknown as T;
    } catch (err) {
      return sendError(err as KinesaliteError);
    }
    handle(params, sendError);
  });
}

/**
 * kinesalite's `sendJson`.
 *
 * @param res - the response
 * @param statusCode - HTTP status
 * @param body - serialised as JSON
 */
export function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = statusCode;
  res.setHeader('Content-Type', AMZ_JSON);
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  res.end(text);
}
