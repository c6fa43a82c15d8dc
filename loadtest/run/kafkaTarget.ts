import { createKafkaTransport } from '../../kafka/createKafkaTransport.js';
import { type KafkaAuth, kafkaConnection } from '../../kafka/kafkaConnection.js';
import type { Scenario } from '../scenario/types.js';
import { type RunProcess, startServing } from './processes.js';

/** How long `gridstream kafka` may take to print `ready` (a fresh clone resolves the broker's jars first). */
const BROKER_READY_TIMEOUT_MS = 600_000;
/** How long the reachability check waits for the brokers before it names them. */
const REACH_TIMEOUT_MS = 30_000;

/** Partitions per topic of the embedded broker: `partitions`, else `shards`, else 2. */
export function kafkaPartitions(scenario: Scenario): number {
  return scenario.target.partitions ?? scenario.target.shards ?? 2;
}

/**
 * Starts `gridstream kafka --port 0` (a fresh data folder, the dataset topics created) and returns the
 * `host:port` it prints on its `ready` line.
 *
 * @throws LoadtestError when it exits or prints nothing in time (its log named)
 */
export function startKafkaBroker(
  scenario: Scenario,
  logDir: string,
  processes: RunProcess[],
): Promise<string> {
  const args = ['kafka', '--port', '0', '--partitions', String(kafkaPartitions(scenario))];
  return startServing('kafka', args, {
    logDir,
    readyLine: /ready (\S+:\d+)/,
    timeoutMs: BROKER_READY_TIMEOUT_MS,
    processes,
  });
}

/**
 * The arguments of `gridstream deliver` reading the run's topics from Kafka into the run's lake.
 *
 * @param brokers - host:port list
 * @param auth - TLS and SASL mechanism (delivery reads SCRAM's secrets from the environment it inherits)
 * @param topics - topic per dataset
 */
export function kafkaDeliverArgs(
  brokers: readonly string[],
  auth: KafkaAuth,
  topics: Readonly<Record<string, string>>,
): string[] {
  return [
    '--source',
    'kafka',
    '--brokers',
    brokers.join(','),
    ...(auth.tls ? ['--tls'] : []),
    ...(auth.sasl ? ['--sasl', auth.sasl] : []),
    '--topics',
    Object.entries(topics)
      .map(([d, t]) => (d === t ? d : `${d}=${t}`))
      .join(','),
  ];
}

/**
 * Checks, before any load, that the brokers answer and every topic of the run exists, and counts the
 * messages each topic already holds (an external cluster's topics may: delivery, a new reader, reads them
 * too, so the drain must wait for them as well).
 *
 * @param brokers - host:port list
 * @param auth - TLS and SASL mechanism (secrets from this process's environment)
 * @param topics - topic per dataset
 * @param unreachable - the error to throw (the coordinator's TargetUnreachableError)
 * @returns messages held per topic (log end − oldest offset held, summed over partitions)
 */
export async function checkKafkaReachable(
  brokers: readonly string[],
  auth: KafkaAuth,
  topics: Readonly<Record<string, string>>,
  unreachable: (message: string, cause?: unknown) => Error,
): Promise<Record<string, number>> {
  const where = `Kafka at ${brokers.join(',')}`;
  let connection: ReturnType<typeof kafkaConnection>;
  try {
    connection = kafkaConnection(brokers, auth);
  } catch (err) {
    throw unreachable(`target unreachable: ${where}: ${(err as Error).message}; no load was sent`, err);
  }
  const admin = createKafkaTransport(connection).admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${REACH_TIMEOUT_MS / 1000} s`)),
      REACH_TIMEOUT_MS,
    );
  });
  try {
    const names = Object.values(topics);
    const existing = await Promise.race([
      admin.connect().then(() => admin.existingTopics(names)),
      timeout,
    ]).catch((err: unknown) => {
      throw unreachable(`target unreachable: ${where}: ${(err as Error).message}; no load was sent`, err);
    });
    const missing = names.filter((t) => !existing.includes(t));
    if (missing.length > 0)
      throw unreachable(
        `target unreachable: ${where}: topic ${missing.join(', ')} does not exist; no load was sent`,
      );
    const held: Record<string, number> = {};
    for (const t of names) {
      const offsets = await Promise.race([admin.offsets(t), timeout]);
      held[t] = offsets.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
    }
    return held;
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
