import {
  DEFAULT_KAFKA_TOPICS,
  DEFAULT_TOPIC_PARTITIONS,
  KAFKA_SASL_PASSWORD_ENV,
} from '../../kafka/index.js';
import { EmbeddedKafka } from '../../local/kafka/index.js';
import { DATASETS } from '../../schemas/index.js';
import { type Command, UsageError } from '../command.js';

/** `gridstream kafka`: one local Apache Kafka broker, for produce/deliver in other processes. */
export const command: Command = {
  name: 'kafka',
  summary: 'Serve a local Apache Kafka broker (KRaft) on 127.0.0.1 for produce/deliver in other terminals',
  usage: '[--port N] [--data DIR] [--partitions N] [--scram-user NAME [--sasl-port N]]',
  details: `
Runs Apache Kafka's own broker (kafka.Kafka in KRaft mode, broker and controller in one JVM; Java 17+)
from the jars the project resolves with Maven into .cache/kafka/ on first use, on 127.0.0.1 until Ctrl-C,
with one topic per dataset (grid, weather, transactions). Prints \`ready 127.0.0.1:PORT\` once it accepts
clients. The data folder is fresh at every start (and removed at the end) unless --data DIR is given.

--scram-user NAME adds a second listener, SASL_SSL (SCRAM-SHA-256 and SCRAM-SHA-512) with that user and
the password from KAFKA_SASL_PASSWORD, behind a self-signed certificate for 127.0.0.1 made with the JDK's
keytool; it prints \`ready-sasl 127.0.0.1:PORT ca=FILE\`. Clients trust FILE through NODE_EXTRA_CA_CERTS.

Examples:
  gridstream kafka
  gridstream kafka --port 9092 --data ./kafka-data
  KAFKA_SASL_PASSWORD=alice-secret gridstream kafka --scram-user alice
In other terminals:
  export KAFKA_BROKERS=127.0.0.1:9092
  gridstream produce --transport kafka --duration 60
  gridstream deliver --source kafka
  NODE_EXTRA_CA_CERTS=FILE KAFKA_SASL_USERNAME=alice KAFKA_SASL_PASSWORD=alice-secret \\
    gridstream produce --transport kafka --brokers 127.0.0.1:SASLPORT --sasl scram-sha-512`,
  options: {
    port: {
      type: 'string',
      description: 'Client port on 127.0.0.1 (0: any free port)',
      valueName: 'N',
      default: '0',
    },
    data: {
      type: 'string',
      description: 'Keep the broker data in this folder (reused when it exists)',
      valueName: 'DIR',
    },
    partitions: {
      type: 'string',
      description: 'Partitions of each dataset topic',
      valueName: 'N',
      default: String(DEFAULT_TOPIC_PARTITIONS),
    },
    'scram-user': {
      type: 'string',
      description: 'Also serve SASL_SSL (SCRAM-SHA-256/512) for this user; password from KAFKA_SASL_PASSWORD',
      valueName: 'NAME',
    },
    'sasl-port': {
      type: 'string',
      description: 'Port of the SASL_SSL listener (0: any free port)',
      valueName: 'N',
      default: '0',
    },
  },
  async run(values) {
    const portText = String(values.port ?? '0');
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new UsageError(
        `--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}`,
      );
    }
    const partText = String(values.partitions ?? DEFAULT_TOPIC_PARTITIONS);
    const partitions = Number(partText);
    if (!/^\d+$/.test(partText) || partitions < 1 || partitions > 1000) {
      throw new UsageError(
        `--partitions must be a whole number from 1 to 1000, got ${JSON.stringify(values.partitions)}`,
      );
    }
    const saslPortText = String(values['sasl-port'] ?? '0');
    const saslPort = Number(saslPortText);
    if (!/^\d+$/.test(saslPortText) || saslPort > 65535) {
      throw new UsageError(
        `--sasl-port must be a whole number from 0 to 65535, got ${JSON.stringify(values['sasl-port'])}`,
      );
    }
    const scramUser = values['scram-user'];
    let scram: { username: string; password: string } | undefined;
    if (typeof scramUser === 'string') {
      const password = process.env[KAFKA_SASL_PASSWORD_ENV];
      if (!password) throw new UsageError(`--scram-user needs the password in ${KAFKA_SASL_PASSWORD_ENV}`);
      scram = { username: scramUser, password };
    }
    let onSignal: (sig: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      onSignal = resolve;
    });
    const listen = (sig: NodeJS.Signals): void => onSignal(sig);
    process.on('SIGINT', listen);
    process.on('SIGTERM', listen);
    const topics = Object.fromEntries(DATASETS.map((d) => [DEFAULT_KAFKA_TOPICS[d], partitions]));
    let broker: EmbeddedKafka;
    try {
      broker = await EmbeddedKafka.start({
        port,
        ...(typeof values.data === 'string' ? { dataDir: values.data } : {}),
        topics,
        ...(scram ? { scram, saslPort } : {}),
        log: (line) => process.stderr.write(`gridstream kafka: ${line}\n`),
      });
    } catch (err) {
      process.off('SIGINT', listen);
      process.off('SIGTERM', listen);
      throw err;
    }
    process.stdout.write(
      `gridstream kafka: Apache Kafka ${broker.version} (KRaft) — topics ${Object.keys(topics).join(', ')} ` +
        `(${partitions} partition${partitions === 1 ? '' : 's'} each); data in ${broker.dataDir}\n` +
        'In other terminals:\n' +
        `  export KAFKA_BROKERS=${broker.brokers}\n` +
        '  npx gridstream produce --transport kafka --duration 60\n' +
        '  npx gridstream deliver --source kafka\n' +
        (broker.saslBrokers
          ? `SASL_SSL (SCRAM-SHA-256/512, user ${scram?.username}) on ${broker.saslBrokers}; ` +
            `trust its certificate with NODE_EXTRA_CA_CERTS=${broker.caFile}\n`
          : '') +
        'Ctrl-C to stop.\n' +
        `ready ${broker.brokers}\n` +
        (broker.saslBrokers ? `ready-sasl ${broker.saslBrokers} ca=${broker.caFile}\n` : ''),
    );
    const signal = await stopped;
    process.off('SIGINT', listen);
    process.off('SIGTERM', listen);
    await broker.stop();
    process.stdout.write(`gridstream kafka: stopped (${signal})\n`);
    return 0;
  },
};
