import { createWriteStream } from 'node:fs';
import {
  DELIVERY_DEFAULTS,
  DeliveryConfigurationError,
  DeliveryWorker,
  formatDeliverySummary,
  formatStreamStatus,
  parseStreams,
  toEmfLine,
} from '../../stream-processors/delivery/index.js';
import { DEFAULT_LAKE, openLakeStorage } from '../../stream-processors/storage/index.js';
import { type Command, LAKE_OPTION, UsageError } from '../command.js';

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
    verbose: { type: 'boolean', short: 'v', description: 'Print a line per flush' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress lines, only the summary' },
  },
  async run(values) {
    let streams: ReturnType<typeof parseStreams>;
    try {
      streams = parseStreams(String(values.streams ?? 'grid,weather,transactions'));
    } catch (err) {
      if (err instanceof DeliveryConfigurationError) throw new UsageError(err.message);
      throw err;
    }
    const interval = numberOption('buffer-interval', values['buffer-interval']);
    const sizeMb = numberOption('buffer-size', values['buffer-size']);
    const lakeArg = String(values.lake ?? DEFAULT_LAKE);
    const storage = openLakeStorage(lakeArg);
    const metrics = values['metrics-file']
      ? createWriteStream(String(values['metrics-file']), { flags: 'a' })
      : undefined;
    const log = (line: string): void => {
      if (!values.quiet) process.stderr.write(`${line}\n`);
    };
    const worker = await DeliveryWorker.create({
      storage,
      streams,
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
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) process.exit(130);
      log(`deliver: ${sig}: flushing what was read (again to abort)`);
      worker.stop().catch(() => undefined);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = setInterval(() => {
      for (const s of worker.stats().streams) log(`deliver: ${formatStreamStatus(s)}`);
    }, 10_000);
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
      return 0;
    } catch (err) {
      await worker.stop().catch(() => undefined);
      process.stdout.write(`deliver: ${formatDeliverySummary(worker.stats(), storage.location)}\n`);
      throw err;
    } finally {
      clearInterval(progress);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      metrics?.end();
      await storage.close();
    }
  },
};
