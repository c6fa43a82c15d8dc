import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { KAFKA_CLIENT_ID } from '../constants.js';
import type { KafkaConnection } from '../types.js';
import { mskIamTokenProvider } from './mskIamTokenProvider.js';

function saslOf(c: KafkaConnection): SASLOptions | undefined {
  const sasl = c.sasl;
  if (sasl === undefined) return undefined;
  if (sasl.mechanism === 'aws-msk-iam') {
    const region = sasl.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    return { mechanism: 'oauthbearer', oauthBearerProvider: mskIamTokenProvider(region) };
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

/** kafkajs log lines worth a person's attention go to stderr as one line each; its chatter does not. */
function logCreator() {
  return ({ level, log }: { level: number; log: { message: string; error?: string } }) => {
    if (level > logLevel.ERROR) return;
    if (process.env.GRIDSTREAM_KAFKA_LOG === '1') {
      process.stderr.write(`kafkajs: ${log.message}${log.error ? `: ${log.error}` : ''}\n`);
    }
  };
}

/**
 * A kafkajs client for a connection: TLS, SASL/SCRAM or MSK IAM (OAUTHBEARER), short connect timeouts
 * so a wrong address fails fast. kafkajs' own retries are kept small: gridstream's retrier decides.
 *
 * @param connection - brokers and security
 */
export function createKafkaClient(connection: KafkaConnection): Kafka {
  const sasl = saslOf(connection);
  const config: KafkaConfig = {
    brokers: [...connection.brokers],
    clientId: connection.clientId ?? KAFKA_CLIENT_ID,
    connectionTimeout: connection.connectionTimeoutMs ?? 3000,
    logLevel: logLevel.ERROR,
    logCreator,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    ...(connection.tls || sasl ? { ssl: connection.tls ?? sasl !== undefined } : {}),
    ...(sasl ? { sasl } : {}),
  };
  return new Kafka(config);
}
