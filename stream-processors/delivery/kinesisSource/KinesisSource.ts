import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Retrier } from '../../../common/retry/index.js';
import { compareSequenceNumbers } from '../../../kinesis/compareSequenceNumbers.js';
import { listShards, parentsDone, type ShardInfo, streamCreatedMs } from '../../../kinesis/listShards.js';
import type { SourceHealth } from '../SourceHealth.js';
import type {
  PartitionReader,
  PartitionReaderOptions,
  RecordSource,
  SourceListing,
  SourcePartition,
} from '../source/index.js';
import { type KinesisReadSettings, KinesisShardReader } from './KinesisShardReader.js';

/** What a Kinesis source reads with. */
export interface KinesisSourceOptions {
  readonly kinesis: KinesisClient;
  /** Stream name. */
  readonly stream: string;
  readonly retrier: Retrier;
  /** Whether Kinesis answers; shared by the worker's calls, decides when to give up. */
  readonly health: SourceHealth;
  readonly settings: KinesisReadSettings;
  /** Clock, epoch ms. */
  readonly now: () => number;
}

/**
 * A Kinesis stream as a {@link RecordSource}: its shards (ListShards, open and closed, each read once its
 * parents are finished or past retention, so a split or merge never reorders a partition key), read
 * by {@link KinesisShardReader}; positions are sequence numbers.
 */
export class KinesisSource implements RecordSource {
  readonly #o: KinesisSourceOptions;

  /** @param options - client, stream, retries and read settings */
  public constructor(options: KinesisSourceOptions) {
    this.#o = options;
  }

  /**
   * DescribeStreamSummary (the creation time tells a re-created stream apart) and ListShards, retried
   * through the worker's {@link SourceHealth} until `signal` aborts.
   */
  public async list(signal: AbortSignal): Promise<SourceListing> {
    const { kinesis, stream, health } = this.#o;
    const retrier = health.retrierFor(this.#o.retrier, signal);
    const createdMs = await streamCreatedMs(kinesis, retrier, stream);
    const shards = await listShards(kinesis, retrier, stream);
    const byId = new Map<string, ShardInfo>(shards.map((s) => [s.shardId, s]));
    const ids = new Set(byId.keys());
    return {
      createdMs,
      partitions: shards.map(toPartition),
      readable: (id, finished) => {
        const shard = byId.get(id);
        return shard !== undefined && parentsDone(shard, ids, finished);
      },
    };
  }

  /** A reader of one shard (no call until its first `read`). */
  public reader(partition: SourcePartition, options: PartitionReaderOptions): PartitionReader {
    return new KinesisShardReader({
      ...options,
      kinesis: this.#o.kinesis,
      retrier: this.#o.retrier,
      health: this.#o.health,
      stream: this.#o.stream,
      shardId: partition.id,
      settings: this.#o.settings,
      now: this.#o.now,
    });
  }

  /** Sequence-number order (numeric, as Kinesis compares them). */
  public compare(a: string, b: string): number {
    return compareSequenceNumbers(a, b);
  }
}

function toPartition(s: ShardInfo): SourcePartition {
  return {
    id: s.shardId,
    incarnation: s.startingSequenceNumber,
    closed: s.endingSequenceNumber !== undefined,
  };
}
