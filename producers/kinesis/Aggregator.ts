import { AggregateBuilder } from '../../kinesis/AggregateBuilder.js';
import { KPL_OVERHEAD_BYTES } from '../../kinesis/kplAggregation.js';
import type { ShardMap } from '../../kinesis/ShardMap.js';
import type { BufferedRecord, SinkEntry } from './types.js';

/** Options of an {@link Aggregator}. */
export interface AggregatorOptions {
  /** KPL aggregation on; when off every record is an entry of its own. */
  readonly aggregate: boolean;
  /** Max encoded size of an aggregate, bytes (KPL AggregationMaxSize). */
  readonly maxAggregatedBytes: number;
  /** Receives each entry as soon as it is complete: a sealed aggregate or a record sent alone. */
  readonly emit: (entry: SinkEntry) => void;
}

/**
 * Turns user records into PutRecords entries the way the KPL's aggregator does: each record is routed by
 * the stream's shard map (MD5 of its partition key → the shard whose hash key range holds it) into that
 * shard's aggregate, so that every user record lands on the shard its own key maps to; an aggregate that
 * cannot take the next record is sealed and emitted. A record goes alone when aggregation is off, when it
 * is too big for any aggregate, or when the map knows no shard for its key. An aggregate of one record is
 * emitted as a plain record (no KPL overhead for consumers).
 *
 * Records of one partition key go to one aggregate in the order they were added, so they leave in that
 * order. Nothing here waits on time or the network: the sink decides when to {@link flush} (the linger)
 * and when the shard map changes ({@link useShardMap}).
 *
 * @example
 * ```ts
 * const aggregator = new Aggregator({ aggregate: true, maxAggregatedBytes: 51_200, emit: (e) => collector.add(e) });
 * aggregator.useShardMap(await ShardMap.load(client, stream, retry));
 * if (!aggregator.add(record)) refreshTheShardMap(); // the key is in no known shard
 * aggregator.flush(); // the linger passed
 * ```
 */
export class Aggregator {
  readonly #aggregate: boolean;
  readonly #maxAggregatedBytes: number;
  readonly #emit: (entry: SinkEntry) => void;
  readonly #builders = new Map<string, AggregateBuilder<BufferedRecord>>();
  #shardMap: ShardMap | undefined;

  /**
   * @param options - aggregation on or off, the aggregate size limit and where entries go
   */
  public constructor(options: AggregatorOptions) {
    this.#aggregate = options.aggregate;
    this.#maxAggregatedBytes = options.maxAggregatedBytes;
    this.#emit = options.emit;
  }

  /** The shard map records are routed by (undefined until {@link useShardMap}). */
  public get shardMap(): ShardMap | undefined {
    return this.#shardMap;
  }

  /** User records waiting in aggregates. */
  public get pendingRecords(): number {
    let n = 0;
    for (const builder of this.#builders.values()) n += builder.count;
    return n;
  }

  /**
   * Whether a record of this size goes into an aggregate (and so needs the shard map to be routed).
   *
   * @param size - the record's data + partition key bytes
   */
  public aggregates(size: number): boolean {
    // Room for the record's own protobuf framing beside the aggregate's magic and checksum.
    return this.#aggregate && size + KPL_OVERHEAD_BYTES + 8 <= this.#maxAggregatedBytes;
  }

  /**
   * Adds a record: into its shard's aggregate (emitting the aggregate first when the record does not
   * fit), or alone.
   *
   * @param record - the record, accepted into the buffer
   * @returns false when the record was to be aggregated but the shard map knows no shard for its key
   *   (it went alone; the map is probably stale)
   */
  public add(record: BufferedRecord): boolean {
    if (!this.aggregates(record.size)) {
      this.#emit(single(record, undefined));
      return true;
    }
    const shard = this.#shardMap?.shardFor(record.partitionKey);
    if (shard === undefined) {
      this.#emit(single(record, undefined));
      return false;
    }
    let builder = this.#builders.get(shard);
    if (!builder) {
      builder = new AggregateBuilder<BufferedRecord>(this.#maxAggregatedBytes);
      this.#builders.set(shard, builder);
    }
    if (!builder.tryAdd(record, record, record.dataLength)) {
      this.#emit(seal(shard, builder));
      builder.tryAdd(record, record, record.dataLength);
    }
    return true;
  }

  /**
   * Routes later records by a new shard map. Aggregates built for the old map are emitted as they are
   * (every shard they name was right when they were built).
   *
   * @param map - the stream's current shards
   */
  public useShardMap(map: ShardMap): void {
    if (this.#shardMap !== undefined) this.flush();
    this.#builders.clear();
    this.#shardMap = map;
  }

  /** Emits every aggregate that holds records, in the order the shards were first used. */
  public flush(): void {
    for (const [shard, builder] of this.#builders) {
      if (builder.count > 0) this.#emit(seal(shard, builder));
    }
  }

  /** Takes every record still in an aggregate, without emitting it: what the sink writes off when it stops. */
  public drain(): BufferedRecord[] {
    const records: BufferedRecord[] = [];
    for (const builder of this.#builders.values()) records.push(...builder.items);
    this.#builders.clear();
    return records;
  }
}

/** A record as an entry of its own (a plain Kinesis record). */
function single(record: BufferedRecord, predictedShard: string | undefined): SinkEntry {
  return {
    partitionKey: record.partitionKey,
    data: Buffer.from(record.data, 'utf8'),
    size: record.size,
    users: [record],
    predictedShard,
    deadline: record.deadline,
  };
}

/** Encodes a shard's aggregate and empties its builder. */
function seal(shard: string, builder: AggregateBuilder<BufferedRecord>): SinkEntry {
  if (builder.count === 1) {
    // KPL sends a lone user record as a plain record: no aggregation overhead for consumers.
    const only = builder.items[0]!;
    builder.build();
    return single(only, shard);
  }
  const { data, items } = builder.build();
  const first = items[0]!;
  return {
    partitionKey: first.partitionKey,
    data,
    size: data.length + Buffer.byteLength(first.partitionKey),
    users: items,
    predictedShard: shard,
    deadline: first.deadline,
  };
}
