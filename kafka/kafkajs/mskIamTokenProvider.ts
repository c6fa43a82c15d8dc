import type { OauthbearerProviderResponse } from 'kafkajs';
import { KafkaCallError } from '../errors.js';

/**
 * kafkajs' OAUTHBEARER token provider for MSK IAM: each call signs a fresh token with AWS's MSK IAM signer
 * (`aws-msk-iam-sasl-signer-js`), from the default credential chain (environment, profile, SSO, web
 * identity, container and instance roles). The token is a SigV4-presigned `kafka-cluster:Connect` URL for
 * `kafka.<region>.amazonaws.com`, base64url-encoded, valid 15 minutes; kafkajs asks again when it
 * re-authenticates. The signer (and the credential providers under it) loads on first use, so clients
 * without IAM do not pay for it.
 *
 * @param region - the cluster's region
 * @returns the provider for kafkajs' `sasl.oauthBearerProvider`
 * @example
 * ```ts
 * new Kafka({ brokers, ssl: true, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: mskIamTokenProvider('eu-west-1') } });
 * ```
 */
export function mskIamTokenProvider(region: string): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
    try {
      const { token } = await generateAuthToken({ region });
      return { value: token };
    } catch (err) {
      // No credentials, or an STS/SSO call of the chain failed: kafkajs would only say SASL failed.
      throw new KafkaCallError(`sign an MSK IAM token for region ${region}`, err, false);
    }
  };
}
