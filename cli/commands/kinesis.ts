import { writeFileSync } from 'node:fs';
import {
  EMULATOR_RETENTION_DEFAULTS,
  EmbeddedKinesis,
  KINESIS_STATS_FORMAT,
  type KinesisStatsFile,
} from '../../local/index.js';
import { DATASETS, type Dataset } from '../../schemas/index.js';
import { type Command, UsageError } from '../command.js';

/** The port `gridstream kinesis` listens on by default (kinesalite's own default). */
export const KINESIS_DEFAULT_PORT = 4567;
/** Shards per dataset stream by default (as `gridstream up`). */
const DEFAULT_SHARDS = 2;
/**
 * Max open shards across all streams: room for the default streams, `produce --shards N` examples and
 * resharding (a split keeps the parent until it is closed).
 */
const DEFAULT_SHARD_LIMIT = 500;

/**
 * Parses `--shards`: one count for every dataset stream (`4`), or per stream (`grid=2,weather=1`; a
 * name that is not a dataset creates that stream too).
 *
 * @param value - the option's text
 * @returns shard count by stream name
 * @throws UsageError naming the part that is not `name=N` or a whole number ≥ 1
 */
export function parseShards(value: string): Record<string, number> {
  const count = (text: string, part: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1) {
      throw new UsageError(
        `--shards: ${JSON.stringify(part)} is not a whole number ≥ 1 (use N, or stream=N,… e.g. grid=2,weather=1)`,
      );
    }
    return n;
  };
  if (!value.includes('=')) {
    const n = count(value, value);
    return Object.fromEntries(DATASETS.map((d: Dataset) => [d, n]));
  }
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim();
    if (eq < 0 || !/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) {
      throw new UsageError(
        `--shards: ${JSON.stringify(part)} is not stream=N (stream names: letters, digits, _ . -)`,
      );
    }
    out[name] = count(part.slice(eq + 1), part);
  }
  if (Object.keys(out).length === 0) throw new UsageError(`--shards: no stream in ${JSON.stringify(value)}`);
  return out;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a number > 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `gridstream kinesis`: the embedded Kinesis emulator alone, for producers and delivery in other processes. */
export const command: Command = {
  name: 'kinesis',
  summary: 'Serve the embedded Kinesis emulator on 127.0.0.1 for produce/deliver in other terminals',
  usage:
    '[--port N] [--shards grid=2,weather=2,transactions=2 | N] [--retention S] [--retention-mb MB] [--shard-limit N] ' +
    '[--enforce-shard-limits] [--stats FILE]',
  details: `
Serves the in-memory Kinesis emulator that \`gridstream up\` embeds (kinesalite with gridstream's GetRecords
path: true MillisBehindLatest, a bounded retention window) on 127.0.0.1 until Ctrl-C, with one stream per
dataset. Point the other commands at it with the line it prints:
  export AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 AWS_REGION=us-east-1

Records a reader has read past are kept for --retention seconds or until the streams hold --retention-mb
MiB, whichever comes first; records nobody has read yet are kept until everything held reaches 4 × that
size, then the oldest are trimmed, like Kinesis retention (a reader that far behind skips to the oldest
record held). Everything is gone when it stops.

It writes as fast as it can unless --enforce-shard-limits is given: then each shard takes at most 1 MiB/s
and 1,000 records/s (over a sliding 1-second window), as on AWS; records over it get
ProvisionedThroughputExceededException (PutRecords: per record, a partial failure; PutRecord: the call),
so producers retry them and a local run shows where AWS would throttle. The count is printed on stop.

With --stats FILE it also writes on stop, as JSON: records held, records trimmed by retention, and with
--enforce-shard-limits the throttled records in all and per <stream>/<shardId> (the load-test harness
compares those with its shard model).

Examples:
  gridstream kinesis
  gridstream kinesis --port 4568 --shards grid=4,weather=1,transactions=2
  gridstream kinesis --retention 3600 --retention-mb 512
  gridstream kinesis --shards 1 --enforce-shard-limits`,
  options: {
    port: {
      type: 'string',
      description: 'Port on 127.0.0.1 (0: any free port)',
      valueName: 'N',
      default: String(KINESIS_DEFAULT_PORT),
    },
    shards: {
      type: 'string',
      description: 'Streams to create: N shards for each dataset, or stream=N,…',
      valueName: 'LIST',
      default: String(DEFAULT_SHARDS),
    },
    retention: {
      type: 'string',
      description: 'Keep read records this many seconds',
      valueName: 'S',
      default: String(EMULATOR_RETENTION_DEFAULTS.maxAgeMs / 1000),
    },
    'retention-mb': {
      type: 'string',
      description: 'Keep at most this many MiB of read records (4× that in all), all streams together',
      valueName: 'MB',
      default: String(EMULATOR_RETENTION_DEFAULTS.maxBytes / 1024 / 1024),
    },
    'shard-limit': {
      type: 'string',
      description: 'Max open shards across all streams',
      valueName: 'N',
      default: String(DEFAULT_SHARD_LIMIT),
    },
    'enforce-shard-limits': {
      type: 'boolean',
      description: 'Throttle writes past 1 MiB/s and 1,000 records/s per shard, as Kinesis does',
    },
    stats: {
      type: 'string',
      description: 'On stop, write records held, trimmed and throttled (per shard) to FILE as JSON',
      valueName: 'FILE',
    },
  },
  async run(values) {
    const portText = values.port === undefined ? String(KINESIS_DEFAULT_PORT) : String(values.port);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new UsageError(
        `--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}`,
      );
    }
    const streams = parseShards(String(values.shards ?? DEFAULT_SHARDS));
    const maxAgeMs =
      positive('retention', values.retention, EMULATOR_RETENTION_DEFAULTS.maxAgeMs / 1000) * 1000;
    const maxBytes = Math.round(
      positive('retention-mb', values['retention-mb'], EMULATOR_RETENTION_DEFAULTS.maxBytes / 1024 / 1024) *
        1024 *
        1024,
    );
    const shardLimit = positive('shard-limit', values['shard-limit'], DEFAULT_SHARD_LIMIT);
    const shardsWanted = Object.values(streams).reduce((a, b) => a + b, 0);
    if (!Number.isInteger(shardLimit) || shardLimit < shardsWanted) {
      throw new UsageError(
        `--shard-limit must be a whole number ≥ the ${shardsWanted} shards of --shards, got ${JSON.stringify(values['shard-limit'])}`,
      );
    }

    // Listening before anything is printed: a Ctrl-C right after the export line must stop it cleanly.
    let onSignal: (sig: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      onSignal = resolve;
    });
    const listen = (sig: NodeJS.Signals): void => onSignal(sig);
    process.on('SIGINT', listen);
    process.on('SIGTERM', listen);
    const unlisten = (): void => {
      process.off('SIGINT', listen);
      process.off('SIGTERM', listen);
    };
    let kinesis: EmbeddedKinesis;
    try {
      kinesis = await EmbeddedKinesis.start({
        port,
        streams,
        shardLimit,
        retention: { maxAgeMs, maxBytes },
        enforceShardLimits: values['enforce-shard-limits'] === true,
      });
    } catch (err) {
      unlisten();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        process.stderr.write(
          `gridstream kinesis: port ${port} on 127.0.0.1 is in use (another gridstream kinesis?): ` +
            'stop that process or choose another port with --port N (0 picks a free one)\n',
        );
        return 1;
      }
      throw err;
    }
    const list = Object.entries(streams)
      .map(([name, n]) => `${name} (${n} shard${n === 1 ? '' : 's'})`)
      .join(', ');
    const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(b < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
    process.stdout.write(
      `gridstream kinesis: serving Kinesis at ${kinesis.endpoint} — streams ${list}; in memory, ` +
        `keeps ${maxAgeMs / 1000} s or ${mib(maxBytes)} of read records, ${mib(4 * maxBytes)} in all` +
        (kinesis.shardLimits
          ? `; per-shard write limits ${kinesis.shardLimits.recordsPerSecond.toLocaleString('en-US')} records/s and ` +
            `${mib(kinesis.shardLimits.bytesPerSecond)}/s`
          : '') +
        '\n' +
        'In other terminals:\n' +
        `  export AWS_ENDPOINT_URL_KINESIS=${kinesis.endpoint} AWS_REGION=us-east-1\n` +
        '  npx gridstream produce --duration 60\n' +
        '  npx gridstream deliver\n' +
        'Ctrl-C to stop (the records are gone then).\n',
    );
    const signal = await stopped;
    unlisten();
    const s = kinesis.windowStats();
    const limits = kinesis.shardLimitStats();
    await kinesis.stop();
    if (typeof values.stats === 'string' && values.stats !== '') {
      const file: KinesisStatsFile = {
        format: KINESIS_STATS_FORMAT,
        held_records: s.records,
        trimmed_records: s.trimmedRecords,
        throttled_records: limits?.throttledRecords ?? null,
        throttled_by_shard: limits?.throttledByShard ?? null,
      };
      writeFileSync(values.stats, `${JSON.stringify(file, null, 2)}\n`);
    }
    process.stdout.write(
      `gridstream kinesis: stopped (${signal}); held ${s.records.toLocaleString('en-US')} records ` +
        `(${mib(s.bytes)}), trimmed ${s.trimmedRecords.toLocaleString('en-US')} older ones` +
        (limits
          ? `; throttled ${limits.throttledRecords.toLocaleString('en-US')} records over shard limits`
          : '') +
        '\n',
    );
    return 0;
  },
};
