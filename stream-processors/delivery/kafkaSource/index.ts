export { KafkaSource, type KafkaSourceOptions, partitionId } from './KafkaSource.js';
