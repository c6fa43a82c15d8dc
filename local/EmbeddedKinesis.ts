import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { KINESIS_SHARD_WRITE_LIMITS } from '../kinesis/constants.js';
import { createKinesisClient } from '../kinesis/kinesisClient.js';
import { DATASETS, type Dataset } from '../schemas/index.js';
import { createKinesaliteServer } from './emulatorGetRecords.js';
import {
  EMULATOR_RETENTION_DEFAULTS,
  RecordWindow,
  type RecordWindowStats,
  type RetentionWindow,
} from './RecordWindow.js';
import { ShardWriteLimiter, type ShardWriteLimits, type ShardWriteStats } from './ShardWriteLimiter.js';

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
  /**
   * Streams to create (and wait for) on start, by name with their shard count, e.g.
   * `{ grid: 2, weather: 1, transactions: 4 }`. See {@link datasetStreams}.
   * @default {} (none)
   */
  readonly streams?: Readonly<Record<string, number>>;
  /**
   * Serve GetRecords with gridstream's fast path (same responses as kinesalite's, see the class
   * comment); false leaves every call to kinesalite.
   * @default true
   */
  readonly fastGetRecords?: boolean;
  /**
   * The retention window (see {@link RecordWindow}): records a reader has read past are trimmed once
   * older than `maxAgeMs` or beyond `maxBytes` (all streams together); unread ones only beyond
   * `maxUnreadBytes` (4 × maxBytes unless given), oldest first, as Kinesis retention trims them.
   * `false` keeps records for the streams' retention (24 h), as kinesalite does.
   * @default {@link EMULATOR_RETENTION_DEFAULTS} (10 minutes or 64 MiB of read records, 256 MiB in all)
   */
  readonly retention?: Partial<RetentionWindow> | false;
  /**
   * Enforce Kinesis's per-shard write limits (1 MiB/s and 1,000 records/s per shard over a sliding
   * 1-second window): a PutRecords entry over its shard's limit gets `ProvisionedThroughputExceededException`
   * (a partial failure, as on AWS), a PutRecord over it fails with that error. `true` for Kinesis's
   * limits, or other limits (a test that throttles at a lower rate).
   * @default false (kinesalite writes everything)
   */
  readonly enforceShardLimits?: boolean | Partial<ShardWriteLimits>;
}

/**
 * One stream per dataset (named after it, with an optional prefix) and its shard count.
 *
 * @param shards - shard count for every dataset, or per dataset (missing ones get 1)
 * @param prefix - stream name prefix, e.g. a test's unique id
 * @example
 * ```ts
 * const kinesis = await EmbeddedKinesis.start({ streams: datasetStreams(2) });
 * ```
 */
export function datasetStreams(
  shards: number | Partial<Record<Dataset, number>> = 1,
  prefix = '',
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of DATASETS) out[`${prefix}${d}`] = typeof shards === 'number' ? shards : (shards[d] ?? 1);
  return out;
}

/** kinesalite stamps a new stream (and its starting sequence numbers) this long before its clock. */
const KINESALITE_CREATE_LAG_MS = 2_000;

/**
 * An in-process Kinesis Data Streams emulator (kinesalite) on 127.0.0.1. Clients reach it over real
 * HTTP with the AWS SDK, exactly as they reach AWS.
 *
 * Why kinesalite: it runs in this process, keeps streams in memory and takes ~19k unaggregated
 * PutRecords entries/s on one core (see docs/PERFORMANCE.md), where the project's comparison put
 * kinesis-local (a JVM emulator) ~40x slower, and it needs no JVM or container. It implements the real wire protocol (hash-key routing, sequence numbers, shard
 * iterators, ListShards, resharding), so the sink and the delivery reader use the real SDK against it.
 * Per-shard write limits are off by default (kinesalite writes as fast as it can); `enforceShardLimits`
 * throttles PutRecord(s) past Kinesis's 1 MiB/s and 1,000 records/s per shard the way Kinesis answers
 * (see `emulatorShardLimits.ts`), so a local run shows where AWS would throttle.
 *
 * GetRecords is served by gridstream's own path (see `emulatorGetRecords.ts`; `fastGetRecords: false`
 * turns it off). kinesalite `JSON.parse`s every stored record and `JSON.stringify`s the whole response,
 * base64 payloads included, and writing and collecting those big strings dominated reading: draining a
 * 4-shard stream of 200,000 KPL-aggregated grid events with Limit 10000 cost the emulator 7.9 µs of CPU
 * per 550-byte event. The fast path splices the stored JSON text of each record into the response bytes
 * (byte-identical to kinesalite's body; same checks, errors, retention and iterators, using kinesalite's
 * own helpers) and writes big bodies from reused buffers: ~0.6 µs per event for the same drain. Without
 * aggregation it is 10 instead of 46 µs per record; most of what is left is kinesalite's store iterator
 * (one event-loop turn per record).
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
  /** Creation time of the newest stream this emulator created (kinesalite stamps it to the second). */
  #newestCreatedMs = 0;
  readonly #server: Server;
  readonly #client: KinesisClient;
  readonly #window: RecordWindow;
  readonly #limiter: ShardWriteLimiter | undefined;

  private constructor(server: Server, window: RecordWindow, limiter: ShardWriteLimiter | undefined) {
    this.#server = server;
    this.#window = window;
    this.#limiter = limiter;
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.#client = createKinesisClient({ endpoint: this.endpoint });
  }

  /** Starts the emulator and resolves once it accepts connections. */
  public static async start(options: EmbeddedKinesisOptions = {}): Promise<EmbeddedKinesis> {
    const window = new RecordWindow(
      options.retention === false
        ? EMULATOR_RETENTION_DEFAULTS
        : {
            maxAgeMs: EMULATOR_RETENTION_DEFAULTS.maxAgeMs,
            maxBytes: EMULATOR_RETENTION_DEFAULTS.maxBytes,
            ...(options.retention?.maxBytes === undefined
              ? { maxUnreadBytes: EMULATOR_RETENTION_DEFAULTS.maxUnreadBytes }
              : {}),
            ...options.retention,
          },
    );
    const limits = options.enforceShardLimits;
    const limiter =
      limits === undefined || limits === false
        ? undefined
        : new ShardWriteLimiter({ ...KINESIS_SHARD_WRITE_LIMITS, ...(limits === true ? {} : limits) });
    const { server } = createKinesaliteServer(
      {
        createStreamMs: 0,
        deleteStreamMs: 0,
        updateStreamMs: 0,
        shardLimit: options.shardLimit ?? 200,
        ...(options.path ? { path: options.path } : {}),
      },
      options.fastGetRecords ?? true,
      window,
      limiter,
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const kinesis = new EmbeddedKinesis(server, window, limiter);
    if (options.retention !== false) window.start();
    await kinesis.createStreams(options.streams ?? {});
    return kinesis;
  }

  /** The retention window enforced, or undefined when records are kept for the streams' retention. */
  public get retention(): Required<RetentionWindow> | undefined {
    return this.#window.started ? this.#window.window : undefined;
  }

  /** What the emulator holds (records, approximate bytes) and has trimmed. */
  public windowStats(): RecordWindowStats {
    return this.#window.stats();
  }

  /** The per-shard write limits enforced, or undefined when they are not (the default). */
  public get shardLimits(): ShardWriteLimits | undefined {
    return this.#limiter?.limits;
  }

  /** Records the shard limits let through and throttled (undefined when they are not enforced). */
  public shardLimitStats(): ShardWriteStats | undefined {
    return this.#limiter?.stats();
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
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') {
        const created =
          d.StreamDescriptionSummary.StreamCreationTimestamp?.getTime() ??
          Date.now() - KINESALITE_CREATE_LAG_MS;
        this.#newestCreatedMs = Math.max(this.#newestCreatedMs, created);
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`stream ${name} did not become ACTIVE`);
  }

  /**
   * Creates several streams (see {@link createStream}).
   *
   * @param streams - shard count by stream name
   */
  public async createStreams(streams: Readonly<Record<string, number>>): Promise<void> {
    await Promise.all(Object.entries(streams).map(([name, shards]) => this.createStream(name, shards)));
  }

  /**
   * Stops the emulator. It returns once a stream created from then on, in any emulator, gets a later
   * creation time and other starting sequence numbers than every stream this one made through
   * {@link createStream} (at most a second's wait): delivery tells a stream's incarnations apart by
   * those (kinesalite has them to the second), so a lake's checkpoints of this run are never taken for
   * the next run's stream of the same name, whose records they would skip. A stream a client created
   * over the wire (e.g. `produce --shards`) is not waited for.
   */
  public async stop(): Promise<void> {
    this.#client.destroy();
    await this.#window.stop();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      // Keep-alive sockets would hold close() open.
      (this.#server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    if (this.#newestCreatedMs === 0) return;
    const until = this.#newestCreatedMs + 1_000 + KINESALITE_CREATE_LAG_MS;
    // Read the clock again after each timer: one may fire a millisecond early.
    for (let wait = until - Date.now(); wait > 0; wait = until - Date.now()) {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
