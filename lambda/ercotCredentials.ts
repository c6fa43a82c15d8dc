import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FetchLike } from '../producers/sources/adapters/index.js';
import { ConfigurationError, StreamProcessorError } from './errors.js';

/**
 * The ERCOT Public API credentials, as JSON in a Secrets Manager secret. `subscriptionKey` is required;
 * the bearer token is either given (`accessToken`, refreshed by whoever writes the secret) or obtained on
 * every cold start with the OAuth2 password grant (`tokenUrl`, `clientId`, `scope`, `username`, `password`).
 */
export interface ErcotCredentials {
  readonly subscriptionKey: string;
  readonly accessToken?: string;
  readonly tokenUrl?: string;
  readonly clientId?: string;
  readonly scope?: string;
  readonly username?: string;
  readonly password?: string;
}

/** Reads a secret's string value (injected in tests). */
export type SecretReader = (secretId: string) => Promise<string>;

/** A {@link SecretReader} over Secrets Manager (standard AWS configuration). */
export function secretsManagerReader(
  client: SecretsManagerClient = new SecretsManagerClient({}),
): SecretReader {
  return async (secretId) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined)
      throw new ConfigurationError(`secret ${secretId} has no string value`);
    return out.SecretString;
  };
}

/**
 * Parses and checks the credentials JSON.
 *
 * @param text - the secret's value
 * @param secretId - for messages (never the value itself)
 * @throws ConfigurationError naming what is missing
 */
export function parseErcotCredentials(text: string, secretId: string): ErcotCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`secret ${secretId} is not JSON`);
  }
  const c = parsed as Partial<ErcotCredentials> | null;
  if (!c || typeof c.subscriptionKey !== 'string' || c.subscriptionKey === '') {
    throw new ConfigurationError(`secret ${secretId} has no subscriptionKey`);
  }
  const grant = ['tokenUrl', 'clientId', 'username', 'password'] as const;
  const given = grant.filter((k) => typeof c[k] === 'string' && c[k] !== '');
  if (!c.accessToken && given.length !== grant.length) {
    throw new ConfigurationError(
      `secret ${secretId} needs accessToken, or all of ${grant.join(', ')} (missing: ${grant.filter((k) => !given.includes(k)).join(', ')})`,
    );
  }
  return c as ErcotCredentials;
}

/**
 * A bearer token from the OAuth2 password grant (the ERCOT API accepts the `id_token` its identity
 * provider returns; any `access_token` is preferred when present).
 *
 * @param c - credentials with the grant fields
 * @param fetchFn - fetch to use
 */
export async function passwordGrantToken(
  c: ErcotCredentials,
  fetchFn: FetchLike = globalThis.fetch as FetchLike,
): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: c.clientId ?? '',
    username: c.username ?? '',
    password: c.password ?? '',
    scope: c.scope ?? 'openid',
    response_type: 'id_token',
  });
  const response = await (fetchFn as unknown as typeof fetch)(c.tokenUrl ?? '', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  if (!response.ok) {
    throw new StreamProcessorError(`token request to ${c.tokenUrl} failed with HTTP ${response.status}`, {
      retriable: response.status >= 500 || response.status === 429,
    });
  }
  const json = (await response.json()) as { access_token?: string; id_token?: string };
  const token = json.access_token ?? json.id_token;
  if (!token)
    throw new StreamProcessorError(`token response of ${c.tokenUrl} has no access_token or id_token`);
  return token;
}
