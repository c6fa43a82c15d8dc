export { type BrokerCertificate, ensureBrokerCertificate } from './brokerCertificate.js';
export { EmbeddedKafka, type EmbeddedKafkaOptions, type EmbeddedKafkaScramUser } from './EmbeddedKafka.js';
export { KafkaBrokerError } from './errors.js';
export { ensureKafkaJars, KAFKA_CACHE, KAFKA_POM, kafkaVersion } from './kafkaJars.js';
export { kraftClusterId } from './kraftClusterId.js';
