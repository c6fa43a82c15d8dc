import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaTransport } from '../../kafka/index.js';
import { EmbeddedKafka } from '../../local/kafka/index.js';
import { duckRows, rawParquet } from '../delivery/support/lakeKit.js';
import {
  createTopics,
  KAFKA_START_TIMEOUT_MS,
  type ScramKafkaBroker,
  startScramKafka,
  uniqueTopic,
} from '../helpers/kafka.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';

const BIN = join(REPO_ROOT, 'bin', 'gridstream.js');
/** A guard against a hang through retries: the process is killed and the test fails on its exit code. */
const GUARD_MS = 120_000;

let kafka: ScramKafkaBroker;
// A broker of its own (PLAINTEXT + SASL_SSL): the shared test broker is PLAINTEXT only.
beforeAll(async () => {
  kafka = await startScramKafka('gridstream-test', 'Sc4am-secret.1');
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await kafka?.stop();
}, 60_000);

/** The environment of a client of the SASL_SSL listener: user, password and the trusted certificate. */
function saslEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: '',
    KAFKA_SASL_USERNAME: kafka.username,
    KAFKA_SASL_PASSWORD: kafka.password,
    NODE_EXTRA_CA_CERTS: kafka.caFile,
    ...overrides,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** `gridstream deliver --source kafka --stop-when-caught-up` of `topic` through the SASL_SSL listener. */
function deliverOnce(
  topic: string,
  mechanism: string,
  lake: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
) {
  return run(
    process.execPath,
    [
      BIN,
      'deliver',
      '--source',
      'kafka',
      '--brokers',
      kafka.saslBrokers,
      '--sasl',
      mechanism,
      '--topics',
      `grid=${topic}`,
      '--group',
      `g-${topic}`,
      '--lake',
      lake,
      '--stop-when-caught-up',
    ],
    { env, timeoutMs },
  );
}

/** `gridstream produce --transport kafka` of `count` grid events to `topic` through the SASL_SSL listener. */
function produce(topic: string, mechanism: string, count: number, env: NodeJS.ProcessEnv = saslEnv()) {
  return run(
    process.execPath,
    [
      BIN,
      'produce',
      '--transport',
      'kafka',
      '--brokers',
      kafka.saslBrokers,
      '--sasl',
      mechanism,
      '--dataset',
      'grid',
      '--stream',
      topic,
      '--count',
      String(count),
      '--rate',
      '0',
      '--seed',
      '21',
    ],
    { env, timeoutMs: GUARD_MS },
  );
}

/** Messages a topic holds (sum of high offsets), asked on the PLAINTEXT listener. */
async function messagesIn(topic: string): Promise<number> {
  const admin = createKafkaTransport({ brokers: [kafka.brokers] }).admin();
  await admin.connect();
  try {
    return (await admin.offsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const escaped = (s: string): string => s.replaceAll('.', '\\.');

describe('SASL/SCRAM over TLS on a real broker (gridstream kafka --scram-user)', () => {
  it('serves a SASL_SSL listener beside the PLAINTEXT one, with the certificate as a PEM file', () => {
    expect(kafka.brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(kafka.saslBrokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(kafka.saslBrokers).not.toBe(kafka.brokers);
    expect(kafka.caFile).toMatch(/ca\.pem$/);
    // The key, its password and the broker's config (which holds it) are this user's only, and the
    // format's argument file (the SCRAM password) is gone.
    const tls = dirname(kafka.caFile);
    const data = dirname(tls);
    expect(statSync(tls).mode & 0o777).toBe(0o700);
    for (const f of [
      join(tls, 'broker.p12'),
      join(tls, 'keystore-password'),
      join(data, 'server.properties'),
    ])
      expect(statSync(f).mode & 0o777, f).toBe(0o600);
    expect(existsSync(join(data, '.format-args'))).toBe(false);
    expect(readFileSync(join(data, 'server.properties'), 'utf8')).not.toContain(kafka.password);
  });

  it('produce --sasl scram-sha-512 delivers every event, and deliver --source kafka reads them back through the same listener', async () => {
    // Prepare
    const topic = uniqueTopic('scram512');
    await createTopics(kafka.brokers, [topic], 2);
    const lake = tempDir('kafka-scram');
    // Act
    const sent = await produce(topic, 'scram-sha-512', 300);
    const delivered = await deliverOnce(topic, 'scram-sha-512', lake, saslEnv(), GUARD_MS * 2);
    // Assess
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(
      new RegExp(`sent 300 of 300 events .*Kafka at ${escaped(kafka.saslBrokers)}`),
    );
    expect(await messagesIn(topic)).toBe(300);
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(delivered.stdout).toMatch(/delivered 300 events/);
    const [raw] = await duckRows(
      `SELECT count(*)::INT AS rows, count(DISTINCT event_id)::INT AS "unique" FROM ${rawParquet(lake, 'grid')}`,
    );
    expect(raw).toEqual({ rows: 300, unique: 300 });
  });

  it('produce --sasl scram-sha-256 connects and sends too', async () => {
    const topic = uniqueTopic('scram256');
    await createTopics(kafka.brokers, [topic], 2);
    const sent = await produce(topic, 'scram-sha-256', 12);
    expect(sent.code, sent.stderr).toBe(0);
    expect(await messagesIn(topic)).toBe(12);
  });

  it('a wrong password fails at once, naming the brokers and saying authentication failed (produce and deliver)', async () => {
    const topic = uniqueTopic('scrambad');
    await createTopics(kafka.brokers, [topic], 1);
    const env = saslEnv({ KAFKA_SASL_PASSWORD: 'not-the-password' });
    const sent = await produce(topic, 'scram-sha-512', 5, env);
    const delivered = await deliverOnce(topic, 'scram-sha-256', tempDir('kafka-scram-bad'), env, GUARD_MS);
    for (const [r, mech] of [
      [sent, 'scram-sha-512'],
      [delivered, 'scram-sha-256'],
    ] as const) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `KafkaAuthenticationError: Kafka authentication failed at ${escaped(kafka.saslBrokers)}: ` +
            `the brokers refused the SASL ${mech} login of user "gridstream-test"`,
        ),
      );
      expect(r.stderr).toMatch(
        /Check the user name and password \(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD\)/,
      );
    }
    expect(await messagesIn(topic)).toBe(0);
  });

  it('TLS without trusting the certificate fails with a certificate error naming the brokers and NODE_EXTRA_CA_CERTS', async () => {
    const topic = uniqueTopic('scramnoca');
    await createTopics(kafka.brokers, [topic], 1);
    const sent = await produce(topic, 'scram-sha-512', 5, saslEnv({ NODE_EXTRA_CA_CERTS: undefined }));
    expect(sent.code, sent.stderr).toBe(1);
    expect(sent.stderr).toMatch(
      new RegExp(
        `KafkaTlsError: Kafka TLS handshake with ${escaped(kafka.saslBrokers)} failed \\(DEPTH_ZERO_SELF_SIGNED_CERT`,
      ),
    );
    expect(sent.stderr).toMatch(/NODE_EXTRA_CA_CERTS=/);
    expect(sent.stderr).not.toMatch(/no Kafka broker answered/);
    expect(await messagesIn(topic)).toBe(0);
  });

  it('up --transport kafka --sasl scram-sha-512 runs the pipeline on the authenticated listener: every event delivered', async () => {
    const lake = join(tempDir('up-scram'), 'lake');
    const r = await run(
      process.execPath,
      [
        BIN,
        'up',
        '--transport',
        'kafka',
        '--brokers',
        kafka.saslBrokers,
        '--sasl',
        'scram-sha-512',
        '--duration',
        '4',
        '--no-backfill',
        '--lake',
        lake,
      ],
      { env: saslEnv(), timeoutMs: GUARD_MS * 2 },
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const m = /produced (\d+) events, delivered (\d+) in/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(m![2]).toBe(m![1]);
  });

  it('loadtest run with target.sasl on topics already holding messages: workers, delivery and the reachability check log in; exact, and no secret in the run folder', async () => {
    // Prepare: the broker's own dataset topics, reached through the SASL_SSL listener only; grid already
    // holds other messages (as an external cluster's topic does), which delivery reads too.
    const before = await produce('grid', 'scram-sha-512', 40);
    expect(before.code, before.stderr).toBe(0);
    const dir = tempDir('lt-scram');
    const file = join(dir, 'scram.yaml');
    writeFileSync(
      file,
      `seed: 4\ntarget: { kind: kafka, brokers: "${kafka.saslBrokers}", sasl: scram-sha-512 }\n` +
        'datasets:\n  grid:\n    profile: [{ kind: constant, name: plateau, rate: 60, duration: 3s }]\n' +
        'thresholds:\n  - { metric: reconciliation.lost, max: 0 }\n',
    );
    const out = join(dir, 'run');
    // Act
    const r = await run(process.execPath, [BIN, 'loadtest', 'run', file, '--out', out], {
      env: saslEnv(),
      timeoutMs: 300_000,
    });
    // Assess
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/the topics already hold messages \(grid \d+\)/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.reconciliation).toMatchObject({ sent: 180, found_raw: 180, lost: 0, duplicated_raw: 0 });
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const path = join(f.parentPath, f.name);
      expect(readFileSync(path).includes(kafka.password), `${path} holds the password`).toBe(false);
    }
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).target).toMatchObject({
      brokers: kafka.saslBrokers,
      sasl: 'scram-sha-512',
    });
  });
});

describe('EmbeddedKafka scram option', () => {
  it('refuses a SCRAM password StorageTool would cut short, before starting anything', async () => {
    const dataDir = tempDir('kafka-scram-refused');
    await expect(
      EmbeddedKafka.start({ dataDir, scram: { username: 'alice', password: 'a,b' } }),
    ).rejects.toThrow(/SCRAM password must be .* without .*','/);
    await expect(
      EmbeddedKafka.start({ dataDir, scram: { username: 'al ice', password: 'secret' } }),
    ).rejects.toThrow(/SCRAM user name "al ice"/);
  });
});

describe('EmbeddedKafka scram option on a reused data folder', () => {
  it('refuses a folder formatted for another SCRAM user (or none) instead of failing every login later', async () => {
    // Prepare: the marks a formatted folder carries (StorageTool's meta.properties, the ports file).
    const dataDir = tempDir('kafka-scram-reused');
    mkdirSync(join(dataDir, 'kraft-logs'), { recursive: true });
    writeFileSync(join(dataDir, 'kraft-logs', 'meta.properties'), 'version=1\n');
    writeFileSync(join(dataDir, 'gridstream-ports.json'), JSON.stringify({ port: 1, controllerPort: 2 }));
    // Act / Assess
    await expect(
      EmbeddedKafka.start({ dataDir, scram: { username: 'alice', password: 'secret' } }),
    ).rejects.toThrow(/was formatted without a SCRAM user, not alice: use a fresh folder/);
    writeFileSync(
      join(dataDir, 'gridstream-ports.json'),
      JSON.stringify({ port: 1, controllerPort: 2, scramUser: 'bob' }),
    );
    await expect(
      EmbeddedKafka.start({ dataDir, scram: { username: 'alice', password: 'secret' } }),
    ).rejects.toThrow(/was formatted for SCRAM user bob, not alice/);
  });
});

describe('gridstream kafka --scram-user', () => {
  it('needs the password in KAFKA_SASL_PASSWORD (usage error, exit 2, before any broker starts)', async () => {
    const env = { ...process.env };
    delete env.KAFKA_SASL_PASSWORD;
    const r = await run(process.execPath, [BIN, 'kafka', '--scram-user', 'alice'], {
      env,
      timeoutMs: GUARD_MS,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scram-user needs the password in KAFKA_SASL_PASSWORD/);
    expect(r.stdout).not.toMatch(/^ready/m);
  });
});
