import { createKafkaClient } from './kafkajs/createKafkaClient.js';
import { KafkajsAdminTransport } from './kafkajs/KafkajsAdminTransport.js';
import { KafkajsGroupConsumer } from './kafkajs/KafkajsGroupConsumer.js';
import { KafkajsProducerTransport } from './kafkajs/KafkajsProducerTransport.js';
import type {
  KafkaAdminTransport,
  KafkaConnection,
  KafkaGroupConsumer,
  KafkaGroupConsumerOptions,
  KafkaProducerSettings,
  KafkaProducerTransport,
} from './types.js';

/**
 * The Kafka client gridstream uses, behind its interfaces: producers, admin calls, group consumers. The
 * one implementation is kafkajs (2.2.4); replacing the client means a new implementation of this.
 */
export interface KafkaTransport {
  /** Brokers of the connection. */
  readonly brokers: readonly string[];
  producer(settings: KafkaProducerSettings): KafkaProducerTransport;
  admin(): KafkaAdminTransport;
  groupConsumer(options: KafkaGroupConsumerOptions): KafkaGroupConsumer;
}

/**
 * Creates the transport for a connection (no I/O until a client connects).
 *
 * @param connection - brokers, TLS, SASL
 * @example
 * ```ts
 * const kafka = createKafkaTransport({ brokers: ['127.0.0.1:9092'] });
 * const admin = kafka.admin();
 * await admin.connect();
 * ```
 */
export function createKafkaTransport(connection: KafkaConnection): KafkaTransport {
  const client = createKafkaClient(connection);
  return {
    brokers: connection.brokers,
    producer: (settings) => new KafkajsProducerTransport(client, settings, connection),
    admin: () => new KafkajsAdminTransport(client, connection),
    groupConsumer: (options) => new KafkajsGroupConsumer(client, options, connection),
  };
}
