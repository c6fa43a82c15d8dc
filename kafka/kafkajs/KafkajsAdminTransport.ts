import type { Admin, Kafka } from 'kafkajs';
import { createRetrier } from '../../common/retry/index.js';
import { KafkaCallError } from '../errors.js';
import type { KafkaAdminTransport, KafkaConnection, PartitionOffsets } from '../types.js';
import { toKafkaError } from './toKafkaError.js';

/** How long topic creation waits for the new partitions' leaders (a broker just started elects slowly). */
const CREATE_RETRIER = createRetrier({ maxRetryTimeMs: 60_000, maxBackoffMs: 1000 });

/** {@link KafkaAdminTransport} over a kafkajs admin client. */
export class KafkajsAdminTransport implements KafkaAdminTransport {
  readonly #admin: Admin;
  readonly #connection: KafkaConnection;

  /**
   * @param kafka - the client
   * @param connection - its connection (errors name the brokers)
   */
  public constructor(kafka: Kafka, connection: KafkaConnection) {
    this.#connection = connection;
    this.#admin = kafka.admin();
  }

  public async connect(): Promise<void> {
    try {
      await this.#admin.connect();
    } catch (err) {
      throw toKafkaError('connect', err, this.#connection);
    }
  }

  public async existingTopics(topics: readonly string[]): Promise<string[]> {
    try {
      const all = new Set(await this.#admin.listTopics());
      return topics.filter((t) => all.has(t));
    } catch (err) {
      throw toKafkaError('list topics', err, this.#connection);
    }
  }

  public async createTopics(topics: readonly string[], partitions: number): Promise<void> {
    // A new topic's partitions get their leaders a moment after CreateTopics answers. kafkajs waits for
    // them (waitForLeaders) only as long as the client's few retries, which a loaded machine outlasts
    // (UNKNOWN_TOPIC_OR_PARTITION, retriable): then create what is still missing and wait on.
    await CREATE_RETRIER(async () => {
      const exist = new Set(await this.existingTopics(topics));
      const create = topics.filter((t) => !exist.has(t));
      try {
        if (create.length > 0) {
          await this.#admin.createTopics({
            waitForLeaders: true,
            topics: create.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
          });
        } else {
          const meta = await this.#admin.fetchTopicMetadata({ topics: [...topics] });
          const leaderless = meta.topics.filter((t) => t.partitions.some((p) => p.leader < 0));
          if (leaderless.length > 0) {
            throw new KafkaCallError(
              'create topics',
              new Error(`partitions of ${leaderless.map((t) => t.name).join(', ')} have no leader yet`),
              true,
            );
          }
        }
      } catch (err) {
        throw toKafkaError('create topics', err, this.#connection);
      }
    });
  }

  public async partitions(topic: string): Promise<number[]> {
    try {
      const meta = await this.#admin.fetchTopicMetadata({ topics: [topic] });
      return (meta.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
    } catch (err) {
      throw toKafkaError('fetch metadata', err, this.#connection);
    }
  }

  public async offsets(topic: string): Promise<PartitionOffsets[]> {
    try {
      const out = await this.#admin.fetchTopicOffsets(topic);
      return out
        .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
        .sort((a, b) => a.partition - b.partition);
    } catch (err) {
      throw toKafkaError('fetch offsets', err, this.#connection);
    }
  }

  public async disconnect(): Promise<void> {
    await this.#admin.disconnect().catch(() => undefined);
  }
}
