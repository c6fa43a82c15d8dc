import type { Admin, Kafka } from 'kafkajs';
import type { KafkaAdminTransport, PartitionOffsets } from '../types.js';
import { toKafkaError } from './toKafkaError.js';

/** {@link KafkaAdminTransport} over a kafkajs admin client. */
export class KafkajsAdminTransport implements KafkaAdminTransport {
  readonly #admin: Admin;

  /** @param kafka - the client */
  public constructor(kafka: Kafka) {
    this.#admin = kafka.admin();
  }

  public async connect(): Promise<void> {
    try {
      await this.#admin.connect();
    } catch (err) {
      throw toKafkaError('connect', err);
    }
  }

  public async existingTopics(topics: readonly string[]): Promise<string[]> {
    try {
      const all = new Set(await this.#admin.listTopics());
      return topics.filter((t) => all.has(t));
    } catch (err) {
      throw toKafkaError('list topics', err);
    }
  }

  public async createTopics(topics: readonly string[], partitions: number): Promise<void> {
    const exist = new Set(await this.existingTopics(topics));
    const create = topics.filter((t) => !exist.has(t));
    if (create.length === 0) return;
    try {
      await this.#admin.createTopics({
        waitForLeaders: true,
        topics: create.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
      });
    } catch (err) {
      throw toKafkaError('create topics', err);
    }
  }

  public async partitions(topic: string): Promise<number[]> {
    try {
      const meta = await this.#admin.fetchTopicMetadata({ topics: [topic] });
      return (meta.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
    } catch (err) {
      throw toKafkaError('fetch metadata', err);
    }
  }

  public async offsets(topic: string): Promise<PartitionOffsets[]> {
    try {
      const out = await this.#admin.fetchTopicOffsets(topic);
      return out
        .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
        .sort((a, b) => a.partition - b.partition);
    } catch (err) {
      throw toKafkaError('fetch offsets', err);
    }
  }

  public async disconnect(): Promise<void> {
    await this.#admin.disconnect().catch(() => undefined);
  }
}
