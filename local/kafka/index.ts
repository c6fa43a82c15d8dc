export { EmbeddedKafka, type EmbeddedKafkaOptions } from './EmbeddedKafka.js';
export { KafkaBrokerError } from './errors.js';
export { ensureKafkaJars, KAFKA_CACHE, KAFKA_POM, kafkaVersion } from './kafkaJars.js';
export { kraftClusterId } from './kraftClusterId.js';
