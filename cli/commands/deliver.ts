import { createWriteStream } from 'node:fs';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { abortOnSignals, EXIT_CODES } from '../../common/abortOnSignals.js';
import { GridstreamError } from '../../common/errors.js';
import { checkLakeWritable, DEFAULT_LAKE, openLakeStorage } from '../../datalake/storage/index.js';
import { createKafkaTransport, type KafkaTransport } from '../../kafka/index.js';
import { createKinesisClient, endpointFromEnv } from '../../kinesis/index.js';
import {
  DELIVERY_DEFAULTS,
  DeliveryConfigurationError,
  DeliveryWorker,
  describeSourceError,
  formatDeliverySummary,
  formatStreamStatus,
  KafkaSource,
  parseStreams,
  SourceUnreachableError,
  toEmfLine,
} from '../../stream-processors/delivery/index.js';
import { type Command, LAKE_OPTION, UsageError } from '../command.js';
import { KAFKA_CONNECTION_OPTIONS, kafkaConnectionOf } from '../kafkaOptions.js';

/** Consumer group of `deliver --source kafka` when `--group` is not given. */
const DEFAULT_GROUP = 'gridstream-delivery';

/** How long a `--stop-when-caught-up` run waits out a Kinesis outage before it gives up, s. */
const BOUNDED_GIVE_UP_S = 300;

/** What to set to give `deliver` a Kinesis to read from. */
const ENDPOINT_HINT =
  'set AWS_ENDPOINT_URL_KINESIS to a running emulator (start one with `gridstream kinesis`, which prints ' +
  'its endpoint), or AWS_REGION (with AWS credentials) to read the streams of that AWS region';

/** Kinesis is not configured, or never answered: what to set, before any summary. */
export class KinesisSetupError extends GridstreamError {
  public constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'KinesisSetupError';
  }
}

/**
 * The Kinesis client `deliver` reads with, after checking that the environment names an endpoint or a
 * region (the SDK alone would only say "Region is missing" after the first call).
 */
async function kinesisFromEnv(): Promise<{ client: KinesisClient; where: string }> {
  const endpoint = endpointFromEnv();
  const client = createKinesisClient();
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    client.destroy();
    throw new KinesisSetupError(`no Kinesis endpoint or region is configured: ${ENDPOINT_HINT}`);
  }
  return { client, where: endpoint ?? `AWS Kinesis in ${region}` };
}

function numberOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `gridstream deliver`: the delivery worker alone (Kinesis → Parquet lake), like Firehose. */
export const command: Command = {
  name: 'deliver',
  summary: 'Deliver the Kinesis streams to the Parquet lake (the local Firehose), exactly once',
  usage:
    '[--streams grid,weather,transactions] [--lake DIR|s3://bucket/prefix] [--stop-when-caught-up] ' +
    '[--buffer-interval S] [--buffer-size MB]',
  details: `
Reads every shard of each stream (AWS_ENDPOINT_URL_KINESIS, else AWS_ENDPOINT_URL, else AWS) and writes
Snappy Parquet with the contract's columns to raw/<dataset>/dt=YYYY-MM-DD/hr=HH/, by event time. Bad
records go to errors/<type>/dt=…/hr=…/ as JSON lines. Checkpoints live in the lake (_checkpoints/) and
move only after the objects they cover are durable: stop or kill it at any time and run it again.
Ctrl-C flushes what was read and exits.

Outages: a running deliver retries an unreachable Kinesis for as long as it takes (waits of up to 5 s)
and shows it ("Kinesis unreachable for 42 s: ECONNREFUSED"); with --stop-when-caught-up it gives up
after --give-up-after seconds. A Kinesis that never answered since the start fails after
--connect-timeout seconds with what to set. A lake it cannot write (read-only, full, no permission)
stops it at once with the cause.
Exit codes: 0 done (caught up, or stopped by Ctrl-C with everything read flushed), 1 failed (the cause
is printed), 2 bad options or no Kinesis configured, 130/143 a second Ctrl-C/SIGTERM (no flush).

Examples:
  gridstream deliver
  gridstream deliver --streams grid=grid-dev --lake s3://my-bucket/lake --buffer-interval 10
  gridstream deliver --stop-when-caught-up --lake ./lake-dev`,
  options: {
    streams: {
      type: 'string',
      description: 'Datasets to deliver, comma-separated; dataset=stream when the stream is named otherwise',
      valueName: 'LIST',
      default: 'grid,weather,transactions',
    },
    lake: LAKE_OPTION,
    'stop-when-caught-up': {
      type: 'boolean',
      description: 'Exit 0 once every shard is drained and everything read is durable',
    },
    'buffer-interval': {
      type: 'string',
      description: 'Flush a shard’s batch this many seconds after its first record',
      valueName: 'S',
      default: String(DELIVERY_DEFAULTS.bufferIntervalMs / 1000),
    },
    'buffer-size': {
      type: 'string',
      description: 'Flush a shard’s batch once it holds this many MiB of JSON',
      valueName: 'MB',
      default: String(DELIVERY_DEFAULTS.bufferSizeBytes / 1024 / 1024),
    },
    'metrics-file': {
      type: 'string',
      description: 'Append per-flush metrics (CloudWatch EMF JSON lines) to this file',
      valueName: 'FILE',
    },
    'give-up-after': {
      type: 'string',
      description: `Give up once Kinesis has been unreachable this many seconds (default: never; ${BOUNDED_GIVE_UP_S} with --stop-when-caught-up)`,
      valueName: 'S',
    },
    'connect-timeout': {
      type: 'string',
      description: 'Fail when Kinesis has not answered once this many seconds after the start',
      valueName: 'S',
      default: String(DELIVERY_DEFAULTS.sourceNeverReachedGiveUpMs / 1000),
    },
    'status-every': {
      type: 'string',
      description: 'Print a status line per stream this often, seconds',
      valueName: 'S',
      default: '10',
    },
    source: {
      type: 'string',
      valueName: 'NAME',
      default: 'kinesis',
      description: 'kinesis, or kafka (topics through a consumer group; needs --brokers or KAFKA_BROKERS)',
    },
    topics: {
      type: 'string',
      valueName: 'LIST',
      description:
        'With --source kafka: datasets to deliver, dataset=topic when the topic is named otherwise',
    },
    group: {
      type: 'string',
      valueName: 'ID',
      default: DEFAULT_GROUP,
      description: 'With --source kafka: consumer group the delivery processes of one lake share',
    },
    ...KAFKA_CONNECTION_OPTIONS,
    verbose: { type: 'boolean', short: 'v', description: 'Print a line per flush' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress lines, only the summary' },
  },
  async run(values) {
    const sourceName = String(values.source ?? 'kinesis');
    if (sourceName !== 'kinesis' && sourceName !== 'kafka') {
      throw new UsageError(`--source must be kinesis or kafka, got ${JSON.stringify(values.source)}`);
    }
    const kafka = sourceName === 'kafka' ? kafkaConnectionOf(values) : undefined;
    if (!kafka && values.topics !== undefined) throw new UsageError('--topics needs --source kafka');
    const groupId = String(values.group ?? DEFAULT_GROUP);
    let streams: ReturnType<typeof parseStreams>;
    try {
      streams = parseStreams(String(values.topics ?? values.streams ?? 'grid,weather,transactions'));
    } catch (err) {
      if (err instanceof DeliveryConfigurationError) throw new UsageError(err.message);
      throw err;
    }
    const interval = numberOption('buffer-interval', values['buffer-interval']);
    const sizeMb = numberOption('buffer-size', values['buffer-size']);
    const giveUpAfter =
      numberOption('give-up-after', values['give-up-after']) ??
      (values['stop-when-caught-up'] ? BOUNDED_GIVE_UP_S : Number.POSITIVE_INFINITY);
    const connectTimeout =
      numberOption('connect-timeout', values['connect-timeout']) ??
      DELIVERY_DEFAULTS.sourceNeverReachedGiveUpMs / 1000;
    const statusEveryMs = Math.max(100, (numberOption('status-every', values['status-every']) ?? 10) * 1000);
    const lakeArg = String(values.lake ?? DEFAULT_LAKE);
    let kinesis: Awaited<ReturnType<typeof kinesisFromEnv>>;
    try {
      kinesis = kafka
        ? {
            client: { destroy: () => undefined } as unknown as KinesisClient,
            where: `Kafka at ${kafka.brokers.join(',')}`,
          }
        : await kinesisFromEnv();
    } catch (err) {
      if (err instanceof KinesisSetupError) {
        process.stderr.write(`gridstream deliver: ${err.message}\n`);
        return EXIT_CODES.usage;
      }
      throw err;
    }
    const storage = openLakeStorage(lakeArg);
    try {
      // A lake it cannot write fails now, naming the cause, not after the first batch was read.
      await checkLakeWritable(storage);
    } catch (err) {
      kinesis.client.destroy();
      await storage.close().catch(() => undefined);
      throw err;
    }
    const metrics = values['metrics-file']
      ? createWriteStream(String(values['metrics-file']), { flags: 'a' })
      : undefined;
    const log = (line: string): void => {
      if (!values.quiet) process.stderr.write(`${line}\n`);
    };
    let transport: KafkaTransport | undefined;
    try {
      transport = kafka ? createKafkaTransport(kafka) : undefined;
    } catch (err) {
      await storage.close().catch(() => undefined);
      throw err;
    }
    const worker = await DeliveryWorker.create({
      storage,
      streams,
      ...(transport
        ? {
            source: (ctx) =>
              new KafkaSource({
                kafka: transport,
                topic: ctx.stream,
                groupId,
                health: ctx.health,
                retrier: ctx.retrier,
                ...(ctx.onPartitionsChanged ? { onPartitionsChanged: ctx.onPartitionsChanged } : {}),
                now: Date.now,
              }),
          }
        : { kinesis: kinesis.client }),
      sourceGiveUpAfterMs: giveUpAfter * 1000,
      sourceNeverReachedGiveUpMs: connectTimeout * 1000,
      ...(interval !== undefined ? { bufferIntervalMs: interval * 1000 } : {}),
      ...(sizeMb !== undefined ? { bufferSizeBytes: Math.max(1, Math.round(sizeMb * 1024 * 1024)) } : {}),
      onWarning: (m) => log(`deliver: warning: ${m}`),
      onLease: (m) => log(`deliver: ${m}`),
      ...(metrics ? { onMetric: (m) => metrics.write(`${toEmfLine(m)}\n`) } : {}),
      ...(values.verbose
        ? {
            onFlush: (f) =>
              log(
                `deliver: flushed ${f.stream}/${f.shardId} ${f.rows} rows, ${f.errors} errors, ` +
                  `${f.dataObjects.length + f.errorObjects.length} objects${f.replayed ? ' (replayed)' : ''}`,
              ),
          }
        : {}),
    });
    const controller = new AbortController();
    const dispose = abortOnSignals(controller, {
      onFirst: (sig) => {
        log(`deliver: ${sig}: flushing what was read (again to abort)`);
        worker.stop().catch(() => undefined);
      },
    });
    const progress = setInterval(() => {
      for (const s of worker.stats().streams) log(`deliver: ${formatStreamStatus(s)}`);
    }, statusEveryMs);
    progress.unref();
    try {
      await worker.start();
      log(
        `deliver: reading ${streams.map((s) => s.streamName ?? s.dataset).join(', ')} into ${storage.location}`,
      );
      if (values['stop-when-caught-up']) {
        await Promise.race([worker.waitUntilDrained(), worker.done]);
        await worker.stop();
      }
      await worker.done;
      process.stdout.write(`deliver: ${formatDeliverySummary(worker.stats(), storage.location)}\n`);
      return EXIT_CODES.ok;
    } catch (err) {
      await worker.stop().catch(() => undefined);
      if (err instanceof SourceUnreachableError && !err.reached) {
        // Nothing was read: no summary, but where it looked and what to set.
        throw new KinesisSetupError(
          `${kinesis.where} did not answer in ${Math.round(err.unreachableMs / 1000)} s ` +
            `(${describeSourceError(err.cause)}): is the emulator running? ${ENDPOINT_HINT}`,
          err,
        );
      }
      process.stdout.write(`deliver: ${formatDeliverySummary(worker.stats(), storage.location)}\n`);
      throw err;
    } finally {
      clearInterval(progress);
      dispose();
      metrics?.end();
      kinesis.client.destroy();
      await storage.close();
    }
  },
};
