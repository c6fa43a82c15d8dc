import { afterEach, describe, expect, it, vi } from 'vitest';
import { KafkaCallError } from '../../kafka/index.js';
import { mskIamTokenProvider } from '../../kafka/kafkajs/mskIamTokenProvider.js';

/** Credentials from the environment only: no profile file, no instance metadata (the signer runs offline). */
function staticCredentials(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('mskIamTokenProvider', () => {
  it.each(['eu-west-1', 'us-east-2'])(
    'signs a kafka-cluster:Connect URL for %s with credentials from the environment, offline',
    async (region) => {
      // Prepare
      staticCredentials();
      // Act
      const { value } = await mskIamTokenProvider(region)();
      // Assess: the token is the presigned URL, base64url without padding
      expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
      const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
      expect(url.protocol).toBe('https:');
      expect(url.hostname).toBe(`kafka.${region}.amazonaws.com`);
      expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
      expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(
        new RegExp(`^AKIDEXAMPLE/\\d{8}/${region}/kafka-cluster/aws4_request$`),
      );
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('names the region when no credentials can be found', async () => {
    // Prepare: nothing in the environment, no profile files, no instance metadata
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      vi.stubEnv(name, '');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_WEB_IDENTITY_TOKEN_FILE', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', '');
    // Act
    const err = await mskIamTokenProvider('eu-west-1')().catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(KafkaCallError);
    expect((err as Error).message).toMatch(/MSK IAM token for region eu-west-1/);
  });
});
