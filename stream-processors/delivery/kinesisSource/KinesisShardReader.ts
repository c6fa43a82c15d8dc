import { GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Retrier } from '../../../common/retry/index.js';
import { type GetRecordsResult, getRecordsFast } from '../../../kinesis/getRecordsFast.js';
import { describeSourceError, ShardReadError } from '../errors.js';
import { isThrottling, type SourceHealth } from '../SourceHealth.js';
import type { PartitionReader, PartitionReaderOptions, SourceBatch } from '../source/index.js';
import { Wakeable } from '../Wakeable.js';

const FIRST_CALL_LIMIT = 10;
/**
 * Longest wait for one Kinesis call: a connection that takes the request and never answers (a hung
 * emulator, a dead peer behind a proxy) counts as a transient failure after this, ms.
 */
const CALL_TIMEOUT_MS = 30_000;

/** How a shard is read: Kinesis' per-shard read quotas and the response size to aim at. */
export interface KinesisReadSettings {
  /** Records per GetRecords call (1..10000). */
  readonly maxRecordsPerCall: number;
  /** Min gap between GetRecords calls on one shard, ms (≥ 200 keeps 5 calls/s). */
  readonly minCallIntervalMs: number;
  /** Bytes a GetRecords call aims at (≤ 10 MiB); the record limit adapts to it. */
  readonly targetBytesPerCall: number;
}

/** What a shard reader needs besides the consumer's {@link PartitionReaderOptions}. */
export interface KinesisShardReaderOptions extends PartitionReaderOptions {
  readonly kinesis: KinesisClient;
  readonly retrier: Retrier;
  /** Whether Kinesis answers; shared by the worker's calls, decides when to give up. */
  readonly health: SourceHealth;
  readonly stream: string;
  readonly shardId: string;
  readonly settings: KinesisReadSettings;
  readonly now: () => number;
}

/**
 * Reads one shard with GetShardIterator (AFTER_SEQUENCE_NUMBER the start position, else TRIM_HORIZON)
 * and GetRecords within Kinesis' read quotas (≤ 5 calls/s, ≤ 10,000 records per call, a response kept
 * near `targetBytesPerCall`); throttling and transient errors are retried through the worker's
 * {@link SourceHealth}, and an expired iterator is renewed after the last record returned.
 */
export class KinesisShardReader implements PartitionReader {
  readonly #o: KinesisShardReaderOptions;
  readonly #sleep = new Wakeable();
  /** Cuts Kinesis calls and retry waits short on stop. */
  readonly #abort = new AbortController();
  #iterator: string | undefined;
  /** Sequence number of the last record returned (where a renewed iterator starts). */
  #lastRead: string | null;
  #lastCallAt = 0;
  /** Running mean of record sizes, to keep a call's response under the 10 MiB GetRecords cap. */
  #meanRecordBytes = 0;
  /** MillisBehindLatest of the last GetRecords that answered. */
  #millisBehindLatest = 0;
  /** When the last GetRecords answered, epoch ms. */
  #lastReadAt: number;
  /** Since when this shard's calls have been failing, epoch ms; undefined while they answer. */
  #failingSince: number | undefined;

  /** @param options - client, shard, settings and the consumer's callbacks */
  public constructor(options: KinesisShardReaderOptions) {
    this.#o = options;
    this.#lastRead = options.after;
    this.#lastReadAt = options.now();
  }

  /**
   * The last MillisBehindLatest, plus, while GetRecords is failing, the time since the last call that
   * answered — so the age keeps growing during an outage instead of showing the last value.
   */
  public get lagMs(): number {
    return (
      this.#millisBehindLatest + (this.#failingSince === undefined ? 0 : this.#o.now() - this.#lastReadAt)
    );
  }

  /** How long this shard's Kinesis calls have been failing, ms; 0 while they answer. */
  public get failingForMs(): number {
    return this.#failingSince === undefined ? 0 : this.#o.now() - this.#failingSince;
  }

  /** Aborts the call in flight and every wait. */
  public stop(): void {
    this.#abort.abort();
    this.#sleep.wake();
  }

  /**
   * One GetRecords (after a GetShardIterator when there is no valid iterator), paced to the shard's
   * call quota.
   */
  public async read(): Promise<SourceBatch | undefined> {
    for (;;) {
      if (this.#abort.signal.aborted) return undefined;
      if (this.#iterator === undefined) {
        try {
          this.#iterator = await this.#getIterator(this.#lastRead);
        } catch (err) {
          if (this.#abort.signal.aborted) return undefined;
          throw err;
        }
        continue;
      }
      await this.#pace();
      if (this.#abort.signal.aborted) return undefined;
      const resp = await this.#getRecords(this.#iterator);
      if (resp === 'expired') {
        this.#iterator = undefined;
        continue;
      }
      const records = resp.records;
      const n = records.length;
      if (n > 0) {
        const mean = resp.bytes / n;
        this.#meanRecordBytes = this.#meanRecordBytes === 0 ? mean : 0.7 * this.#meanRecordBytes + 0.3 * mean;
        this.#lastRead = records[n - 1]!.sequenceNumber;
      }
      this.#millisBehindLatest = resp.millisBehindLatest;
      this.#iterator = resp.nextShardIterator;
      const ended = resp.nextShardIterator === undefined || resp.nextShardIterator === '';
      return {
        records,
        range:
          n > 0 ? { first: records[0]!.sequenceNumber, last: records[n - 1]!.sequenceNumber } : undefined,
        bytes: resp.bytes,
        atTip: n === 0 && resp.millisBehindLatest === 0,
        ended,
        release: resp.release,
      };
    }
  }

  async #getIterator(afterSequenceNumber: string | null): Promise<string> {
    const { kinesis, retrier, health, stream, shardId } = this.#o;
    const r = await health.call(
      retrier,
      this.#abort.signal,
      () =>
        this.#tracked(() =>
          kinesis.send(
            new GetShardIteratorCommand({
              StreamName: stream,
              ShardId: shardId,
              ...(afterSequenceNumber === null
                ? { ShardIteratorType: 'TRIM_HORIZON' }
                : {
                    ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
                    StartingSequenceNumber: afterSequenceNumber,
                  }),
            }),
            { abortSignal: this.#callSignal() },
          ),
        ),
      this.#o.betweenRetries,
    );
    if (!r.ShardIterator)
      throw new ShardReadError(stream, shardId, new Error('GetShardIterator returned no iterator'));
    return r.ShardIterator;
  }

  async #pace(): Promise<void> {
    const wait = this.#lastCallAt + this.#o.settings.minCallIntervalMs - this.#o.now();
    if (wait > 0) await this.#sleep.sleep(wait);
    this.#lastCallAt = this.#o.now();
  }

  /** The stop signal, plus a timeout for one call. */
  #callSignal(): AbortSignal {
    return AbortSignal.any([this.#abort.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]);
  }

  /**
   * Runs one Kinesis call and keeps this shard's outage state: when calls start failing (one warning
   * naming the error), and when they answer again (one warning saying how long it lasted).
   */
  async #tracked<T>(call: () => Promise<T>): Promise<T> {
    let v: T;
    try {
      v = await call();
    } catch (err) {
      if (
        (err as Error).name !== 'ExpiredIteratorException' &&
        !isThrottling(err) &&
        !this.#abort.signal.aborted
      ) {
        if (this.#failingSince === undefined) {
          this.#failingSince = this.#o.now();
          this.#o.onWarning?.(
            `${this.#o.stream}/${this.#o.shardId}: Kinesis call failed (${describeSourceError(err)}); retrying until it answers`,
          );
          this.#o.onStateChange?.();
        }
      }
      throw err;
    }
    if (this.#failingSince !== undefined) {
      const s = ((this.#o.now() - this.#failingSince) / 1000).toFixed(1);
      this.#failingSince = undefined;
      this.#o.onWarning?.(`${this.#o.stream}/${this.#o.shardId}: Kinesis answers again after ${s} s`);
      this.#o.onStateChange?.();
    }
    return v;
  }

  #getRecords(iterator: string): Promise<GetRecordsResult | 'expired'> {
    const { kinesis, retrier, health } = this.#o;
    return health.call(
      retrier,
      this.#abort.signal,
      async (attempt) => {
        if (attempt > 0) await this.#pace();
        try {
          const r = await this.#tracked(() =>
            getRecordsFast(kinesis, iterator, this.#limit(), this.#o.pool, this.#callSignal()),
          );
          this.#lastReadAt = this.#o.now();
          return r;
        } catch (err) {
          if ((err as Error).name === 'ExpiredIteratorException') return 'expired' as const;
          throw err;
        }
      },
      this.#o.betweenRetries,
    );
  }

  /**
   * Records to ask for: the configured maximum, lowered so that records of the mean size seen so far
   * add up to about `targetBytesPerCall` (≤ 10 MiB). Kinesis caps a response at 10 MiB itself;
   * emulators do not, and 10,000 aggregates of 1 MiB would be 10 GiB in one response.
   */
  #limit(): number {
    const settings = this.#o.settings;
    // Until a record size is known, ask for few: an emulator would return 10,000 records of any size.
    if (this.#meanRecordBytes <= 0) return Math.min(settings.maxRecordsPerCall, FIRST_CALL_LIMIT);
    const fit = Math.floor(settings.targetBytesPerCall / this.#meanRecordBytes);
    return Math.max(1, Math.min(settings.maxRecordsPerCall, fit));
  }
}
