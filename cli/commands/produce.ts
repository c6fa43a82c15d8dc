import { randomInt } from 'node:crypto';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { abortOnSignals } from '../../common/abortOnSignals.js';
import type { KafkaConnection } from '../../kafka/index.js';
import { createKinesisClient, endpointFromEnv } from '../../kinesis/kinesisClient.js';
import { PARTITION_KEY_FIELDS } from '../../kinesis/partitionKeys.js';
import { EmbeddedKinesis } from '../../local/EmbeddedKinesis.js';
import { formatCounters, sumCounters } from '../../producers/formatCounters.js';
import { KafkaSink } from '../../producers/kafka/index.js';
import { DEFAULT_REJECT_FILE, SINK_DEFAULTS } from '../../producers/kinesis/constants.js';
import { KinesisSink } from '../../producers/kinesis/KinesisSink.js';
import { RejectWriter } from '../../producers/kinesis/RejectWriter.js';
import type { SinkCounters } from '../../producers/kinesis/types.js';
import { runProducer } from '../../producers/runProducer.js';
import {
  COMPANY_UNIVERSE_SIZE,
  createGenerator,
  ImpossibleRateError,
  InvalidSourceOptionError,
  planRate,
  type RatePlan,
  realtimeRate,
} from '../../producers/sources/index.js';
import { DATASETS, type Dataset, isDataset } from '../../schemas/index.js';
import { type Command, intOption, UsageError } from '../command.js';
import { KAFKA_CONNECTION_OPTIONS, kafkaConnectionOf, transportOf } from '../kafkaOptions.js';

/** Shards per stream the embedded emulator creates when `--shards` is not given. */
const DEFAULT_EMBEDDED_SHARDS = 2;
const TTY_REFRESH_MS = 500;
const LOG_REFRESH_MS = 5_000;

/** Default `--rate` when neither it nor `--speed` is given. */
const DEFAULT_RATE = 100;

interface ProduceConfig {
  readonly datasets: readonly Dataset[];
  /** One plan per dataset: universe, speed, clock (how the rate is reached without repeating keys). */
  readonly plans: readonly RatePlan[];
  readonly rate: number;
  readonly count: number | undefined;
  readonly durationMs: number | undefined;
  readonly seed: number;
  readonly streamTemplate: string;
  readonly aggregate: boolean;
  readonly shards: number | undefined;
  readonly endpoint: string | undefined;
  readonly rejectFile: string;
  readonly deadlineMs: number;
  /** An event not acknowledged this long after it was accepted is written off as expired, ms. */
  readonly giveUpAfterMs: number;
  /** Kafka instead of Kinesis: the connection (topics are named like streams, by `--stream`). */
  readonly kafka: KafkaConnection | undefined;
}

/** What the progress line and the summary read of a sink, Kinesis or Kafka. */
type AnySink = KinesisSink | KafkaSink;

function wholeNumber(name: string, value: unknown): number | undefined {
  const n = intOption(name, value);
  if (n !== undefined && !Number.isInteger(n)) {
    throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseConfig(values: Record<string, unknown>): ProduceConfig {
  const dataset = String(values.dataset ?? 'all');
  if (dataset !== 'all' && !isDataset(dataset)) {
    throw new UsageError(
      `--dataset must be one of ${DATASETS.join(', ')} or all, got ${JSON.stringify(dataset)}`,
    );
  }
  const datasets = dataset === 'all' ? DATASETS : [dataset];
  const count = wholeNumber('count', values.count);
  const duration = intOption('duration', values.duration);
  if (count !== undefined && duration !== undefined)
    throw new UsageError('give --count or --duration, not both');
  const streamTemplate = String(values.stream ?? '{dataset}');
  if (datasets.length > 1 && !streamTemplate.includes('{dataset}')) {
    throw new UsageError(
      `--stream ${JSON.stringify(streamTemplate)} would send every dataset to one stream; include {dataset} in it`,
    );
  }
  const shards = wholeNumber('shards', values.shards);
  if (shards === 0) throw new UsageError('--shards must be at least 1, got "0"');
  const speed = intOption('speed', values.speed);
  if (speed === 0) throw new UsageError('--speed must be above 0, got "0"');
  const askedRate = intOption('rate', values.rate);
  if (askedRate === 0 && speed !== undefined) {
    throw new UsageError(
      '--speed needs a rate: --rate 0 sends as fast as Kinesis takes them, at no set speed',
    );
  }
  const universes: Partial<Record<Dataset, number>> = {
    grid: wholeNumber('resource-nodes', values['resource-nodes']),
    weather: wholeNumber('stations', values.stations),
    transactions: wholeNumber('books', values.books),
  };
  const plans = datasets.map((d) => {
    const universe = universes[d];
    // Without --rate: --speed sets it (the universe's real-time rate × speed), else the default rate.
    const rate =
      askedRate ??
      (speed !== undefined ? realtimeRate(d, universe ?? COMPANY_UNIVERSE_SIZE[d]) * speed : DEFAULT_RATE);
    try {
      return planRate(d, {
        rate,
        ...(speed !== undefined ? { speed } : {}),
        ...(universe !== undefined ? { universe } : {}),
        ...(count !== undefined ? { count } : {}),
      });
    } catch (err) {
      if (err instanceof ImpossibleRateError || err instanceof InvalidSourceOptionError) {
        throw new UsageError(err.message);
      }
      throw err;
    }
  });
  return {
    datasets,
    plans,
    rate: askedRate ?? DEFAULT_RATE,
    count,
    durationMs: duration === undefined ? undefined : duration * 1000,
    seed: wholeNumber('seed', values.seed) ?? randomInt(1, 2 ** 31 - 1),
    streamTemplate,
    aggregate: values['no-aggregate'] !== true,
    shards,
    endpoint: typeof values.endpoint === 'string' ? values.endpoint : endpointFromEnv(),
    rejectFile: String(values['reject-file'] ?? DEFAULT_REJECT_FILE),
    deadlineMs: intOption('deadline', values.deadline, 30) * 1000,
    giveUpAfterMs:
      intOption('give-up-after', values['give-up-after'], SINK_DEFAULTS.recordTtlMs / 1000) * 1000,
    kafka: transportOf(values.transport) === 'kafka' ? kafkaConnectionOf(values) : undefined,
  };
}

function dueAt(plan: RatePlan): { dueAtMs?: (event: { readonly produced_at: number }) => number } {
  const due = plan.dueAtMs(Date.now());
  return due ? { dueAtMs: due } : {};
}

/** Makes sure every stream exists on an external endpoint; creates it only when `--shards` was given. */
async function ensureStreams(client: KinesisClient, streams: readonly string[], shards: number | undefined) {
  for (const name of streams) {
    try {
      await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      continue;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      if (shards === undefined) {
        throw new UsageError(
          `stream ${name} does not exist at the endpoint; create it or pass --shards N to create it`,
        );
      }
    }
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    for (let i = 0; ; i++) {
      const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (i > 600) throw new Error(`stream ${name} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Prints the live status line: rewritten in place on a terminal, a line every few seconds otherwise. */
function startProgress(sinks: readonly AnySink[], started: number): () => void {
  const tty = process.stderr.isTTY === true;
  const line = () => {
    const elapsed = performance.now() - started;
    const c = sumCounters(sinks.map((s) => s.counters));
    const lastError = sinks
      .map((s) => s.lastError)
      .filter((e) => e !== undefined)
      .sort((a, b) => b.at - a.at)[0];
    return `[${(elapsed / 1000).toFixed(1)}s] ${formatCounters(sinks.length > 1 ? 'all' : sinks[0]!.dataset, c, elapsed, lastError)}`;
  };
  const timer = setInterval(
    () => process.stderr.write(tty ? `\r\x1b[K${line()}` : `${line()}\n`),
    tty ? TTY_REFRESH_MS : LOG_REFRESH_MS,
  );
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) process.stderr.write('\r\x1b[K');
  };
}

async function produce(config: ProduceConfig): Promise<number> {
  const streams = config.datasets.map((d) => config.streamTemplate.replaceAll('{dataset}', d));
  let embedded: EmbeddedKinesis | undefined;
  let client: KinesisClient | undefined;
  let sinks: AnySink[] = [];
  const rejects = new RejectWriter(config.rejectFile);
  if (config.kafka) {
    const connection = config.kafka;
    const kafkaSinks: KafkaSink[] = [];
    // A broker that is down, a missing topic or a missing IAM signer is an error before anything is
    // generated.
    try {
      config.datasets.forEach((dataset, i) => {
        kafkaSinks.push(
          new KafkaSink({
            dataset,
            topic: streams[i]!,
            connection,
            rejectWriter: rejects,
            recordTtlMs: config.giveUpAfterMs,
          }),
        );
      });
      await Promise.all(kafkaSinks.map((s) => s.connect()));
    } catch (err) {
      await Promise.all(kafkaSinks.map((s) => s.close({ deadlineMs: 100 })));
      await rejects.close();
      throw err;
    }
    sinks = kafkaSinks;
  } else if (config.endpoint) {
    client = createKinesisClient({ endpoint: config.endpoint });
    await ensureStreams(client, streams, config.shards);
  } else {
    const shards = config.shards ?? DEFAULT_EMBEDDED_SHARDS;
    embedded = await EmbeddedKinesis.start({
      streams: Object.fromEntries(streams.map((s) => [s, shards])),
    });
    client = embedded.client;
    process.stderr.write(
      `gridstream produce: embedded Kinesis at ${embedded.endpoint} (in memory: the events vanish when this command exits; set AWS_ENDPOINT_URL_KINESIS or --endpoint to keep them)\n`,
    );
  }
  if (!config.kafka) {
    const kinesis = client!;
    sinks = config.datasets.map(
      (dataset, i) =>
        new KinesisSink({
          dataset,
          streamName: streams[i]!,
          client: kinesis,
          aggregate: config.aggregate,
          rejectWriter: rejects,
          recordTtlMs: config.giveUpAfterMs,
        }),
    );
  }
  const controller = new AbortController();
  const dispose = abortOnSignals(controller, {
    onFirst: (signal) =>
      process.stderr.write(
        `\n${signal}: stopping; sending what is buffered (up to ${config.deadlineMs / 1000}s). Press Ctrl-C again to quit now.\n`,
      ),
  });
  for (const plan of config.plans) process.stderr.write(`gridstream produce: ${plan.description}\n`);
  const started = performance.now();
  const stopProgress = startProgress(sinks, started);
  let error: unknown;
  const totals: SinkCounters[] = [];
  try {
    const runs = sinks.map((sink, i) =>
      runProducer({
        generator: createGenerator(config.datasets[i]!, {
          ...config.plans[i]!.generatorOptions,
          seed: config.seed,
          clock: config.plans[i]!.clock(),
        }),
        sink,
        // Each batch goes out when its simulated time comes on the speed-scaled wall clock.
        rate: 0,
        ...dueAt(config.plans[i]!),
        ...(config.count === undefined ? {} : { count: config.count }),
        ...(config.durationMs === undefined ? {} : { durationMs: config.durationMs }),
        signal: controller.signal,
      }).catch((err: unknown) => {
        // One dataset failing stops the others: the run is over either way.
        error ??= err;
        controller.abort(err);
      }),
    );
    await Promise.all(runs);
  } finally {
    stopProgress();
    totals.push(...(await Promise.all(sinks.map((sink) => sink.close({ deadlineMs: config.deadlineMs })))));
    await rejects.close();
    dispose();
    if (embedded) await embedded.stop();
    else client?.destroy();
  }
  const elapsed = performance.now() - started;
  const out: string[] = [];
  config.datasets.forEach((d, i) => {
    out.push(`  ${formatCounters(`${d} -> ${streams[i]}`, totals[i]!, elapsed)}`);
  });
  const total = sumCounters(totals);
  const target = config.count === undefined ? '' : ` of ${config.count * config.datasets.length}`;
  out.unshift(
    `gridstream produce: sent ${total.sent}${target} events in ${(elapsed / 1000).toFixed(elapsed < 10_000 ? 2 : 1)}s ` +
      `(${Math.round((total.sent * 1000) / elapsed)}/s; seed ${config.seed}, ${config.kafka ? `Kafka at ${config.kafka.brokers.join(',')}` : config.aggregate ? 'aggregated' : 'not aggregated'}); ` +
      `retried ${total.retried}, throttled ${total.throttled}, expired ${total.expired}, rejected ${total.rejected}, failed ${total.failed}`,
  );
  const lastError = sinks
    .map((s) => s.lastError)
    .filter((e) => e !== undefined)
    .sort((a, b) => b.at - a.at)[0];
  if (lastError && (total.expired > 0 || total.failed > 0))
    out.push(`  last ${config.kafka ? 'Kafka' : 'Kinesis'} error: ${lastError.error}`);
  if (rejects.written > 0) out.push(`  ${rejects.written} events written to ${config.rejectFile}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (error) throw error;
  const allSent = config.count === undefined || totals.every((t) => t.sent === config.count);
  return allSent && total.expired === 0 && total.failed === 0 ? 0 : 1;
}

/** `gridstream produce`: stream synthetic events of one or all datasets into Kinesis. */
export const command: Command = {
  name: 'produce',
  summary: 'Stream synthetic grid, weather and transactions events into Kinesis (KPL-style sink)',
  usage:
    '[--dataset grid|weather|transactions|all] [--rate N] [--speed X] [--resource-nodes N] [--stations N] [--books N] [--count N | --duration S] [--seed N] [--stream NAME] [--no-aggregate] [--shards N] [--endpoint URL] [--reject-file PATH] [--transport kinesis|kafka --brokers LIST [--tls] [--sasl MECH]]',
  options: {
    transport: {
      type: 'string',
      valueName: 'NAME',
      default: 'kinesis',
      description: 'kinesis, or kafka (topics named by --stream; needs --brokers or KAFKA_BROKERS)',
    },
    ...KAFKA_CONNECTION_OPTIONS,
    dataset: {
      type: 'string',
      valueName: 'NAME',
      default: 'all',
      description: 'grid, weather, transactions or all',
    },
    rate: {
      type: 'string',
      valueName: 'N',
      description: `Events per second per dataset; 0 = as fast as Kinesis takes them (default ${DEFAULT_RATE}, or the universe's real-time rate × --speed)`,
    },
    speed: {
      type: 'string',
      valueName: 'X',
      description:
        'Simulated time runs X× the wall clock (default: chosen from the rate and the key universe, printed)',
    },
    'resource-nodes': {
      type: 'string',
      valueName: 'N',
      description: 'grid key universe: resource nodes priced besides 7 hubs and 8 load zones (0..2000)',
    },
    stations: {
      type: 'string',
      valueName: 'N',
      description: 'weather key universe: stations per location of the 11 Texas locations (1..20)',
    },
    books: {
      type: 'string',
      valueName: 'N',
      description: 'transactions key universe: books (desks) trading, 120 trade events a day each (1..10000)',
    },
    count: {
      type: 'string',
      valueName: 'N',
      description: 'Send exactly N valid events per dataset, then exit',
    },
    duration: {
      type: 'string',
      valueName: 'S',
      description: 'Run for S seconds, then exit (default: until Ctrl-C)',
    },
    seed: {
      type: 'string',
      valueName: 'N',
      description:
        'Generator seed; the same seed gives the same events and event_ids (default: random, printed)',
    },
    stream: {
      type: 'string',
      valueName: 'NAME',
      default: '{dataset}',
      description: 'Stream name; {dataset} is replaced by the dataset',
    },
    'no-aggregate': {
      type: 'boolean',
      description: 'Send one Kinesis record per event (no KPL aggregation)',
    },
    shards: {
      type: 'string',
      valueName: 'N',
      description: `Shards per stream: embedded streams (default ${DEFAULT_EMBEDDED_SHARDS}), or creates missing streams at --endpoint`,
    },
    endpoint: {
      type: 'string',
      valueName: 'URL',
      description: 'Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS, else the embedded emulator)',
    },
    'reject-file': {
      type: 'string',
      valueName: 'PATH',
      default: DEFAULT_REJECT_FILE,
      description: 'JSON lines of rejected/expired/failed events (created only when needed)',
    },
    'give-up-after': {
      type: 'string',
      valueName: 'S',
      default: String(SINK_DEFAULTS.recordTtlMs / 1000),
      description:
        'Retry an event Kinesis does not acknowledge (an outage) this long, then write it to the reject file as expired',
    },
    deadline: {
      type: 'string',
      valueName: 'S',
      default: '30',
      description: 'On exit or Ctrl-C, time to send what is buffered',
    },
  },
  details: `
Where events go: with --endpoint or AWS_ENDPOINT_URL_KINESIS (e.g. a running emulator, or
https://kinesis.<region>.amazonaws.com with the default credential chain) the streams at that endpoint
are used. Otherwise an embedded Kinesis emulator starts inside this process: the events vanish when the
command exits, so use it to try the producer; run \`gridstream up\` or an emulator for the pipeline.

Keys and time: a generator never sends two events with one natural key (grid: point or zone,
market, interval; weather: location, valid time, issue time; trades: trade_id + version) except an
ERCOT price correction (version 2). Event time is simulated: it starts at now and advances one batch
(grid: a 5-minute step with the 15-minute and hourly intervals starting then; weather: an hour) per
batch sent. A rate is reached by a key universe (--resource-nodes, --stations, --books; by default
the widest needed, from a real company's day up) and a speed (--speed; by default what makes up the
rest): both are printed, e.g. "grid: 200 events/s asked = 2015 settlement points … at 21× speed".
With --speed above 1 simulated time runs ahead of the wall clock. --rate 0 (with --count) advances
simulated time as fast as Kinesis takes the events. A combination that could only be met by
repeating keys (e.g. --speed 1 with a rate above the widest universe's real-time rate, or a fixed
universe and speed below the rate) is refused with exit code 2.

Partition keys: grid by ${PARTITION_KEY_FIELDS.grid}, weather by ${PARTITION_KEY_FIELDS.weather},
transactions by ${PARTITION_KEY_FIELDS.transactions} (per-key order; see docs/ARCHITECTURE.md).
Delivery is at least once: consumers de-duplicate on event_id.

Outages: an event Kinesis does not acknowledge is retried (waits of up to 5 s) for --give-up-after
seconds, then written to the reject file as expired; the progress line shows the last error while
"retried" climbs (e.g. "last error ECONNREFUSED (12 s ago)").
Exit code: 0 when every event was acknowledged (with --count: exactly N per dataset), 1 when some
expired or failed (they are in the reject file; the last Kinesis error is printed), 2 on bad options,
130/143 on a second Ctrl-C/SIGTERM (no flush).
Environment: AWS_REGION, AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL, GRIDSTREAM_METRICS=emf (CloudWatch
EMF metrics on stdout).

Kafka (--transport kafka): events go to one topic per dataset (named by --stream, default the dataset)
on the brokers of --brokers or KAFKA_BROKERS, keyed by the same partition keys, through an idempotent
producer (acks=all, gzip). The topics must exist (\`gridstream kafka\` creates them locally).

Examples:
  gridstream produce --dataset grid --rate 500 --duration 60
  gridstream produce --dataset grid --speed 60 --resource-nodes 500 --duration 60
  AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 gridstream produce --count 10000 --rate 0 --shards 4
  gridstream produce --dataset transactions --stream test-{dataset} --no-aggregate --count 100`,
  run(values) {
    return produce(parseConfig(values));
  },
};
