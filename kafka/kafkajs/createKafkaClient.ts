import { createRequire } from 'node:module';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { KAFKA_CLIENT_ID, MSK_IAM_SIGNER_PACKAGE, MSK_IAM_SIGNER_VERSION } from '../constants.js';
import { MskIamUnavailableError } from '../errors.js';
import type { KafkaConnection } from '../types.js';

/** The signer's one function gridstream calls (aws-msk-iam-sasl-signer-js). */
interface MskIamSigner {
  generateAuthToken(options: { region: string }): Promise<{ token: string; expiryTime: number }>;
}

/**
 * Loads AWS's MSK IAM signer; it is not a dependency of gridstream yet, so asking for IAM without it
 * fails with the package to install rather than a module-not-found trace.
 */
function loadMskSigner(): MskIamSigner {
  try {
    return createRequire(import.meta.url)(MSK_IAM_SIGNER_PACKAGE) as MskIamSigner;
  } catch (err) {
    throw new MskIamUnavailableError(MSK_IAM_SIGNER_PACKAGE, MSK_IAM_SIGNER_VERSION, err);
  }
}

function saslOf(c: KafkaConnection): SASLOptions | undefined {
  const sasl = c.sasl;
  if (sasl === undefined) return undefined;
  if (sasl.mechanism === 'aws-msk-iam') {
    const signer = loadMskSigner();
    const region = sasl.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await signer.generateAuthToken({ region })).token }),
    };
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
 * @throws MskIamUnavailableError when MSK IAM is asked for and the signer is not installed
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
