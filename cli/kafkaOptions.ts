import {
  KAFKA_BROKERS_ENV,
  KAFKA_SASL_PASSWORD_ENV,
  KAFKA_SASL_USERNAME_ENV,
  KafkaConfigError,
  type KafkaConnection,
  kafkaConnection,
  parseBrokers,
} from '../kafka/index.js';
import { type OptionSpec, UsageError } from './command.js';

/** The connection options every Kafka-speaking command takes (`produce`, `deliver`, `up`). */
export const KAFKA_CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  brokers: {
    type: 'string',
    valueName: 'LIST',
    description: `Kafka bootstrap brokers host:port,… (default: ${KAFKA_BROKERS_ENV})`,
  },
  tls: { type: 'boolean', description: 'Kafka: TLS to the brokers (on by default with --sasl)' },
  sasl: {
    type: 'string',
    valueName: 'MECH',
    description: `Kafka: scram-sha-256, scram-sha-512 (user/password from ${KAFKA_SASL_USERNAME_ENV}/${KAFKA_SASL_PASSWORD_ENV}) or aws-msk-iam`,
  },
};

/**
 * The Kafka connection the options and the environment name.
 *
 * @param values - parsed options (`brokers`, `tls`, `sasl`)
 * @param env - environment (`KAFKA_BROKERS`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`, `AWS_REGION`)
 * @throws UsageError when no broker is named, a broker is not host:port, or SASL lacks its settings
 */
export function kafkaConnectionOf(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): KafkaConnection {
  const text = typeof values.brokers === 'string' ? values.brokers : env[KAFKA_BROKERS_ENV];
  if (text === undefined || text.trim() === '') {
    throw new UsageError(`Kafka needs brokers: pass --brokers host:port or set ${KAFKA_BROKERS_ENV}`);
  }
  let brokers: string[];
  try {
    brokers = parseBrokers(text);
  } catch (err) {
    if (err instanceof KafkaConfigError) throw new UsageError(`--brokers: ${err.message}`);
    throw err;
  }
  try {
    return kafkaConnection(
      brokers,
      {
        ...(values.tls === true ? { tls: true } : {}),
        ...(typeof values.sasl === 'string' ? { sasl: values.sasl } : {}),
      },
      env,
    );
  } catch (err) {
    if (err instanceof KafkaConfigError) throw new UsageError(`--sasl: ${err.message}`);
    throw err;
  }
}

/**
 * Parses `--transport`.
 *
 * @param value - the option's text
 * @throws UsageError unless it is kinesis or kafka
 */
export function transportOf(value: unknown): 'kinesis' | 'kafka' {
  const t = value === undefined ? 'kinesis' : String(value);
  if (t !== 'kinesis' && t !== 'kafka') {
    throw new UsageError(`--transport must be kinesis or kafka, got ${JSON.stringify(value)}`);
  }
  return t;
}
