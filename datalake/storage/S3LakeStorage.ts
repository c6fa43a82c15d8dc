import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isRetriable } from '../../common/retry/index.js';
import { S3_MAX_SINGLE_PUT_BYTES } from './constants.js';
import { StorageError } from './errors.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import type { LakeStorage, VersionedBytes } from './types.js';

/** Options of {@link S3LakeStorage}. */
export interface S3LakeStorageOptions {
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix of the lake inside the bucket, without leading or trailing `/`. @default '' */
  readonly prefix?: string;
  /**
   * A ready client. When omitted one is created with the standard configuration: default credential
   * chain, `AWS_REGION`, endpoint from `AWS_ENDPOINT_URL_S3` then `AWS_ENDPOINT_URL`, path-style
   * addressing when an endpoint is set (S3-compatible servers).
   * @default a new client
   */
  readonly client?: S3Client;
}

/** The endpoint an S3 client should use when the environment names one. */
export function s3EndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * Creates an S3 client the way gridstream's lake uses it: standard AWS configuration, and
 * path-style requests plus placeholder credentials for a local S3-compatible endpoint.
 *
 * @param endpoint - endpoint override; @default {@link s3EndpointFromEnv}
 */
export function createS3Client(endpoint: string | undefined = s3EndpointFromEnv()): S3Client {
  const isLocal = endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
  const config: S3ClientConfig = {
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true }, httpsAgent: { keepAlive: true } }),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
  if (isLocal && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  return new S3Client(config);
}

function wrapS3Error(op: string, target: string, err: unknown): StorageError {
  return new StorageError(`${op} ${target} failed: ${(err as Error).name}: ${(err as Error).message}`, {
    retriable: isRetriable(err),
    cause: err,
  });
}

/**
 * A lake in an S3 bucket (or on an S3-compatible server). Each object is written with one PUT, which
 * S3 makes visible atomically and durably when it succeeds; S3's strong read-after-write consistency
 * makes a checkpoint written after its objects safe to trust on restart.
 */
export class S3LakeStorage implements LakeStorage {
  public readonly kind = 's3' as const;
  public readonly location: string;
  readonly #client: S3Client;
  readonly #ownsClient: boolean;
  readonly #bucket: string;
  readonly #base: string;
  #staging: Promise<string> | undefined;

  /** @param options - bucket, prefix and client */
  public constructor(options: S3LakeStorageOptions) {
    this.#bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.#base = prefix === '' ? '' : `${prefix}/`;
    this.location = `s3://${this.#bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.#client = options.client ?? createS3Client();
    this.#ownsClient = options.client === undefined;
  }

  public stagingDir(): Promise<string> {
    this.#staging ??= mkdtemp(join(tmpdir(), 'gridstream-s3-staging-'));
    return this.#staging;
  }

  public async publishFile(key: string, localPath: string): Promise<void> {
    assertValidKey(key);
    const body = await readFile(localPath);
    if (body.length > S3_MAX_SINGLE_PUT_BYTES) {
      throw new StorageError(`${localPath} is ${body.length} bytes, over the single-PUT limit`, {
        retriable: false,
      });
    }
    await this.putBytes(key, body);
    await rm(localPath, { force: true });
  }

  public async putBytes(key: string, body: Uint8Array): Promise<void> {
    assertValidKey(key);
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: this.#base + key, Body: body }),
      );
    } catch (err) {
      throw wrapS3Error('PUT', this.urlFor(key), err);
    }
  }

  public async getBytes(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    try {
      const r = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#base + key }),
      );
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey') return undefined;
      throw wrapS3Error('GET', this.urlFor(key), err);
    }
  }

  public async getVersioned(key: string): Promise<VersionedBytes | undefined> {
    assertValidKey(key);
    try {
      const r = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#base + key }),
      );
      const body = r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
      if (!r.ETag) throw new Error('the response has no ETag');
      return { body, version: r.ETag };
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey') return undefined;
      throw wrapS3Error('GET', this.urlFor(key), err);
    }
  }

  public async putIfVersion(
    key: string,
    body: Uint8Array,
    expected: string | null,
  ): Promise<string | undefined> {
    assertValidKey(key);
    try {
      const r = await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#base + key,
          Body: body,
          ...(expected === null ? { IfNoneMatch: '*' } : { IfMatch: expected }),
        }),
      );
      if (!r.ETag) throw new Error('the response has no ETag');
      return r.ETag;
    } catch (err) {
      // 412: the object is not in the expected state; 409: a concurrent conditional write won;
      // 404 (If-Match on a deleted object). In each case the caller reads again and decides.
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409 || (expected !== null && status === 404)) return undefined;
      throw wrapS3Error('conditional PUT', this.urlFor(key), err);
    }
  }

  async #listPages(prefix: string, delimiter?: string): Promise<{ keys: string[]; folders: string[] }> {
    const keys: string[] = [];
    const folders: string[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#base + prefix,
            ...(delimiter ? { Delimiter: delimiter } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (err) {
        throw wrapS3Error('LIST', this.urlFor(prefix), err);
      }
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.#base.length));
      for (const p of page.CommonPrefixes ?? [])
        if (p.Prefix) folders.push(p.Prefix.slice(this.#base.length + prefix.length).replace(/\/$/, ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, folders };
  }

  public async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    return (await this.#listPages(prefix)).keys.sort();
  }

  public async listFolders(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const { folders } = await this.#listPages(prefix, '/');
    return folders.filter((f) => f !== '' && !f.startsWith('_') && !f.startsWith('.')).sort();
  }

  public urlFor(key: string): string {
    return `s3://${this.#bucket}/${this.#base}${key}`;
  }

  public async close(): Promise<void> {
    const staging = this.#staging;
    this.#staging = undefined;
    if (staging) await rm(await staging, { recursive: true, force: true });
    if (this.#ownsClient) this.#client.destroy();
  }
}
