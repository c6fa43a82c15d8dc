import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Options for {@link createKinesisClient}. */
export interface KinesisClientOptions {
  /**
   * Endpoint override. When omitted the SDK's standard resolution applies
   * (`AWS_ENDPOINT_URL_KINESIS`, then `AWS_ENDPOINT_URL`, then the regional endpoint).
   */
  readonly endpoint?: string;
  /** Region. @default `AWS_REGION`, else us-east-1 for a local endpoint */
  readonly region?: string;
  /** Maximum sockets kept open to the endpoint. @default 64 */
  readonly maxSockets?: number;
  /**
   * SDK-level retries. gridstream's sink retries failed entries itself, so the default is 1
   * (no hidden SDK retry loop multiplying our backoff).
   * @default 1
   */
  readonly maxAttempts?: number;
}

/** The endpoint a local run should use, if the environment names one. */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_KINESIS || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * Creates a Kinesis client with the standard AWS configuration (default credential chain, `AWS_REGION`,
 * `AWS_ENDPOINT_URL_KINESIS` / `AWS_ENDPOINT_URL`). HTTP/1.1 keep-alive is used: the SDK's default
 * HTTP/2 handler for Kinesis is only needed for SubscribeToShard, and local emulators speak HTTP/1.1.
 *
 * @param options - overrides
 */
export function createKinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  const endpoint = options.endpoint ?? endpointFromEnv();
  const isLocal = endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
  const config: KinesisClientConfig = {
    region:
      options.region ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION ??
      (isLocal ? 'us-east-1' : undefined),
    maxAttempts: options.maxAttempts ?? 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
    }),
    ...(endpoint ? { endpoint } : {}),
  };
  // A local emulator accepts any signature; do not make a developer configure credentials for it.
  if (isLocal && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  return new KinesisClient(config);
}
