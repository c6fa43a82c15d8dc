import { KAFKA_SASL_PASSWORD_ENV, KAFKA_SASL_USERNAME_ENV } from './constants.js';
import { KafkaConfigError } from './errors.js';
import type { KafkaConnection, KafkaSasl } from './types.js';

/** The SASL mechanisms a connection can name (`--sasl`, a scenario's `target.sasl`). */
export const KAFKA_SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'aws-msk-iam'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How to authenticate, by name only: secrets come from the environment of the process that connects. */
export interface KafkaAuth {
  /** TLS to the brokers (always on with SASL). */
  readonly tls?: boolean;
  /** SASL mechanism; SCRAM's credentials from `KAFKA_SASL_USERNAME` / `KAFKA_SASL_PASSWORD`, MSK IAM's from the AWS chain. */
  readonly sasl?: string;
}

/**
 * The connection to brokers with an authentication named by mechanism, the secrets read from the
 * environment here, in the process that connects (so a run folder or a task's arguments never hold
 * them).
 *
 * @param brokers - host:port list
 * @param auth - TLS and the SASL mechanism
 * @param env - environment (`KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`, `AWS_REGION`)
 * @throws KafkaConfigError for an unknown mechanism, or SCRAM without its credentials
 * @example
 * ```ts
 * const c = kafkaConnection(['b-1.example:9096'], { sasl: 'scram-sha-512' }); // tls on, user from env
 * ```
 */
export function kafkaConnection(
  brokers: readonly string[],
  auth: KafkaAuth = {},
  env: NodeJS.ProcessEnv = process.env,
): KafkaConnection {
  let sasl: KafkaSasl | undefined;
  const mech = auth.sasl;
  if (mech !== undefined) {
    if (mech === 'aws-msk-iam') {
      sasl = { mechanism: 'aws-msk-iam', ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) };
    } else if (mech === 'scram-sha-256' || mech === 'scram-sha-512') {
      const username = env[KAFKA_SASL_USERNAME_ENV];
      const password = env[KAFKA_SASL_PASSWORD_ENV];
      if (!username || !password) {
        throw new KafkaConfigError(
          `SASL ${mech} needs ${KAFKA_SASL_USERNAME_ENV} and ${KAFKA_SASL_PASSWORD_ENV} in the environment`,
        );
      }
      sasl = { mechanism: mech, username, password };
    } else {
      throw new KafkaConfigError(
        `SASL mechanism must be ${KAFKA_SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(mech)}`,
      );
    }
  }
  return {
    brokers: [...brokers],
    ...(auth.tls === true || sasl ? { tls: true } : {}),
    ...(sasl ? { sasl } : {}),
  };
}
