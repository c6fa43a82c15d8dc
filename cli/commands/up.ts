import { abortOnSignals, EXIT_CODES } from '../../common/index.js';
import { DEFAULT_LAKE } from '../../datalake/storage/index.js';
import {
  compactionTask,
  curationTask,
  runUp,
  UP_DEFAULT_BACKFILL_HOURS,
  UP_DEFAULT_COMPACT_EVERY_MS,
  UP_DEFAULT_COMPACT_GRACE_MS,
  UP_DEFAULT_CURATE_EVERY_MS,
  UP_DEFAULT_RATES,
  UP_DEFAULT_SHARDS,
  UP_DEFAULT_SPEED,
  type UpScheduledTask,
} from '../../local/index.js';
import { ImpossibleRateError, InvalidSourceOptionError } from '../../producers/sources/index.js';
import type { Dataset } from '../../schemas/index.js';
import { DELIVERY_DEFAULTS, formatCount, formatFreshness } from '../../stream-processors/delivery/index.js';
import { type Command, intOption, LAKE_OPTION, UsageError } from '../command.js';
import { KAFKA_CONNECTION_OPTIONS, kafkaConnectionOf, transportOf } from '../kafkaOptions.js';

function fmtRate(r: number): string {
  return r >= 1 ? String(Math.round(r * 100) / 100) : r.toPrecision(2);
}

/** `gridstream up` (= `npm start`): the whole local pipeline with a live status. */
export const command: Command = {
  name: 'up',
  summary: 'Run the local pipeline: embedded Kinesis, the three producers, delivery to the lake, live status',
  usage:
    '[--lake DIR] [--speed X] [--grid-rate N] [--weather-rate N] [--transactions-rate N] [--no-backfill | --backfill-hours N] [--shards N] [--duration S] [--buffer-interval S] [--seed N] [--curate-every S] [--compact-every S] [--compact-grace S] [--transport kinesis|kafka [--brokers LIST [--tls] [--sasl MECH]]]',
  details: `
Starts an in-memory Kinesis, first sends the last ${UP_DEFAULT_BACKFILL_HOURS} hours of history (simulated and seeded: a
backfill ending at now, after whatever the lake already holds, with at least one evening scarcity
event above 1,000 $/MWh), then produces synthetic grid, weather and transactions events live, delivers them to the Parquet lake (raw/<dataset>/dt=…/hr=…/) and shows, per dataset, events produced,
delivered, rejected, files, iterator age and freshness. Beside delivery, one scheduler runs local
curation (--curate-every) and compaction of closed hours (--compact-every): an hour's raw partition,
once the hour has ended and --compact-grace has passed, is rewritten into a few large files. Ctrl-C (or --duration) stops the producers,
waits until delivery has written everything they sent, and exits. Then query the lake:
  npx gridstream query "select dt, hr, count(*) from raw_grid group by all order by all"

Defaults look like a real company's day, at speed 1 (event time = the wall clock): grid
${fmtRate(UP_DEFAULT_RATES.grid)} events/s (7 hubs, 8 load zones, 200 resource nodes priced every 5, 15 and 60 minutes, 6
zones' conditions every 15), weather ${fmtRate(UP_DEFAULT_RATES.weather)}/s (11 locations: an observation and 6 forecast horizons an
hour), transactions ${fmtRate(UP_DEFAULT_RATES.transactions)}/s (4 books, 120 trade events a day each). --speed X multiplies them
(simulated time starts at now and runs ahead of the wall clock); a rate given explicitly is reached
by a wider key universe and/or a speed, printed at start, and refused (exit 2) with --speed when it
could only be met by repeating keys.

With --transport kafka the events go through Apache Kafka instead: a local broker (KRaft, Java 17+, its
jars resolved with Maven into .cache/kafka/ on first use) with one topic per dataset of --shards
partitions, or the cluster of --brokers / KAFKA_BROKERS (the topics grid, weather and transactions must
exist there); delivery reads them as consumer group gridstream-up.

Examples:
  npm start
  gridstream up --duration 30 --grid-rate 1000 --lake ./lake-dev --no-backfill
  gridstream up --transport kafka --duration 30 --no-backfill`,
  options: {
    lake: LAKE_OPTION,
    transport: {
      type: 'string',
      valueName: 'NAME',
      default: 'kinesis',
      description: 'kinesis (embedded emulator) or kafka (a local broker, or --brokers)',
    },
    ...KAFKA_CONNECTION_OPTIONS,
    speed: {
      type: 'string',
      description: `Simulated time runs X× the wall clock; the default rates scale with it (default ${UP_DEFAULT_SPEED})`,
      valueName: 'X',
    },
    'grid-rate': {
      type: 'string',
      description: `grid events/s; 0 turns it off (default ${fmtRate(UP_DEFAULT_RATES.grid)} × speed)`,
      valueName: 'N',
    },
    'weather-rate': {
      type: 'string',
      description: `weather events/s; 0 turns it off (default ${fmtRate(UP_DEFAULT_RATES.weather)} × speed)`,
      valueName: 'N',
    },
    'transactions-rate': {
      type: 'string',
      description: `transactions events/s; 0 turns it off (default ${fmtRate(UP_DEFAULT_RATES.transactions)} × speed)`,
      valueName: 'N',
    },
    'no-backfill': { type: 'boolean', description: 'Go live at once, without the history backfill' },
    'backfill-hours': {
      type: 'string',
      description: 'Hours of history to backfill before going live',
      valueName: 'N',
      default: String(UP_DEFAULT_BACKFILL_HOURS),
    },
    shards: {
      type: 'string',
      description: 'Shards per stream',
      valueName: 'N',
      default: String(UP_DEFAULT_SHARDS),
    },
    duration: { type: 'string', description: 'Stop by itself after S seconds', valueName: 'S' },
    'buffer-interval': {
      type: 'string',
      description: 'Delivery buffer interval, seconds',
      valueName: 'S',
      default: String(DELIVERY_DEFAULTS.bufferIntervalMs / 1000),
    },
    seed: { type: 'string', description: 'Generator seed (default: random)', valueName: 'N' },
    'curate-every': {
      type: 'string',
      description: 'Run local curation every S seconds; 0 turns it off',
      valueName: 'S',
      default: String(UP_DEFAULT_CURATE_EVERY_MS / 1000),
    },
    'compact-every': {
      type: 'string',
      description: 'Look for closed raw hours to compact every S seconds; 0 turns compaction off',
      valueName: 'S',
      default: String(UP_DEFAULT_COMPACT_EVERY_MS / 1000),
    },
    'compact-grace': {
      type: 'string',
      description: 'Compact an hour once it ended S seconds ago (late flushes land meanwhile)',
      valueName: 'S',
      default: String(UP_DEFAULT_COMPACT_GRACE_MS / 1000),
    },
  },
  async run(values) {
    const speed = intOption('speed', values.speed, UP_DEFAULT_SPEED);
    if (!(speed > 0)) throw new UsageError(`--speed must be above 0, got ${JSON.stringify(values.speed)}`);
    const rates: Partial<Record<Dataset, number>> = {};
    for (const d of ['grid', 'weather', 'transactions'] as const) {
      const r = intOption(`${d}-rate`, values[`${d}-rate`]);
      if (r !== undefined) rates[d] = r;
    }
    if (Object.keys(rates).length === 3 && Object.values(rates).every((r) => r === 0))
      throw new UsageError('every rate is 0: nothing to produce');
    const backfillHours =
      values['no-backfill'] === true
        ? 0
        : intOption('backfill-hours', values['backfill-hours'], UP_DEFAULT_BACKFILL_HOURS);
    const shards = intOption('shards', values.shards, UP_DEFAULT_SHARDS);
    if (!Number.isInteger(shards) || shards < 1)
      throw new UsageError(`--shards must be a whole number ≥ 1, got ${JSON.stringify(values.shards)}`);
    const duration = intOption('duration', values.duration);
    const interval = intOption('buffer-interval', values['buffer-interval']);
    const seed = intOption('seed', values.seed);
    const curateEvery = intOption('curate-every', values['curate-every'], UP_DEFAULT_CURATE_EVERY_MS / 1000);
    const compactEvery = intOption(
      'compact-every',
      values['compact-every'],
      UP_DEFAULT_COMPACT_EVERY_MS / 1000,
    );
    const compactGrace = intOption(
      'compact-grace',
      values['compact-grace'],
      UP_DEFAULT_COMPACT_GRACE_MS / 1000,
    );
    const scheduledTasks: UpScheduledTask[] = [];
    if (compactEvery > 0)
      scheduledTasks.push(compactionTask({ everyMs: compactEvery * 1000, graceMs: compactGrace * 1000 }));
    if (curateEvery > 0) scheduledTasks.push(curationTask(curateEvery * 1000));
    const lake = String(values.lake ?? DEFAULT_LAKE);
    const transport = transportOf(values.transport);
    const kafka =
      transport === 'kafka' && (typeof values.brokers === 'string' || process.env.KAFKA_BROKERS)
        ? kafkaConnectionOf(values)
        : undefined;
    const controller = new AbortController();
    const dispose = abortOnSignals(controller, {
      onFirst: () =>
        process.stderr.write('\ngridstream up: stopping (Ctrl-C again to abort without flushing)\n'),
    });
    try {
      const r = await runUp({
        lake,
        rates,
        // Only a typed --speed is fixed: a rate given without it picks its own speed.
        ...(values.speed !== undefined ? { speed } : {}),
        backfillHours,
        shards,
        signal: controller.signal,
        ...(duration !== undefined ? { durationMs: duration * 1000 } : {}),
        ...(interval !== undefined ? { bufferIntervalMs: interval * 1000 } : {}),
        ...(seed !== undefined ? { seed } : {}),
        scheduledTasks,
        transport,
        ...(kafka ? { kafka } : {}),
        log: (line) => process.stderr.write(`gridstream up: ${line}\n`),
      });
      const produced = Object.values(r.produced).reduce((a, b) => a + b, 0);
      const t = r.delivery.totals;
      process.stdout.write(
        `gridstream up: produced ${formatCount(produced)} events, delivered ${formatCount(t.delivered)} in ` +
          `${formatCount(t.files)} files, rejected ${formatCount(t.rejected)}, freshness ${formatFreshness(r.delivery.freshness)}` +
          `${r.drained ? '' : ' (delivery had not caught up when it stopped: run `gridstream deliver` to finish)'}\n` +
          `Query it:\n  npx gridstream query${lake === DEFAULT_LAKE ? '' : ` --lake ${lake}`} ` +
          `"select dt, hr, count(*) as events from raw_grid group by all order by all"\n`,
      );
      return r.drained ? EXIT_CODES.ok : EXIT_CODES.failed;
    } catch (err) {
      if (err instanceof ImpossibleRateError || err instanceof InvalidSourceOptionError)
        throw new UsageError(err.message);
      throw err;
    } finally {
      dispose();
    }
  },
};
