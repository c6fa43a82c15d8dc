import type { Retrier } from '../../../common/retry/index.js';
import {
  type KafkaAdminTransport,
  type KafkaGroupConsumer,
  type KafkaTransport,
  MissingTopicError,
} from '../../../kafka/index.js';
import { LeaseLostError } from '../errors.js';
import type { SourceHealth } from '../SourceHealth.js';
import type {
  PartitionReader,
  PartitionReaderOptions,
  RecordSource,
  SharedPartitions,
  SourceBatch,
  SourceListing,
  SourcePartition,
  SourceRecord,
} from '../source/index.js';

/** Prefix of a Kafka partition's id in the lake (`partition-0003`): a valid key segment, sorted by number. */
const PARTITION_PREFIX = 'partition-';
/** Every Kafka partition has this incarnation: kafkajs 2.2.4 does not see topic ids (Metadata v6). */
const INCARNATION = 'kafka';
/** How long one read waits for records before it reports the partition at its tip, ms. */
const READ_WAIT_MS = 500;

/** Options of {@link KafkaSource}. */
export interface KafkaSourceOptions {
  /** The Kafka client. */
  readonly kafka: KafkaTransport;
  /** Topic (the delivery's stream name). */
  readonly topic: string;
  /**
   * Consumer group shared by every delivery process of this lake; the topic's own group is
   * `<groupId>.<topic>` (kafkajs' assigner spreads every topic of a group over every member, whatever
   * each subscribed to, so each topic's readers form their own group).
   */
  readonly groupId: string;
  /** Whether the brokers answer; decides when to give up. */
  readonly health: SourceHealth;
  /** The worker's retrier (backoff between attempts of admin calls). */
  readonly retrier: Retrier;
  /** The group changed this member's partitions. */
  readonly onPartitionsChanged?: () => void;
  /** Clock, epoch ms. */
  readonly now: () => number;
}

/** Lake id of a partition number. */
export function partitionId(partition: number): string {
  return `${PARTITION_PREFIX}${String(partition).padStart(4, '0')}`;
}

/** Partition number of a lake id (undefined when it is not one). */
function partitionOf(id: string): number | undefined {
  if (!id.startsWith(PARTITION_PREFIX)) return undefined;
  const n = Number(id.slice(PARTITION_PREFIX.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * A Kafka topic as a {@link RecordSource}, read as a member of a consumer group: the partitions listed are
 * the ones the group assigns to this process now ({@link RecordSource.shared}), so several delivery
 * processes share a topic. Positions are offsets (decimal strings); an object's name carries its batch's
 * first and last offset, like Kafka Connect's S3 sink. Where to read from is the lake's checkpoint: the
 * reader seeks there. The group's committed offsets follow the checkpoints, as a mirror for lag tools.
 */
export class KafkaSource implements RecordSource {
  /** This process's share of the topic's partitions. */
  public readonly shared: SharedPartitions;
  readonly #o: KafkaSourceOptions;
  readonly #admin: KafkaAdminTransport;
  readonly #consumer: KafkaGroupConsumer;
  #assigned: ReadonlySet<number> = new Set();
  #firstAssignment: Promise<void>;
  #assignedOnce = false;
  #started: Promise<void> | undefined;
  #crash: Error | undefined;
  #resolveFirst: () => void = () => undefined;

  /** @param options - client, topic, group */
  public constructor(options: KafkaSourceOptions) {
    this.#o = options;
    this.#admin = options.kafka.admin();
    this.#firstAssignment = new Promise((resolve) => {
      this.#resolveFirst = resolve;
    });
    this.#consumer = options.kafka.groupConsumer({
      groupId: `${options.groupId}.${options.topic}`,
      topic: options.topic,
      onAssignment: (partitions) => {
        this.#assigned = new Set(partitions);
        this.#assignedOnce = true;
        this.#resolveFirst();
        options.onPartitionsChanged?.();
      },
      onCrash: (err) => {
        this.#crash = err;
      },
    });
    this.shared = {
      owns: (id) => {
        const p = partitionOf(id);
        return p !== undefined && this.#assigned.has(p);
      },
    };
  }

  async #start(signal: AbortSignal): Promise<void> {
    await this.#o.health.call(this.#o.retrier, signal, async () => {
      await this.#admin.connect();
      const found = await this.#admin.existingTopics([this.#o.topic]);
      if (found.length === 0) throw new MissingTopicError([this.#o.topic], this.#o.kafka.brokers);
    });
    await this.#consumer.start();
  }

  /**
   * Joins the group (first call) and lists the partitions assigned to this process; the first call waits
   * for the group's first assignment.
   *
   * @throws MissingTopicError when the topic does not exist
   */
  public async list(signal: AbortSignal): Promise<SourceListing> {
    this.#started ??= this.#start(signal).catch((err: unknown) => {
      this.#started = undefined;
      throw err;
    });
    await this.#started;
    if (!this.#assignedOnce) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        signal.addEventListener('abort', done, { once: true });
        this.#firstAssignment.then(done);
      });
    } else {
      // The listing is in memory: still yield to the event loop, as a listing over the network does, so a
      // caller polling it in a loop (a drain) never starves the readers.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.#crash) throw this.#crash;
    const partitions: SourcePartition[] = [...this.#assigned]
      .sort((a, b) => a - b)
      .map((p) => ({ id: partitionId(p), incarnation: INCARNATION, closed: false }));
    return { createdMs: 0, partitions, readable: (id) => this.shared.owns(id) };
  }

  /** A reader of one assigned partition, from just after `options.after` (else its oldest offset). */
  public reader(partition: SourcePartition, options: PartitionReaderOptions): PartitionReader {
    const p = partitionOf(partition.id);
    if (p === undefined) throw new RangeError(`${partition.id} is not a Kafka partition id`);
    return new KafkaPartitionReader(
      this.#o,
      this.#admin,
      this.#consumer,
      this.shared,
      p,
      partition.id,
      options,
    );
  }

  /** Offset order (numeric). */
  public compare(a: string, b: string): number {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Leaves the group and closes the admin connection. */
  public async close(): Promise<void> {
    await this.#consumer.stop();
    await this.#admin.disconnect();
  }
}

const EMPTY = new Uint8Array(0);

/** Reads one partition through the group consumer, from the lake's position. */
class KafkaPartitionReader implements PartitionReader {
  readonly #o: KafkaSourceOptions;
  readonly #admin: KafkaAdminTransport;
  readonly #consumer: KafkaGroupConsumer;
  readonly #shared: SharedPartitions;
  readonly #partition: number;
  readonly #id: string;
  readonly #after: string | null;
  #next: string | undefined;
  readonly #abort = new AbortController();
  #lagMs = 0;

  public constructor(
    o: KafkaSourceOptions,
    admin: KafkaAdminTransport,
    consumer: KafkaGroupConsumer,
    shared: SharedPartitions,
    partition: number,
    id: string,
    options: PartitionReaderOptions,
  ) {
    this.#o = o;
    this.#admin = admin;
    this.#consumer = consumer;
    this.#shared = shared;
    this.#partition = partition;
    this.#id = id;
    this.#after = options.after;
  }

  public get lagMs(): number {
    return this.#lagMs;
  }

  public get failingForMs(): number {
    return 0;
  }

  public async read(): Promise<SourceBatch | undefined> {
    if (this.#abort.signal.aborted) return undefined;
    if (!this.#shared.owns(this.#id)) {
      throw new LeaseLostError(
        this.#o.topic,
        0,
        `partition ${this.#id} was assigned to another member of group ${this.#o.groupId}`,
      );
    }
    let next = this.#next;
    if (next === undefined) {
      if (this.#after !== null) next = (BigInt(this.#after) + 1n).toString();
      else {
        const offsets = await this.#o.health.call(this.#o.retrier, this.#abort.signal, () =>
          this.#admin.offsets(this.#o.topic),
        );
        next = offsets.find((x) => x.partition === this.#partition)?.low ?? '0';
      }
      this.#next = next;
    }
    const fetched = await this.#consumer.fetch(this.#partition, next, this.#abort.signal, READ_WAIT_MS);
    if (this.#abort.signal.aborted) return undefined;
    const records: SourceRecord[] = [];
    let bytes = 0;
    for (const m of fetched.messages) {
      const data = m.value ?? EMPTY;
      bytes += data.byteLength;
      records.push({
        data,
        partitionKey: m.key ? m.key.toString('utf8') : '',
        sequenceNumber: m.offset,
        arrivalMs: m.timestampMs,
      });
    }
    const last = records[records.length - 1];
    if (last) next = (BigInt(last.sequenceNumber) + 1n).toString();
    this.#next = next;
    let high = fetched.highWatermark;
    if (!last) {
      // Nothing fetched within the wait: ask the broker where the log ends (the fetch may not have begun).
      const offsets = await this.#o.health.call(this.#o.retrier, this.#abort.signal, () =>
        this.#admin.offsets(this.#o.topic),
      );
      high = offsets.find((x) => x.partition === this.#partition)?.high ?? high;
    }
    const atTip = BigInt(next) >= BigInt(high);
    this.#lagMs = atTip || !last ? 0 : Math.max(0, this.#o.now() - last.arrivalMs);
    return {
      records,
      range: last ? { first: records[0]!.sequenceNumber, last: last.sequenceNumber } : undefined,
      bytes,
      atTip,
      ended: false,
      release: () => undefined,
    };
  }

  public stop(): void {
    this.#abort.abort();
  }

  public onDurable(position: string): void {
    void this.#consumer.commit(this.#partition, (BigInt(position) + 1n).toString());
  }
}
