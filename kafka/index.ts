export {
  DEFAULT_KAFKA_TOPICS,
  DEFAULT_TOPIC_PARTITIONS,
  KAFKA_BROKERS_ENV,
  KAFKA_CLIENT_ID,
  KAFKA_MAX_MESSAGE_BYTES,
  KAFKA_SASL_PASSWORD_ENV,
  KAFKA_SASL_USERNAME_ENV,
} from './constants.js';
export { createKafkaTransport, type KafkaTransport } from './createKafkaTransport.js';
export {
  KafkaAuthenticationError,
  KafkaCallError,
  KafkaConfigError,
  KafkaError,
  KafkaTlsError,
  KafkaUnavailableError,
  MissingTopicError,
} from './errors.js';
export {
  KAFKA_SASL_MECHANISMS,
  type KafkaAuth,
  type KafkaSaslMechanism,
  kafkaConnection,
} from './kafkaConnection.js';
export { parseBrokers } from './parseBrokers.js';
export type * from './types.js';
