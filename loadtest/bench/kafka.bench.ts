// Kafka benchmark: `npm run bench -- kafka`. One run, on one EmbeddedKafka broker and one embedded Kinesis:
//  1. the Kafka sink's events/s (`gridstream produce --transport kafka --rate 0`: generate → validate →
//     serialize → key → batch → kafkajs idempotent producer, acks=all, gzip) beside Kafka's own
//     ProducerPerformance (kafka-tools, the tool behind kafka-producer-perf-test) on the same broker at the
//     same record size, batch size, linger, compression and acks (floor ≥ 0.5×);
//  2. delivery of the same N events (same generator seed) from Kafka and from the embedded Kinesis to the
//     raw zone (`gridstream deliver … --stop-when-caught-up`, events/s to durable Parquet);
//  3. the peak RSS of each of those processes (GNU time's maximum resident set size).
// Every measured step runs as its own process; this one orchestrates, hosts the Kinesis emulator and prints.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silenceSdkNodeVersionWarning } from '../../common/sdkNodeWarning.js';
import { EmbeddedKinesis } from '../../local/EmbeddedKinesis.js';
import { EmbeddedKafka, ensureKafkaJars } from '../../local/kafka/index.js';
import { KAFKA_SINK_DEFAULTS } from '../../producers/kafka/constants.js';
import { createGenerator } from '../../producers/sources/index.js';

silenceSdkNodeVersionWarning();

const EVENTS = Number(process.env.BENCH_KAFKA_EVENTS ?? 200_000);
const PARTITIONS = 4;
const SEED = 31;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const BIN = join(root, 'bin', 'gridstream.js');

interface Measured {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  readonly maxRssMiB: number;
}

/** Runs a command under GNU time; its wall time and peak RSS. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'gridstream-bench-maxrss-kb=%M', cmd, ...args], {
      cwd: root,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = Number(/gridstream-bench-maxrss-kb=(\d+)/.exec(stderr)?.[1] ?? Number.NaN);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, maxRssMiB: kb / 1024 });
    });
  });
}

function mustSucceed(what: string, m: Measured): Measured {
  if (m.code !== 0) throw new Error(`${what} exited with ${m.code}:\n${m.stdout}\n${m.stderr}`);
  return m;
}

/** The average serialized size of the grid events the producer sends (ProducerPerformance's --record-size). */
function recordSize(): number {
  const g = createGenerator('grid', { seed: SEED });
  let bytes = 0;
  for (let i = 0; i < 20_000; i++) bytes += Buffer.byteLength(JSON.stringify(g.next()));
  return Math.round(bytes / 20_000);
}

interface Row {
  readonly measure: string;
  readonly value: number;
  readonly unit: string;
  readonly rssMiB?: number;
  readonly baseline?: number;
  readonly floor?: number;
}

function print(rows: readonly Row[]): boolean {
  const header = ['measure', 'rate', 'unit', 'peak RSS MiB', 'vs baseline', 'floor', 'verdict'];
  const body = rows.map((r) => {
    const ratio = r.baseline ? r.value / r.baseline : undefined;
    const verdict = r.floor === undefined || ratio === undefined ? '' : ratio >= r.floor ? 'PASS' : 'BELOW';
    return [
      r.measure,
      Math.round(r.value).toLocaleString('en-US'),
      r.unit,
      r.rssMiB === undefined ? '' : Math.round(r.rssMiB).toString(),
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      r.floor === undefined ? '' : `>= ${r.floor.toFixed(1)}x`,
      verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
  return body.every((b) => b[6] !== 'BELOW');
}

async function main(): Promise<boolean> {
  const loadStart = loadavg()[0]!.toFixed(1);
  const lib = ensureKafkaJars((l) => process.stdout.write(`${l}\n`));
  const kafka = await EmbeddedKafka.start({
    topics: { 'bench-warmup': PARTITIONS, 'bench-sink': PARTITIONS, 'bench-perf': PARTITIONS },
  });
  const kinesis = await EmbeddedKinesis.start({ streams: { 'bench-grid': PARTITIONS } });
  const lakes = mkdtempSync(join(tmpdir(), 'gridstream-bench-kafka-'));
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  try {
    const size = recordSize();
    const produce = (target: string[], count: number) =>
      measure(
        process.execPath,
        [
          BIN,
          'produce',
          '--dataset',
          'grid',
          '--count',
          String(count),
          '--rate',
          '0',
          '--seed',
          String(SEED),
          '--reject-file',
          join(lakes, 'rejects.jsonl'),
          ...target,
        ],
        env,
      );
    const kafkaTarget = (topic: string) => [
      '--transport',
      'kafka',
      '--brokers',
      kafka.brokers,
      '--stream',
      topic,
    ];
    process.stdout.write(`warming up (20,000 events through the Kafka sink)...\n`);
    mustSucceed('produce (warm-up)', await produce(kafkaTarget('bench-warmup'), 20_000));

    // 1. The sink beside ProducerPerformance, same broker, same settings.
    process.stdout.write(`${EVENTS.toLocaleString('en-US')} events through the Kafka sink...\n`);
    const sink = mustSucceed('produce --transport kafka', await produce(kafkaTarget('bench-sink'), EVENTS));
    const sinkRate = Number(/\((\d+)\/s;/.exec(sink.stdout + sink.stderr)?.[1] ?? Number.NaN);
    process.stdout.write(
      `${EVENTS.toLocaleString('en-US')} records of ${size} B through ProducerPerformance...\n`,
    );
    const perf = mustSucceed(
      'ProducerPerformance',
      await measure('java', [
        '-Xmx512m',
        '-cp',
        join(lib, '*'),
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        'bench-perf',
        '--num-records',
        String(EVENTS),
        '--record-size',
        String(size),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${kafka.brokers}`,
        'acks=all',
        'enable.idempotence=true',
        `linger.ms=${KAFKA_SINK_DEFAULTS.lingerMs}`,
        `batch.size=${KAFKA_SINK_DEFAULTS.maxBatchBytes}`,
        'compression.type=gzip',
      ]),
    );
    const perfRate = Number(/records sent, ([\d.]+) records\/sec/.exec(perf.stdout)?.[1] ?? Number.NaN);

    // 2. The same events (same seed) into the embedded Kinesis, then delivery from each.
    process.stdout.write(`the same ${EVENTS.toLocaleString('en-US')} events into the embedded Kinesis...\n`);
    mustSucceed(
      'produce (Kinesis)',
      await produce(['--endpoint', kinesis.endpoint, '--stream', 'bench-grid'], EVENTS),
    );
    const deliver = (lake: string, source: string[], denv: NodeJS.ProcessEnv) =>
      measure(
        process.execPath,
        [
          BIN,
          'deliver',
          '--lake',
          join(lakes, lake),
          '--stop-when-caught-up',
          '--status-every',
          '3600',
          ...source,
        ],
        denv,
      );
    process.stdout.write('delivering from Kafka...\n');
    const fromKafka = mustSucceed(
      'deliver --source kafka',
      await deliver(
        'kafka',
        ['--source', 'kafka', '--brokers', kafka.brokers, '--topics', 'grid=bench-sink'],
        env,
      ),
    );
    process.stdout.write('delivering from Kinesis...\n');
    const fromKinesis = mustSucceed(
      'deliver (Kinesis)',
      await deliver('kinesis', ['--streams', 'grid=bench-grid'], {
        ...env,
        AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      }),
    );
    const delivered = (m: Measured) =>
      Number(/delivered (\d[\d,]*) events/.exec(m.stdout)?.[1]?.replaceAll(',', '') ?? Number.NaN);
    for (const [name, m] of [
      ['Kafka', fromKafka],
      ['Kinesis', fromKinesis],
    ] as const) {
      if (delivered(m) !== EVENTS)
        throw new Error(`delivery from ${name} delivered ${delivered(m)} of ${EVENTS}:\n${m.stdout}`);
    }

    process.stdout.write(
      `\nkafka benchmark: Node ${process.version}, Apache Kafka ${kafka.version} (EmbeddedKafka, 1 broker, ${PARTITIONS} partitions), ` +
        `${EVENTS.toLocaleString('en-US')} grid events of ${size} B on average, ${cpus().length} cores, load ${loadStart} at start\n` +
        `sink and ProducerPerformance: acks=all, idempotent, linger.ms=${KAFKA_SINK_DEFAULTS.lingerMs}, batch ${KAFKA_SINK_DEFAULTS.maxBatchBytes} B, gzip; ` +
        'delivery: wall time of the process, start to exit, to durable raw Parquet\n\n',
    );
    return print([
      {
        measure: 'ProducerPerformance (kafka-tools, baseline)',
        value: perfRate,
        unit: 'events/s',
        rssMiB: perf.maxRssMiB,
      },
      {
        measure: 'gridstream produce --transport kafka (KafkaSink)',
        value: sinkRate,
        unit: 'events/s',
        rssMiB: sink.maxRssMiB,
        baseline: perfRate,
        floor: 0.5,
      },
      {
        measure: 'deliver from embedded Kinesis (baseline)',
        value: EVENTS / fromKinesis.seconds,
        unit: 'events/s',
        rssMiB: fromKinesis.maxRssMiB,
      },
      {
        measure: 'deliver --source kafka',
        value: EVENTS / fromKafka.seconds,
        unit: 'events/s',
        rssMiB: fromKafka.maxRssMiB,
        baseline: EVENTS / fromKinesis.seconds,
      },
    ]);
  } finally {
    await kinesis.stop();
    await kafka.stop();
    rmSync(lakes, { recursive: true, force: true });
  }
}

process.exitCode = (await main()) ? 0 : 1;
