import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createKafkaTransport } from '../../kafka/index.js';
import { ensureBrokerCertificate } from './brokerCertificate.js';
import { KafkaBrokerError } from './errors.js';
import { ensureKafkaJars, kafkaVersion } from './kafkaJars.js';
import { kraftClusterId } from './kraftClusterId.js';

/** The SCRAM user of the optional SASL_SSL listener. */
export interface EmbeddedKafkaScramUser {
  /** User name: letters, digits, `.`, `_`, `-`. */
  readonly username: string;
  /** Password: printable ASCII without `"`, `,`, `[`, `]`, `=` (StorageTool's credential syntax). */
  readonly password: string;
}

/** Options of {@link EmbeddedKafka.start}. */
export interface EmbeddedKafkaOptions {
  /** Client port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /** Folder of the broker's log and metadata; kept when given. @default a fresh temp folder, removed on stop */
  readonly dataDir?: string;
  /** Topics to create once it answers, by name with their partition count. @default none */
  readonly topics?: Readonly<Record<string, number>>;
  /** Max heap of the broker's JVM, MiB. @default 512 */
  readonly heapMb?: number;
  /** Progress lines (the jar download on first use). */
  readonly log?: (line: string) => void;
  /** Give up when the broker does not answer within this long, ms. @default 120000 */
  readonly startTimeoutMs?: number;
  /**
   * A second client listener, SASL_SSL on 127.0.0.1 (SCRAM-SHA-256 and SCRAM-SHA-512, this user added
   * at format time, a self-signed certificate for 127.0.0.1): what MSK's SCRAM auth looks like to a
   * client. The PLAINTEXT listener stays as it is. @default none (PLAINTEXT only)
   */
  readonly scram?: EmbeddedKafkaScramUser;
  /** Port of the SASL_SSL listener. @default 0 (a free port; a reused data folder keeps its own) */
  readonly saslPort?: number;
}

/** Ports (and the SCRAM user) a data folder was set up with, kept beside its storage. */
interface PortsFile {
  readonly port: number;
  readonly controllerPort: number;
  readonly saslPort?: number;
  /** SCRAM user added at format time (a data folder formatted without one has no credentials). */
  readonly scramUser?: string;
}

const SCRAM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SCRAM_PASSWORD = /^[\x21-\x7e]{1,128}$/;
const SCRAM_PASSWORD_FORBIDDEN = /[",[\]=]/;

/**
 * Checks a SCRAM user before anything starts: StorageTool parses `[name=…,password=…]` itself and has no
 * escapes, so a comma or bracket would cut the password short silently.
 */
function checkScramUser(user: EmbeddedKafkaScramUser): void {
  if (!SCRAM_NAME.test(user.username)) {
    throw new KafkaBrokerError(
      `SCRAM user name ${JSON.stringify(user.username)} must be 1-64 letters, digits, '.', '_' or '-'`,
    );
  }
  if (!SCRAM_PASSWORD.test(user.password) || SCRAM_PASSWORD_FORBIDDEN.test(user.password)) {
    throw new KafkaBrokerError(
      "the SCRAM password must be 1-128 printable ASCII characters without spaces, '\"', ',', '[', ']' or '='",
    );
  }
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * One Apache Kafka broker (KRaft, combined broker and controller) on 127.0.0.1, run from the jars the
 * project resolves with Maven ({@link ensureKafkaJars}): `gridstream kafka`, `up --transport kafka` and
 * the tests use it. The storage is formatted with Kafka's StorageTool; `kafka.Kafka` runs as a child
 * process (killed with the parent's exit) and is ready once an admin client gets an answer.
 *
 * @example
 * ```ts
 * const kafka = await EmbeddedKafka.start({ topics: { grid: 2 } });
 * console.log(kafka.brokers); // 127.0.0.1:PORT
 * await kafka.stop();
 * ```
 */
export class EmbeddedKafka {
  /** `127.0.0.1:PORT`. */
  public readonly brokers: string;
  /** Client port. */
  public readonly port: number;
  /** The broker's data folder. */
  public readonly dataDir: string;
  /** Apache Kafka version running. */
  public readonly version: string;
  /** `127.0.0.1:PORT` of the SASL_SSL listener (SCRAM-SHA-256/512), when started with `scram`. */
  public readonly saslBrokers: string | undefined;
  /** PEM of the certificate the SASL_SSL listener presents (trust it as a CA), when started with `scram`. */
  public readonly caFile: string | undefined;
  readonly #child: ChildProcess;
  readonly #ownsDir: boolean;
  readonly #exited: Promise<void>;
  #output = '';

  private constructor(
    child: ChildProcess,
    port: number,
    dataDir: string,
    ownsDir: boolean,
    version: string,
    sasl: { port: number; caFile: string } | undefined,
  ) {
    this.#child = child;
    this.saslBrokers = sasl ? `127.0.0.1:${sasl.port}` : undefined;
    this.caFile = sasl?.caFile;
    this.port = port;
    this.brokers = `127.0.0.1:${port}`;
    this.dataDir = dataDir;
    this.#ownsDir = ownsDir;
    this.version = version;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Process id of the broker's JVM. */
  public get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** True once the broker process has exited. */
  public get exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /**
   * Resolves the jars (first use), formats the storage, starts the broker and waits until it answers,
   * then creates `options.topics`.
   *
   * @param options - port, data folder, topics, the optional SASL_SSL listener's user
   * @throws KafkaBrokerError when Java or Maven is missing, the port is taken, or it never answers
   * @example
   * ```ts
   * const kafka = await EmbeddedKafka.start({ scram: { username: 'alice', password: 'alice-secret' } });
   * // clients: brokers kafka.saslBrokers, TLS trusting kafka.caFile (NODE_EXTRA_CA_CERTS), SCRAM-SHA-512
   * ```
   */
  public static async start(options: EmbeddedKafkaOptions = {}): Promise<EmbeddedKafka> {
    const log = options.log ?? (() => undefined);
    if (options.scram) checkScramUser(options.scram);
    const lib = ensureKafkaJars(log);
    const version = kafkaVersion();
    const ownsDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gridstream-kafka-'));
    try {
      return await EmbeddedKafka.#launch(options, { lib, version, ownsDir, dataDir });
    } catch (err) {
      // A folder this class made (keystore and password files included) goes with a start that failed.
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  static async #launch(
    options: EmbeddedKafkaOptions,
    where: { lib: string; version: string; ownsDir: boolean; dataDir: string },
  ): Promise<EmbeddedKafka> {
    const { lib, version, ownsDir, dataDir } = where;
    mkdirSync(dataDir, { recursive: true });
    const logDir = join(dataDir, 'kraft-logs');
    // A data folder used before keeps its controller port (the KRaft quorum is recorded in the storage)
    // and, unless another is asked for, its client port.
    const portsFile = join(dataDir, 'gridstream-ports.json');
    const before = existsSync(portsFile)
      ? (JSON.parse(readFileSync(portsFile, 'utf8')) as PortsFile)
      : undefined;
    const port = options.port && options.port > 0 ? options.port : (before?.port ?? (await freePort()));
    const controllerPort = before?.controllerPort ?? (await freePort());
    // A data folder given again keeps its storage: format only a fresh one.
    const formatted = existsSync(join(logDir, 'meta.properties'));
    const scram = options.scram;
    // SCRAM credentials live in the metadata log, written by the format: a folder formatted for another
    // user (or none) would refuse every login, which is better said now than as an auth failure later.
    if (formatted && scram && before?.scramUser !== scram.username) {
      throw new KafkaBrokerError(
        `the Kafka data folder ${dataDir} was formatted ${before?.scramUser ? `for SCRAM user ${before.scramUser}` : 'without a SCRAM user'}, ` +
          `not ${scram.username}: use a fresh folder (leave out --data) or the user it was made with`,
      );
    }
    const saslPort = scram
      ? options.saslPort && options.saslPort > 0
        ? options.saslPort
        : (before?.saslPort ?? (await freePort()))
      : undefined;
    const java = process.env.JAVA ?? 'java';
    const cert = scram ? ensureBrokerCertificate(join(dataDir, 'tls'), java) : undefined;
    const scramUser = scram?.username ?? (formatted ? before?.scramUser : undefined);
    writeFileSync(
      portsFile,
      JSON.stringify({
        port,
        controllerPort,
        ...(saslPort ? { saslPort } : {}),
        ...(scramUser ? { scramUser } : {}),
      } satisfies PortsFile),
    );
    const listeners = [`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${controllerPort}`];
    const advertised = [`PLAINTEXT://127.0.0.1:${port}`];
    const protocols = ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT'];
    const saslProps: string[] = [];
    if (saslPort && cert) {
      listeners.push(`SASL_SSL://127.0.0.1:${saslPort}`);
      advertised.push(`SASL_SSL://127.0.0.1:${saslPort}`);
      protocols.push('SASL_SSL:SASL_SSL');
      const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
      saslProps.push(
        'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
        `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas}`,
        `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas}`,
        'listener.name.sasl_ssl.ssl.keystore.type=PKCS12',
        `listener.name.sasl_ssl.ssl.keystore.location=${cert.keystore}`,
        `listener.name.sasl_ssl.ssl.keystore.password=${cert.password}`,
        `listener.name.sasl_ssl.ssl.key.password=${cert.password}`,
        'listener.name.sasl_ssl.ssl.client.auth=none',
      );
    }
    const props = join(dataDir, 'server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=${listeners.join(',')}`,
        `advertised.listeners=${advertised.join(',')}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        `listener.security.protocol.map=${protocols.join(',')}`,
        ...saslProps,
        `log.dirs=${logDir}`,
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=4',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        // A missing topic is an error the commands name, never created by a typo.
        'auto.create.topics.enable=false',
        'num.partitions=2',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // It holds the keystore password with a SCRAM listener: readable by this user only (the mode above
    // applies to a new file; a data folder used again may hold an older one).
    chmodSync(props, 0o600);
    const classPath = join(lib, '*');
    // The user is added for both mechanisms: a client picks either. StorageTool gets its arguments in an
    // argument file of this user's only (the java launcher expands `@file` into the main class and its
    // arguments), so the password is never on a command line that `ps` shows; deleted once it ran.
    const formatArgs = [
      'kafka.tools.StorageTool',
      'format',
      '--ignore-formatted',
      '-t',
      kraftClusterId(),
      '-c',
      props,
      ...(scram
        ? ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
            '--add-scram',
            `${m}=[name=${scram.username},password=${scram.password}]`,
          ])
        : []),
    ];
    const argFile = join(dataDir, '.format-args');
    let format: { error?: Error; status: number | null; stdout: string; stderr: string } = {
      status: 0,
      stdout: '',
      stderr: '',
    };
    if (!formatted) {
      // Quoted, backslashes doubled: the argument file's own syntax (passwords have no `"`: checked above).
      const quoted = (a: string): string => `"${a.replaceAll('\\', '\\\\')}"`;
      writeFileSync(argFile, `${formatArgs.map(quoted).join('\n')}\n`, { mode: 0o600 });
      chmodSync(argFile, 0o600);
      format = spawnSync(java, ['-cp', classPath, `@${argFile}`], { encoding: 'utf8' });
    }
    rmSync(argFile, { force: true });
    if (format.error || format.status !== 0) {
      throw new KafkaBrokerError(
        `Kafka's StorageTool could not format ${logDir} (${format.error?.message ?? `exit code ${format.status}`}; ` +
          `Java 17+ is needed as \`${java}\`):\n${format.stdout ?? ''}${format.stderr ?? ''}`.trim(),
      );
    }
    const heap = options.heapMb ?? 512;
    const child = spawn(
      java,
      [
        `-Xmx${heap}m`,
        `-Xms${Math.min(heap, 128)}m`,
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.awt.headless=true',
        '-cp',
        classPath,
        'kafka.Kafka',
        props,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const broker = new EmbeddedKafka(
      child,
      port,
      dataDir,
      ownsDir,
      version,
      saslPort && cert ? { port: saslPort, caFile: cert.caFile } : undefined,
    );
    // The broker must not outlive this process (a crashed test run, Ctrl-C).
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
    try {
      await broker.#waitReady(options.startTimeoutMs ?? 120_000);
      if (options.topics && Object.keys(options.topics).length > 0) await broker.createTopics(options.topics);
    } catch (err) {
      await broker.stop();
      throw err;
    }
    return broker;
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const kafka = createKafkaTransport({ brokers: [this.brokers], connectionTimeoutMs: 1000 });
    let last: unknown;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new KafkaBrokerError(
          `the Kafka broker exited during start (port ${this.port} taken?):\n${this.#output}`.trim(),
        );
      }
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.existingTopics(['__probe']);
        return;
      } catch (err) {
        last = err;
      } finally {
        await admin.disconnect();
      }
      await delay(250);
    }
    throw new KafkaBrokerError(
      `the Kafka broker on ${this.brokers} did not answer within ${timeoutMs} ms: ${(last as Error)?.message ?? ''}`,
    );
  }

  /**
   * Creates topics that do not exist yet.
   *
   * @param topics - partition count by topic name
   */
  public async createTopics(topics: Readonly<Record<string, number>>): Promise<void> {
    const admin = createKafkaTransport({ brokers: [this.brokers] }).admin();
    await admin.connect();
    try {
      const byCount = new Map<number, string[]>();
      for (const [t, n] of Object.entries(topics)) byCount.set(n, [...(byCount.get(n) ?? []), t]);
      for (const [n, names] of byCount) await admin.createTopics(names, n);
    } finally {
      await admin.disconnect();
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 10 s) and removes a data folder it created. */
  public async stop(): Promise<void> {
    if (!this.exited) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearTimeout(timer);
    }
    if (this.#ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Kills the broker at once (SIGKILL), keeping its data: a crash, for fault tests. */
  public async kill(): Promise<void> {
    if (!this.exited) this.#child.kill('SIGKILL');
    await this.#exited;
  }
}
