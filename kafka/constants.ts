import { DATASETS, type Dataset } from '../schemas/index.js';

/** The environment variable naming the brokers (`host:port,host:port`) when `--brokers` is not given. */
export const KAFKA_BROKERS_ENV = 'KAFKA_BROKERS';

/** The environment variables holding the SASL/SCRAM user name and password (`--sasl scram-sha-…`). */
export const KAFKA_SASL_USERNAME_ENV = 'KAFKA_SASL_USERNAME';
/** See {@link KAFKA_SASL_USERNAME_ENV}. */
export const KAFKA_SASL_PASSWORD_ENV = 'KAFKA_SASL_PASSWORD';

/** Client id gridstream's Kafka clients announce (brokers log it; quotas may key on it). */
export const KAFKA_CLIENT_ID = 'gridstream';

/** The topic of each dataset by default: named after the dataset, as the Kinesis streams are. */
export const DEFAULT_KAFKA_TOPICS: Readonly<Record<Dataset, string>> = Object.fromEntries(
  DATASETS.map((d) => [d, d]),
) as Record<Dataset, string>;

/** Partitions of each dataset topic that `gridstream kafka` and `up --transport kafka` create. */
export const DEFAULT_TOPIC_PARTITIONS = 2;

/**
 * The broker's default `message.max.bytes` (1 MiB + record overhead): the sink refuses a larger event
 * before sending, as the Kinesis sink refuses one over the Kinesis record limit.
 */
export const KAFKA_MAX_MESSAGE_BYTES = 1_048_576;
