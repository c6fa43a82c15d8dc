import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type {
  KafkaConnection,
  KafkaGroupConsumer,
  KafkaGroupConsumerOptions,
  KafkaIncomingMessage,
  PartitionFetch,
} from '../types.js';
import { toKafkaError } from './toKafkaError.js';

/** Records fetched for one partition and not yet pulled; above this many the partition is paused. */
const MAX_QUEUED = 5000;

/** A partition's hand-over point between kafkajs' fetch loop and the caller's pulls. */
interface Slot {
  /** Fetched records not yet pulled, in offset order. */
  queue: KafkaIncomingMessage[];
  /** The offset after the last record queued or pulled: where the caller's stream continues. */
  next: string;
  /** The offset after the last record pulled: where the caller continues. */
  pulled: string;
  /** The partition's log end seen with the last fetch. */
  highWatermark: string;
  /** Wakes a pull waiting for records. */
  wake: (() => void) | undefined;
  /** kafkajs was told to stop fetching this partition until the queue shrinks. */
  paused: boolean;
}

/**
 * {@link KafkaGroupConsumer} over kafkajs' consumer (`eachBatch`, no auto-commit). Each batch is queued for
 * its partition at once (kafkajs fetches all of a broker's partitions together, so holding one batch would
 * stall the others); a partition whose queue passes {@link MAX_QUEUED} records is paused until pulled
 * down, which bounds memory. A pull at another offset than where the stream continues seeks there.
 */
export class KafkajsGroupConsumer implements KafkaGroupConsumer {
  readonly #consumer: Consumer;
  readonly #o: KafkaGroupConsumerOptions;
  readonly #connection: KafkaConnection;
  readonly #slots = new Map<number, Slot>();
  #assigned = new Set<number>();
  #stopped = false;

  /**
   * @param kafka - the client
   * @param options - group, topic, assignment callback
   * @param connection - the client's connection (errors name the brokers)
   */
  public constructor(kafka: Kafka, options: KafkaGroupConsumerOptions, connection: KafkaConnection) {
    this.#connection = connection;
    this.#o = options;
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // A member killed without leaving gives its partitions up after this long.
      sessionTimeout: 10_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: 500,
      retry: { retries: 10, maxRetryTime: 5000 },
    });
    const { GROUP_JOIN, CRASH } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (e) => {
      const mine = (e.payload.memberAssignment[options.topic] ?? []).slice().sort((a, b) => a - b);
      this.#assigned = new Set(mine);
      // Partitions kept resume from the group's committed offset (the lake's mirror, never past what was
      // queued): records before the slot's position are skipped, so nothing is seen twice.
      for (const [p, slot] of this.#slots) {
        if (!this.#assigned.has(p)) {
          this.#slots.delete(p);
          // kafkajs keeps a partition's pause across rebalances: left paused, a partition the group gives
          // back later would never be fetched again (its reader waits for ever).
          if (slot.paused) this.#consumer.resume([{ topic: this.#o.topic, partitions: [p] }]);
          slot.wake?.();
        }
      }
      options.onAssignment(mine);
    });
    this.#consumer.on(CRASH, (e) => {
      if (!e.payload.restart) options.onCrash?.(e.payload.error);
    });
  }

  public async start(): Promise<void> {
    try {
      await this.#consumer.connect();
      await this.#consumer.subscribe({ topics: [this.#o.topic], fromBeginning: true });
      await this.#consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => this.#onBatch(payload),
      });
    } catch (err) {
      throw toKafkaError(`join group ${this.#o.groupId}`, err, this.#connection);
    }
  }

  #onBatch({ batch, isStale }: EachBatchPayload): void {
    const slot = this.#slots.get(batch.partition);
    // Nobody pulls this partition yet: the first pull seeks where it wants to read.
    if (!slot) return;
    // Fetched from the position before a seek still pending (kafkajs hands out a fetched batch after
    // the caller moved): a seek back (a restarted reader replaying from its checkpoint) would otherwise
    // take this batch as what follows its offset, and the records in between would never be read.
    if (isStale()) return;
    const from = BigInt(slot.next);
    for (const m of batch.messages) {
      if (BigInt(m.offset) < from) continue;
      slot.queue.push({ offset: m.offset, key: m.key, value: m.value, timestampMs: Number(m.timestamp) });
    }
    const last = slot.queue[slot.queue.length - 1];
    if (last) slot.next = (BigInt(last.offset) + 1n).toString();
    slot.highWatermark = batch.highWatermark;
    if (slot.queue.length > MAX_QUEUED && !slot.paused) {
      slot.paused = true;
      this.#consumer.pause([{ topic: this.#o.topic, partitions: [batch.partition] }]);
    }
    slot.wake?.();
  }

  /** Assigned partitions kafkajs holds paused now (more than {@link MAX_QUEUED} records queued). */
  public get paused(): number[] {
    return this.#consumer
      .paused()
      .filter((t) => t.topic === this.#o.topic)
      .flatMap((t) => t.partitions)
      .sort((a, b) => a - b);
  }

  public async fetch(
    partition: number,
    offset: string,
    signal: AbortSignal,
    waitMs: number,
  ): Promise<PartitionFetch> {
    const none: PartitionFetch = { messages: [], highWatermark: offset };
    if (!this.#assigned.has(partition) || this.#stopped) return none;
    let slot = this.#slots.get(partition);
    if (!slot || slot.pulled !== offset) {
      // First pull, or the caller moved (a replay): read from its offset, unpaused whatever an earlier
      // slot of this partition left (kafkajs keeps pauses across rebalances).
      this.#consumer.resume([{ topic: this.#o.topic, partitions: [partition] }]);
      slot = {
        queue: [],
        next: offset,
        pulled: offset,
        highWatermark: offset,
        wake: undefined,
        paused: false,
      };
      this.#slots.set(partition, slot);
      this.#consumer.seek({ topic: this.#o.topic, partition, offset });
    }
    if (slot.queue.length === 0) {
      const s = slot;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          s.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal.addEventListener('abort', done, { once: true });
        s.wake = done;
      });
    }
    if (this.#slots.get(partition) !== slot || slot.queue.length === 0) {
      return { messages: [], highWatermark: slot.highWatermark };
    }
    const messages = slot.queue.splice(0, 2000);
    slot.pulled = (BigInt(messages[messages.length - 1]!.offset) + 1n).toString();
    if (slot.paused && slot.queue.length < MAX_QUEUED / 2) {
      slot.paused = false;
      this.#consumer.resume([{ topic: this.#o.topic, partitions: [partition] }]);
    }
    return { messages, highWatermark: slot.highWatermark };
  }

  public async commit(partition: number, nextOffset: string): Promise<void> {
    if (!this.#assigned.has(partition) || this.#stopped) return;
    await this.#consumer
      .commitOffsets([{ topic: this.#o.topic, partition, offset: nextOffset }])
      .catch(() => undefined);
  }

  public async stop(): Promise<void> {
    this.#stopped = true;
    for (const slot of this.#slots.values()) slot.wake?.();
    this.#slots.clear();
    await this.#consumer.disconnect().catch(() => undefined);
  }
}
