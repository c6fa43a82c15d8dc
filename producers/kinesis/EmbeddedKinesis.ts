import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { createKinesisClient } from './kinesisClient.js';

/** Options for {@link EmbeddedKinesis}. */
export interface EmbeddedKinesisOptions {
  /** Port to listen on (127.0.0.1 only). @default 0 (an ephemeral port) */
  readonly port?: number;
  /**
   * Folder for a persistent store. When omitted the emulator keeps streams in memory.
   * @default undefined (in memory)
   */
  readonly path?: string;
  /** Max open shards across all streams. @default 200 */
  readonly shardLimit?: number;
}

/**
 * An in-process Kinesis Data Streams emulator (kinesalite) on 127.0.0.1. Clients reach it over real
 * HTTP with the AWS SDK, exactly as they reach AWS.
 *
 * @example
 * ```ts
 * const kinesis = await EmbeddedKinesis.start();
 * await kinesis.createStream('grid', 2);
 * process.env.AWS_ENDPOINT_URL_KINESIS = kinesis.endpoint;
 * ```
 */
export class EmbeddedKinesis {
  /** `http://127.0.0.1:<port>` */
  public readonly endpoint: string;
  readonly #server: Server;
  readonly #client: KinesisClient;

  private constructor(server: Server) {
    this.#server = server;
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.#client = createKinesisClient({ endpoint: this.endpoint });
  }

  /** Starts the emulator and resolves once it accepts connections. */
  public static async start(options: EmbeddedKinesisOptions = {}): Promise<EmbeddedKinesis> {
    const server: Server = kinesalite({
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: options.shardLimit ?? 200,
      ...(options.path ? { path: options.path } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return new EmbeddedKinesis(server);
  }

  /** A client bound to this emulator. */
  public get client(): KinesisClient {
    return this.#client;
  }

  /**
   * Creates a stream (no error when it exists) and waits until it is ACTIVE.
   *
   * @param name - stream name
   * @param shardCount - number of shards
   */
  public async createStream(name: string, shardCount: number): Promise<void> {
    try {
      await this.#client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    for (let i = 0; i < 200; i++) {
      const d = await this.#client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`stream ${name} did not become ACTIVE`);
  }

  /** Stops the emulator. */
  public async stop(): Promise<void> {
    this.#client.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      // Keep-alive sockets would hold close() open.
      (this.#server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  }
}
