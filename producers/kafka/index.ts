export { KAFKA_SINK_DEFAULTS, KAFKA_SINK_TEST_DEFAULTS, type KafkaSinkDefaults } from './constants.js';
export { KafkaSink, type KafkaSinkOptions } from './KafkaSink.js';
