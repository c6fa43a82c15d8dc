import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type {
  KafkaGroupConsumer,
  KafkaGroupConsumerOptions,
  KafkaIncomingMessage,
  PartitionFetch,
} from '../types.js';
import { toKafkaError } from './toKafkaError.js';

/** A partition's hand-over point between kafkajs' fetch loop and the caller's pulls. */
interface Slot {
  /** The offset the caller wants next (kafkajs is seeked there); undefined until the first pull. */
  next: string | undefined;
  /** A fetched batch waiting for a pull. */
  ready: PartitionFetch | undefined;
  /** Wakes a pull waiting for a batch. */
  wake: (() => void) | undefined;
  /** Wakes kafkajs' batch handler once its batch was taken (or is no longer wanted). */
  taken: (() => void) | undefined;
}

/**
 * {@link KafkaGroupConsumer} over kafkajs' consumer (`eachBatch`, no auto-commit, no auto-resolve). A
 * batch handler waits until the caller pulled its records, so kafkajs fetches a partition no faster than
 * it is delivered (memory stays bounded by one fetch per partition); heartbeats go on while it waits.
 */
export class KafkajsGroupConsumer implements KafkaGroupConsumer {
  readonly #consumer: Consumer;
  readonly #o: KafkaGroupConsumerOptions;
  readonly #slots = new Map<number, Slot>();
  #assigned = new Set<number>();
  #stopped = false;

  /**
   * @param kafka - the client
   * @param options - group, topic, assignment callback
   */
  public constructor(kafka: Kafka, options: KafkaGroupConsumerOptions) {
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
      for (const [p, slot] of this.#slots) {
        if (!this.#assigned.has(p)) {
          this.#slots.delete(p);
          slot.taken?.();
          slot.wake?.();
        } else {
          // kafkajs resumes from the committed offset after a rebalance: seek again on the next pull.
          slot.next = undefined;
          slot.ready = undefined;
          slot.taken?.();
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
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 64,
        eachBatch: (payload) => this.#onBatch(payload),
      });
    } catch (err) {
      throw toKafkaError(`join group ${this.#o.groupId}`, err);
    }
  }

  async #onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const slot = this.#slots.get(batch.partition);
    // Nobody pulls this partition yet (or it was seeked elsewhere meanwhile): drop the batch; the pull
    // seeks to where it wants to read.
    if (!slot || slot.next === undefined) return;
    const from = BigInt(slot.next);
    const messages: KafkaIncomingMessage[] = [];
    for (const m of batch.messages) {
      if (BigInt(m.offset) < from) continue;
      messages.push({ offset: m.offset, key: m.key, value: m.value, timestampMs: Number(m.timestamp) });
    }
    if (messages.length === 0) {
      if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
      return;
    }
    const taken = new Promise<void>((resolve) => {
      slot.taken = resolve;
    });
    slot.ready = { messages, highWatermark: batch.highWatermark };
    slot.wake?.();
    // Hold kafkajs' fetch of this partition until the records are taken, heartbeating meanwhile.
    while (
      isRunning() &&
      !isStale() &&
      this.#slots.get(batch.partition) === slot &&
      slot.ready !== undefined
    ) {
      await Promise.race([taken, new Promise((r) => setTimeout(r, 1000))]);
      if (slot.ready !== undefined) await heartbeat().catch(() => undefined);
    }
    slot.taken = undefined;
    if (slot.ready === undefined && this.#slots.get(batch.partition) === slot && !isStale()) {
      resolveOffset(messages[messages.length - 1]!.offset);
    }
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
    if (!slot) {
      slot = { next: undefined, ready: undefined, wake: undefined, taken: undefined };
      this.#slots.set(partition, slot);
    }
    if (slot.next !== offset) {
      slot.ready = undefined;
      slot.taken?.();
      slot.next = offset;
      this.#consumer.seek({ topic: this.#o.topic, partition, offset });
    }
    if (slot.ready === undefined) {
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
    const ready = slot.ready;
    if (ready === undefined || this.#slots.get(partition) !== slot) return none;
    slot.ready = undefined;
    const last = ready.messages[ready.messages.length - 1]!;
    slot.next = (BigInt(last.offset) + 1n).toString();
    slot.taken?.();
    return ready;
  }

  public async commit(partition: number, nextOffset: string): Promise<void> {
    if (!this.#assigned.has(partition) || this.#stopped) return;
    await this.#consumer
      .commitOffsets([{ topic: this.#o.topic, partition, offset: nextOffset }])
      .catch(() => undefined);
  }

  public async stop(): Promise<void> {
    this.#stopped = true;
    for (const slot of this.#slots.values()) {
      slot.taken?.();
      slot.wake?.();
    }
    this.#slots.clear();
    await this.#consumer.disconnect().catch(() => undefined);
  }
}
