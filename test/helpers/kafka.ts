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
