import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import type {
  KafkaConnection,
  KafkaOutgoingMessage,
  KafkaProducerSettings,
  KafkaProducerTransport,
} from '../types.js';
import { toKafkaError } from './toKafkaError.js';

/**
 * {@link KafkaProducerTransport} over a kafkajs producer: idempotent (acks=all, kafkajs serialises
 * requests per broker under the idempotence lock, i.e. one produce request in flight per broker, which
 * keeps sequence numbers in order across retries), murmur2 partitioning by key as the Java client.
 */
export class KafkajsProducerTransport implements KafkaProducerTransport {
  readonly #producer: Producer;
  readonly #settings: KafkaProducerSettings;
  readonly #connection: KafkaConnection;

  /**
   * @param kafka - the client
   * @param settings - idempotence, compression, request timeout
   * @param connection - the client's connection (errors name the brokers)
   */
  public constructor(kafka: Kafka, settings: KafkaProducerSettings, connection: KafkaConnection) {
    this.#connection = connection;
    this.#settings = settings;
    this.#producer = kafka.producer({
      idempotent: settings.idempotent,
      // One request in flight per connection: the idempotent producer's sequence numbers stay in order
      // even when a request is retried (Java allows up to 5; kafkajs does not track them per batch).
      maxInFlightRequests: settings.idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      // kafkajs' retries under gridstream's: few, short; the sink's retrier owns the record TTL.
      retry: { retries: settings.idempotent ? Number.MAX_SAFE_INTEGER : 5, maxRetryTime: 2000 },
    });
  }

  public async connect(): Promise<void> {
    try {
      await this.#producer.connect();
    } catch (err) {
      throw toKafkaError('connect', err, this.#connection);
    }
  }

  public async send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<void> {
    try {
      await this.#producer.send({
        topic,
        acks: -1,
        timeout: this.#settings.requestTimeoutMs,
        compression: this.#settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: messages as KafkaOutgoingMessage[],
      });
    } catch (err) {
      throw toKafkaError('send', err, this.#connection);
    }
  }

  public async disconnect(): Promise<void> {
    await this.#producer.disconnect().catch(() => undefined);
  }
}
