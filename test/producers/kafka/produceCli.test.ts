import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKafkaTransport } from '../../../kafka/index.js';
import { createTopics, KAFKA_START_TIMEOUT_MS, sharedKafkaBroker, uniqueTopic } from '../../helpers/kafka.js';
import { REPO_ROOT } from '../../helpers/repoRoot.js';
import { run } from '../../helpers/run.js';

const BIN = join(REPO_ROOT, 'bin', 'gridstream.js');
let brokers: string;
// The first broker of a fresh clone resolves its jars with Maven first (about a minute).
beforeAll(async () => {
  brokers = await sharedKafkaBroker();
}, KAFKA_START_TIMEOUT_MS);

/** Sum of the high offsets of a topic's partitions: the messages it holds. */
async function messagesIn(topic: string): Promise<number> {
  const admin = createKafkaTransport({ brokers: [brokers] }).admin();
  await admin.connect();
  const offsets = await admin.offsets(topic);
  await admin.disconnect();
  return offsets.reduce((n, o) => n + Number(o.high), 0);
}

describe('gridstream produce --transport kafka', () => {
  it('sends exactly --count events per dataset to one topic each (brokers from KAFKA_BROKERS)', async () => {
    const prefix = uniqueTopic('cli');
    const topics = ['grid', 'weather', 'transactions'].map((d) => `${prefix}-${d}`);
    await createTopics(brokers, topics, 2);
    const r = await run(
      process.execPath,
      [
        BIN,
        'produce',
        '--transport',
        'kafka',
        '--count',
        '40',
        '--rate',
        '0',
        '--seed',
        '3',
        '--stream',
        `${prefix}-{dataset}`,
      ],
      { env: { ...process.env, KAFKA_BROKERS: brokers } },
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`sent 120 of 120 events .*Kafka at ${brokers.replaceAll('.', '\\.')}`),
    );
    for (const t of topics) expect(await messagesIn(t)).toBe(40);
  });

  it('fails with the brokers named when none answers, and with the topic named when it is missing', async () => {
    const down = await run(process.execPath, [
      BIN,
      'produce',
      '--transport',
      'kafka',
      '--brokers',
      '127.0.0.1:1',
      '--count',
      '1',
    ]);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/no Kafka broker answered at 127\.0\.0\.1:1/);
    const missing = await run(process.execPath, [
      BIN,
      'produce',
      '--transport',
      'kafka',
      '--brokers',
      brokers,
      '--count',
      '1',
      '--dataset',
      'grid',
      '--stream',
      'no-such-topic',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Kafka topic no-such-topic not found/);
  });

  it('refuses options that cannot work before connecting, and connects with TLS for MSK IAM', async () => {
    const env = { ...process.env, KAFKA_BROKERS: '' };
    const none = await run(process.execPath, [BIN, 'produce', '--transport', 'kafka', '--count', '1'], {
      env,
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/pass --brokers host:port or set KAFKA_BROKERS/);
    const iam = await run(process.execPath, [
      BIN,
      'produce',
      '--transport',
      'kafka',
      '--brokers',
      brokers,
      '--sasl',
      'aws-msk-iam',
      '--count',
      '1',
    ]);
    // MSK IAM is TLS + OAUTHBEARER: the plaintext test broker refuses the TLS handshake, so the command
    // gets as far as connecting (the signer is installed; its tokens are checked in mskIamTokenProvider.test.ts)
    expect(iam.code).toBe(1);
    expect(iam.stderr).toMatch(/no Kafka broker answered at 127\.0\.0\.1:\d+/);
    expect(iam.stderr).not.toMatch(/needs the npm package/);
  });
});
