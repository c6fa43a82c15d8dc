import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createKafkaTransport } from '../../kafka/index.js';
import { REPO_ROOT } from './repoRoot.js';
import { waitFor } from './waitFor.js';

/** What the shared broker's state file says (written by the first suite that needs it). */
interface BrokerState {
  readonly pid: number;
  readonly brokers: string;
}

/** Time a suite's hook gives the shared broker to start: a fresh clone resolves its jars first. */
export const KAFKA_START_TIMEOUT_MS = 600_000;

let topicCounter = 0;

/**
 * A topic name unique to this process and call.
 *
 * @param label - readable part of the name
 */
export function uniqueTopic(label: string): string {
  topicCounter += 1;
  return `${label}-${process.pid}-${topicCounter}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The test run's Kafka broker: one real Apache Kafka broker (`gridstream kafka`, started detached the
 * first time a suite asks and reused by every later suite of the run; test/globalSetup.ts stops it at
 * the end). The jars come from the project cache (resolved with Maven on first use).
 *
 * @returns `127.0.0.1:PORT`
 * @example
 * ```ts
 * const brokers = await sharedKafkaBroker();
 * ```
 */
export async function sharedKafkaBroker(): Promise<string> {
  const stateFile = inject('kafkaStateFile');
  if (existsSync(stateFile)) {
    const s = JSON.parse(readFileSync(stateFile, 'utf8')) as BrokerState;
    if (alive(s.pid)) return s.brokers;
  }
  mkdirSync(join(stateFile, '..'), { recursive: true });
  const logFile = `${stateFile}.log`;
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'gridstream.js'), 'kafka', '--port', '0'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  const brokers = await waitFor(
    'the test Kafka broker to print its ready line',
    () => {
      if (child.exitCode !== null) {
        throw new Error(`gridstream kafka exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
      }
      return /^ready (\S+)$/m.exec(readFileSync(logFile, 'utf8'))?.[1];
    },
    // First use resolves the jars with Maven (about a minute on a fresh clone).
    600_000,
    100,
  );
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid!, brokers } satisfies BrokerState));
  return brokers;
}

/**
 * Creates topics on a broker (and waits for their leaders).
 *
 * @param brokers - `host:port`
 * @param topics - topic names
 * @param partitions - partitions of each
 */
export async function createTopics(
  brokers: string,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const admin = createKafkaTransport({ brokers: [brokers] }).admin();
  await admin.connect();
  try {
    await admin.createTopics(topics, partitions);
  } finally {
    await admin.disconnect();
  }
}

/** A `gridstream kafka --scram-user` broker: PLAINTEXT and SASL_SSL (SCRAM) listeners. */
export interface ScramKafkaBroker {
  /** PLAINTEXT listener, `127.0.0.1:PORT`. */
  readonly brokers: string;
  /** SASL_SSL listener (SCRAM-SHA-256/512), `127.0.0.1:PORT`. */
  readonly saslBrokers: string;
  /** PEM of the listener's self-signed certificate. */
  readonly caFile: string;
  /** The SCRAM user and password. */
  readonly username: string;
  readonly password: string;
  /** Stops it (SIGTERM to `gridstream kafka`, which stops the JVM and removes the data folder). */
  stop(): Promise<void>;
}

/**
 * Starts a broker of its own with a SASL_SSL listener (`gridstream kafka --scram-user`), for the suites
 * that test authentication: the shared broker stays PLAINTEXT only, as most users run it.
 *
 * @param username - the SCRAM user
 * @param password - its password (given to the command as `KAFKA_SASL_PASSWORD`)
 */
export async function startScramKafka(username: string, password: string): Promise<ScramKafkaBroker> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'gridstream.js'), 'kafka', '--port', '0', '--scram-user', username],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, KAFKA_SASL_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const [, brokers, saslBrokers, caFile] = await waitFor(
      'gridstream kafka --scram-user to print its ready lines',
      () => {
        if (child.exitCode !== null)
          throw new Error(`gridstream kafka exited with ${child.exitCode}:\n${out}`);
        return /^ready (\S+)\nready-sasl (\S+) ca=(.+)$/m.exec(out) ?? undefined;
      },
      KAFKA_START_TIMEOUT_MS,
      100,
    );
    return { brokers: brokers!, saslBrokers: saslBrokers!, caFile: caFile!, username, password, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
