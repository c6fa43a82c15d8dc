import { randomInt } from 'node:crypto';
import { type ScheduledTask, scheduleTasks, type TaskSchedule, type TaskStatus } from '../common/index.js';
import {
  checkLakeWritable,
  DEFAULT_LAKE,
  type LakeStorage,
  openLakeStorage,
} from '../datalake/storage/index.js';
import { createKafkaTransport, type KafkaConnection } from '../kafka/index.js';
import { KafkaSink } from '../producers/kafka/KafkaSink.js';
import { KinesisSink } from '../producers/kinesis/KinesisSink.js';
import { runProducer } from '../producers/runProducer.js';
import {
  COMPANY_UNIVERSE_SIZE,
  createGenerator,
  planRate,
  type RatePlan,
  realtimeRate,
} from '../producers/sources/index.js';
import { DATASETS, type Dataset } from '../schemas/index.js';
import { lakeCompactionTask, runCuration } from '../stream-processors/curation/index.js';
import {
  type DeliveryStats,
  DeliveryWorker,
  formatCount,
  formatFreshness,
  formatMs,
  formatOutage,
  KafkaSource,
} from '../stream-processors/delivery/index.js';
import { EmbeddedKinesis } from './EmbeddedKinesis.js';
import { EmbeddedKafka } from './kafka/EmbeddedKafka.js';
import { backfillSource, lakeCoveredUntil, nextBatchAfter } from './lakeHistory.js';

/** Speed of `up`'s live producers by default: real time (event time = the wall clock). */
export const UP_DEFAULT_SPEED = 1;

/**
 * Events per second each producer sends by default: the real-time rate of a real company's key
 * universe (`COMPANY_UNIVERSE`): grid 3,679 an hour (1.02/s: 215 points at 5, 15 and 60 minutes, 6
 * zones' conditions at 15), weather 77 an hour (0.021/s: 11 locations, an observation and 6 forecast
 * horizons), transactions 480 a day (0.0056/s: 4 books).
 */
export const UP_DEFAULT_RATES: Readonly<Record<Dataset, number>> = {
  grid: realtimeRate('grid', COMPANY_UNIVERSE_SIZE.grid),
  weather: realtimeRate('weather', COMPANY_UNIVERSE_SIZE.weather),
  transactions: realtimeRate('transactions', COMPANY_UNIVERSE_SIZE.transactions),
};

/** Hours of history `up` backfills (simulated, seeded) before going live. */
export const UP_DEFAULT_BACKFILL_HOURS = 24;

/** Shards per stream of the embedded Kinesis. */
export const UP_DEFAULT_SHARDS = 2;
/** How long shutdown waits for delivery to catch up with what was produced. */
const DRAIN_DEADLINE_MS = 60_000;
/** How long the producers may take to send what they buffered at shutdown. */
const SINK_CLOSE_DEADLINE_MS = 10_000;

/**
 * Work `gridstream up` runs on a schedule beside delivery, e.g. local curation of the raw zone and
 * compaction of its closed hours. All tasks share one scheduler ({@link scheduleTasks}): runs never
 * overlap; the last runs happen after delivery has flushed, so they see every event.
 */
export type UpScheduledTask = ScheduledTask<{ readonly lake: LakeStorage }>;

/** How often `gridstream up` curates the raw zone by default. */
export const UP_DEFAULT_CURATE_EVERY_MS = 60_000;

/**
 * Local curation as a scheduled task of `gridstream up`: each run curates the raw partitions that
 * changed since the last run (`runCuration`, the same SQL the Glue jobs run), skipping a run while a
 * manual `gridstream curate` holds the lake's lock. Curation runs on DuckDB over a local lake; an
 * `s3://` lake is curated by the Glue jobs instead.
 *
 * @param everyMs - interval between the end of one run and the start of the next
 */
export function curationTask(everyMs: number = UP_DEFAULT_CURATE_EVERY_MS): UpScheduledTask {
  return {
    name: 'curation',
    everyMs,
    async run({ lake }) {
      if (lake.kind !== 'local') return 'skipped: an s3:// lake is curated by the Glue jobs';
      const summary = await runCuration({ lake: lake.location, skipIfLocked: true });
      if (summary.locked) return 'skipped: another curation holds the lake';
      const tables = Object.values(summary.tables);
      if (tables.length === 0) return 'up to date';
      const rows = tables.reduce((n, t) => n + t.rows, 0);
      const skipped =
        summary.skippedFiles.length > 0 ? `, ${summary.skippedFiles.length} raw files skipped` : '';
      return `published ${tables.length} tables, ${formatCount(rows)} rows in ${(summary.durationMs / 1000).toFixed(1)} s${skipped}`;
    },
  };
}

/** How often `gridstream up` looks for closed raw hours to compact by default. */
export const UP_DEFAULT_COMPACT_EVERY_MS = 60_000;
/** How long after an hour ends `gridstream up` waits for late flushes before compacting it. */
export const UP_DEFAULT_COMPACT_GRACE_MS = 120_000;

/** Options of {@link compactionTask}. */
export interface UpCompactionOptions {
  /** Interval between the end of one compaction and the start of the next. @default 60 s */
  readonly everyMs?: number;
  /** How long after an hour ends its raw partition counts as closed. @default 2 min */
  readonly graceMs?: number;
  /** Target size of a compacted file. @default 128 MiB */
  readonly targetFileSizeBytes?: number;
  /** Clock of the "closed" decision (tests move it forward). @default Date.now */
  readonly now?: () => number;
}

/**
 * Compaction of closed raw hours as a scheduled task of `gridstream up`: each run rewrites every raw
 * partition whose hour ended more than `graceMs` ago and holds uncompacted files into a few files of
 * the target size (`compactRaw`, under the lake's curation lock: a curation run sees a partition
 * before or after, never both copies or neither). A late file landing in a compacted hour is merged
 * by a later run. An `s3://` lake is skipped (the Glue compaction job owns it). Each run is a
 * short-lived child process, so `up`'s own memory stays flat across compactions.
 *
 * @param options - interval, grace, file size
 */
export function compactionTask(options: UpCompactionOptions = {}): UpScheduledTask {
  const everyMs = options.everyMs ?? UP_DEFAULT_COMPACT_EVERY_MS;
  return {
    name: 'compaction',
    everyMs,
    run({ lake, signal }) {
      if (lake.kind !== 'local')
        return Promise.resolve('skipped: an s3:// lake is compacted by the Glue jobs');
      return lakeCompactionTask({
        lake: lake.location,
        everyMs,
        graceMs: options.graceMs ?? UP_DEFAULT_COMPACT_GRACE_MS,
        // A child process per run: `up` runs for days, and DuckDB's allocator would otherwise keep
        // the high-water mark of the first compaction (docs/PERFORMANCE.md, RSS over time).
        isolation: 'process',
        ...(options.targetFileSizeBytes !== undefined
          ? { targetFileSizeBytes: options.targetFileSizeBytes }
          : {}),
        ...(options.now ? { now: options.now } : {}),
      }).run({ signal });
    },
  };
}

/**
 * The scheduled tasks `gridstream up` runs unless told otherwise: compaction of closed hours and
 * local curation, every minute (compaction listed first, so the final runs at shutdown curate the
 * compacted files and leave nothing for the next run to redo).
 */
export function defaultScheduledTasks(): UpScheduledTask[] {
  return [compactionTask(), curationTask()];
}

/** Options of {@link runUp}. */
export interface UpOptions {
  /** Lake location. @default ./lake */
  readonly lake?: string;
  /**
   * Events per second per dataset (0 disables a producer). A rate given here is planned like
   * `produce --rate` (universe and speed chosen, or refused with `speed` when it must repeat keys).
   * @default {@link UP_DEFAULT_RATES} × speed
   */
  readonly rates?: Partial<Record<Dataset, number>>;
  /** Simulated time per wall-clock second of the live producers. @default 1 */
  readonly speed?: number;
  /**
   * Hours of history to send first, ending at now (simulated, seeded, through the same pipeline),
   * after whatever the lake already holds; 0 for none. @default 24
   */
  readonly backfillHours?: number;
  /** Run the live producers after the backfill (`gridstream seed` does not). @default true */
  readonly live?: boolean;
  /** Shards per stream. @default 2 */
  readonly shards?: number;
  /** Stop by itself after this long, ms. @default until SIGINT/SIGTERM */
  readonly durationMs?: number;
  /** Generator seed. @default random */
  readonly seed?: number;
  /** Delivery buffer interval, ms. @default DELIVERY_DEFAULTS.bufferIntervalMs */
  readonly bufferIntervalMs?: number;
  /** Scheduled tasks (local curation). @default {@link defaultScheduledTasks} */
  readonly scheduledTasks?: readonly UpScheduledTask[];
  /** Where the live status goes (redrawn in place on a terminal). @default process.stderr */
  readonly out?: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Stops everything (like Ctrl-C). */
  readonly signal?: AbortSignal;
  /** The transport between producers and delivery. @default kinesis (the embedded emulator) */
  readonly transport?: 'kinesis' | 'kafka';
  /**
   * With the Kafka transport: an external cluster (its dataset topics must exist). @default a local
   * broker ({@link EmbeddedKafka}) with one topic per dataset of `shards` partitions
   */
  readonly kafka?: KafkaConnection;
  /** Progress lines while a local broker starts (its jars are resolved on first use). */
  readonly log?: (line: string) => void;
  /** The command named at the start of each progress line. @default 'gridstream up' */
  readonly commandName?: string;
}

/** Consumer group of `up`'s delivery on Kafka. */
const UP_KAFKA_GROUP = 'gridstream-up';

/** What a run of `gridstream up` did. */
export interface UpResult {
  /** Events acknowledged by Kinesis per dataset. */
  readonly produced: Readonly<Record<Dataset, number>>;
  /** Delivery's final stats. */
  readonly delivery: DeliveryStats;
  /** True when delivery caught up with everything produced before exiting. */
  readonly drained: boolean;
  /** The backfill: events sent per dataset, its simulated range per dataset, and how long sending took. */
  readonly backfill: {
    readonly events: Readonly<Record<Dataset, number>>;
    readonly ranges: Readonly<Partial<Record<Dataset, { readonly startMs: number; readonly endMs: number }>>>;
    readonly durationMs: number;
  };
  /** How each live producer reaches its rate (empty without live producers). */
  readonly plans: readonly RatePlan[];
  /**
   * Rows produced before this (epoch ms: the backfilled history, and a live producer's first batch
   * when its simulated time begins before the run) are left out of `delivery.freshness`, which then
   * describes live data only. Undefined without live producers (every row counts).
   */
  readonly freshnessFromMs: number | undefined;
}

/** What `up` sends for one dataset: the backfill range, and the live plan. */
interface DatasetRun {
  readonly dataset: Dataset;
  readonly backfill: { readonly startMs: number; readonly endMs: number } | undefined;
  readonly plan: RatePlan | undefined;
  /** The wall clock when the runs were planned: the backfill ends there, live data is produced after. */
  readonly plannedAtMs: number;
}

/**
 * Plans each dataset's backfill and live producer: the backfill covers the last `hours` after what
 * the lake already holds, up to now; live starts at now (or after the lake's newest data, if a run at
 * `--speed` above 1 left it ahead), so no natural key is sent twice across runs.
 */
async function planRuns(
  storage: LakeStorage,
  options: UpOptions,
  rates: Readonly<Record<Dataset, number>>,
): Promise<DatasetRun[]> {
  const now = Date.now();
  const hours = options.backfillHours ?? UP_DEFAULT_BACKFILL_HOURS;
  const live = options.live ?? true;
  const runs: DatasetRun[] = [];
  for (const dataset of DATASETS) {
    if (live && !(rates[dataset] > 0)) continue;
    const covered = hours > 0 || live ? await lakeCoveredUntil(storage, dataset) : undefined;
    const after = covered === undefined ? Number.NEGATIVE_INFINITY : nextBatchAfter(dataset, covered);
    const backfillStart = Math.max(now - hours * 3_600_000, after);
    const backfill = hours > 0 && backfillStart < now ? { startMs: backfillStart, endMs: now } : undefined;
    let plan: RatePlan | undefined;
    if (live) {
      const explicitRate = options.rates?.[dataset];
      const startMs = Math.max(now, after);
      plan =
        explicitRate === undefined
          ? planRate(dataset, {
              rate: rates[dataset],
              speed: options.speed ?? UP_DEFAULT_SPEED,
              universe: COMPANY_UNIVERSE_SIZE[dataset],
              startMs,
            })
          : planRate(dataset, {
              rate: explicitRate,
              ...(options.speed !== undefined ? { speed: options.speed } : {}),
              startMs,
            });
    }
    if (backfill || plan) runs.push({ dataset, backfill, plan, plannedAtMs: now });
  }
  return runs;
}

function statusLines(
  sinks: readonly (KinesisSink | KafkaSink)[],
  stats: DeliveryStats,
  tasks: readonly TaskStatus[],
  elapsedMs: number,
  final: boolean,
  lastWarning: string | undefined,
  name: string,
): string[] {
  const header = [
    'dataset',
    'produced',
    'delivered',
    'rejected',
    'files',
    'iterator age',
    'freshness (last flush)',
  ];
  const rows = sinks.map((sink) => {
    const s = stats.streams.find((x) => x.dataset === sink.dataset)!;
    return [
      sink.dataset,
      formatCount(sink.counters.sent),
      formatCount(s.delivered),
      formatCount(s.rejected + sink.counters.rejected),
      formatCount(s.files),
      formatMs(s.iteratorAgeMs),
      formatFreshness(s.lastFlushFreshness),
    ];
  });
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const fmt = (r: string[]): string =>
    r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const title = `${name} — ${(elapsedMs / 1000).toFixed(0)} s — ${final ? 'stopped' : 'Ctrl-C to stop'}`;
  const lines = [title, fmt(header), ...rows.map(fmt)];
  const outage = stats.streams.find((s) => s.unreachableMs > 0);
  if (outage) lines.push(`${formatOutage(outage)} — retrying; delivery resumes where it was`);
  for (const t of tasks) lines.push(`${t.name}: ${t.status} (${t.runs} runs)`);
  if (lastWarning !== undefined) lines.push(`last warning: ${lastWarning}`);
  return lines;
}

function dueAt(plan: RatePlan): { dueAtMs?: (event: { readonly produced_at: number }) => number } {
  const due = plan.dueAtMs(Date.now());
  return due ? { dueAtMs: due } : {};
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The whole local pipeline in one process: the embedded Kinesis, one producer per dataset at its
 * rate, the delivery worker into the lake, the scheduled tasks (local curation), and a live status —
 * until `durationMs` passes or `signal` aborts. Then it stops the producers, lets delivery catch up
 * with everything they sent and flush it, runs the scheduled tasks a last time, and returns.
 *
 * @param options - lake, rates, duration, tasks
 */
export async function runUp(options: UpOptions = {}): Promise<UpResult> {
  const out = options.out ?? process.stderr;
  const tty = out.isTTY === true;
  const name = options.commandName ?? 'gridstream up';
  const speed = options.speed ?? UP_DEFAULT_SPEED;
  const rates = Object.fromEntries(
    DATASETS.map((d) => [d, options.rates?.[d] ?? UP_DEFAULT_RATES[d] * speed]),
  ) as Record<Dataset, number>;
  const shards = options.shards ?? UP_DEFAULT_SHARDS;
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  const storage = openLakeStorage(options.lake ?? DEFAULT_LAKE);
  const tasks = options.scheduledTasks ?? defaultScheduledTasks();
  let schedule: TaskSchedule | undefined;
  let runs: DatasetRun[];
  try {
    // A lake it cannot write fails now, naming the cause, before anything is produced; so does a
    // rate that could only be met by repeating keys.
    await checkLakeWritable(storage);
    runs = await planRuns(storage, options, rates);
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  const stop = new AbortController();
  const onExternalAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const useKafka = options.transport === 'kafka';
  let kinesis: EmbeddedKinesis | undefined;
  let broker: EmbeddedKafka | undefined;
  let connection: KafkaConnection | undefined;
  let where: string;
  if (useKafka) {
    if (options.kafka) connection = options.kafka;
    else {
      broker = await EmbeddedKafka.start({
        topics: Object.fromEntries(DATASETS.map((d) => [d, shards])),
        ...(options.log ? { log: options.log } : {}),
      });
      connection = { brokers: [broker.brokers] };
    }
    where = broker
      ? `local Apache Kafka ${broker.version} at ${broker.brokers} (${shards} partitions per topic)`
      : `Kafka at ${connection.brokers.join(',')}`;
  } else {
    kinesis = await EmbeddedKinesis.start({
      streams: Object.fromEntries(DATASETS.map((d) => [d, shards])),
    });
    where = `embedded Kinesis at ${kinesis.endpoint} (${shards} shards per stream, in memory)`;
  }
  const kafkaTransport = connection ? createKafkaTransport(connection) : undefined;
  // Only the latest delivery warning is kept (shown under the table): a run of days must not collect them.
  let lastWarning: string | undefined;
  // Freshness describes what this run produces live: rows produced from the moment the runs were
  // planned on. Every backfilled row was produced before it (the backfill ends there), and so was a live
  // plan's first batch when its simulated start is aligned down to the batch step (an hour for weather).
  const liveFromMs = runs.find((r) => r.plan)?.plannedAtMs;
  const worker = await DeliveryWorker.create({
    storage,
    ...(kafkaTransport
      ? {
          source: (ctx) =>
            new KafkaSource({
              kafka: kafkaTransport,
              topic: ctx.stream,
              groupId: UP_KAFKA_GROUP,
              health: ctx.health,
              retrier: ctx.retrier,
              ...(ctx.onPartitionsChanged ? { onPartitionsChanged: ctx.onPartitionsChanged } : {}),
              now: Date.now,
            }),
        }
      : { kinesis: kinesis!.client }),
    ...(options.bufferIntervalMs !== undefined ? { bufferIntervalMs: options.bufferIntervalMs } : {}),
    ...(liveFromMs !== undefined ? { freshnessFromMs: liveFromMs } : {}),
    onWarning: (w) => {
      lastWarning = `${new Date().toISOString().slice(11, 19)} UTC ${w}`;
    },
    // Another process delivering to this lake holds a stream's lease: say so above the status block.
    onLease: (m) => {
      out.write(`${name}: ${m}\n`);
      drawn = 0;
    },
  });
  const sinks: (KinesisSink | KafkaSink)[] = runs.map((r) =>
    connection
      ? new KafkaSink({ dataset: r.dataset, connection, metrics: 'off' })
      : new KinesisSink({ dataset: r.dataset, client: kinesis!.client, metrics: 'off' }),
  );
  const backfillEvents = Object.fromEntries(DATASETS.map((d) => [d, 0])) as Record<Dataset, number>;
  let backfillMs = 0;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let drawn = 0;
  const draw = (final = false): void => {
    const lines = statusLines(
      sinks,
      worker.stats(),
      schedule?.statuses ?? [],
      performance.now() - started,
      final,
      lastWarning,
      name,
    );
    if (tty) {
      out.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
      drawn = lines.length;
    } else {
      out.write(`${lines.join('\n')}\n`);
    }
  };
  try {
    out.write(`${name}: ${where}, lake ${storage.location} (seed ${seed})\n`);
    // A Kafka cluster that is down or lacks a topic is an error before anything is produced.
    for (const sink of sinks) if (sink instanceof KafkaSink) await sink.connect();
    await worker.start();
    schedule = scheduleTasks({ tasks, context: { lake: storage }, signal: stop.signal });
    timer = setInterval(() => draw(), tty ? 1_000 : 10_000);
    // History first: the backfill, as fast as the pipeline takes it, through the same sinks.
    const backfills = runs.flatMap((r, i) => {
      if (!r.backfill) return [];
      const source = backfillSource(r.dataset, { seed, ...r.backfill });
      backfillEvents[r.dataset] = source.count;
      out.write(
        `${name}: backfilling ${r.dataset}: ${formatCount(source.count)} events of simulated time ` +
          `${iso(r.backfill.startMs)} .. ${iso(r.backfill.endMs)}\n`,
      );
      return [
        runProducer({
          generator: source.generator,
          sink: sinks[i]!,
          rate: 0,
          count: source.count,
          signal: stop.signal,
        }),
      ];
    });
    if (backfills.length > 0) {
      drawn = 0;
      const backfillStarted = performance.now();
      await Promise.race([Promise.all(backfills), worker.done.then(() => undefined)]);
      backfillMs = performance.now() - backfillStarted;
      out.write(
        `${name}: backfill sent ${formatCount(Object.values(backfillEvents).reduce((a, b) => a + b, 0))} events in ${(backfillMs / 1000).toFixed(1)} s\n`,
      );
      drawn = 0;
    }
    for (const r of runs) if (r.plan) out.write(`${name}: live ${r.plan.description}\n`);
    drawn = 0;
    const producers = stop.signal.aborted
      ? []
      : runs.flatMap((r, i) =>
          r.plan
            ? [
                runProducer({
                  generator: createGenerator(r.dataset, {
                    ...r.plan.generatorOptions,
                    seed,
                    clock: r.plan.clock(),
                  }),
                  sink: sinks[i]!,
                  // Each batch goes out when its simulated time comes (speed-scaled wall clock).
                  rate: 0,
                  ...dueAt(r.plan),
                  signal: stop.signal,
                  ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
                }),
              ]
            : [],
        );
    // Producers end on their own with a duration, else on Ctrl-C; a delivery failure ends everything.
    await Promise.race([Promise.all(producers), worker.done.then(() => undefined)]);
    stop.abort();
    await Promise.all(producers);
    out.write(`${tty ? '' : '\n'}${name}: stopping — flushing producers and delivery...\n`);
    drawn = 0;
    await Promise.all(sinks.map((s) => s.close({ deadlineMs: SINK_CLOSE_DEADLINE_MS })));
    const produced = sinks.reduce((a, s) => a + s.counters.sent, 0);
    const deadline = Date.now() + DRAIN_DEADLINE_MS;
    let drained = false;
    while (Date.now() < deadline) {
      await Promise.race([worker.waitUntilDrained(), worker.done, new Promise((r) => setTimeout(r, 1_000))]);
      const s = worker.stats();
      // Rows read but still buffered count: stop() flushes them. Waiting for them to be delivered
      // would wait out the whole deadline whenever the buffer interval is longer than it.
      const buffered = s.streams.reduce((a, x) => a + x.buffered, 0);
      if (s.totals.delivered + s.totals.rejected + buffered >= produced) break;
    }
    await worker.stop();
    await worker.done;
    const delivered = worker.stats().totals;
    drained = delivered.delivered + delivered.rejected >= produced;
    await schedule.stop();
    await schedule.runFinal();
    draw(true);
    const producedBy = Object.fromEntries(DATASETS.map((d) => [d, 0])) as Record<Dataset, number>;
    for (const s of sinks) producedBy[s.dataset] = s.counters.sent;
    const ranges = Object.fromEntries(runs.flatMap((r) => (r.backfill ? [[r.dataset, r.backfill]] : [])));
    return {
      produced: producedBy,
      delivery: worker.stats(),
      drained,
      backfill: { events: backfillEvents, ranges, durationMs: backfillMs },
      plans: runs.flatMap((r) => (r.plan ? [r.plan] : [])),
      freshnessFromMs: liveFromMs,
    };
  } finally {
    if (timer) clearInterval(timer);
    await schedule?.stop();
    options.signal?.removeEventListener('abort', onExternalAbort);
    stop.abort();
    // On a failure (e.g. a lake it cannot write) the sinks are still open: close them now, or they
    // would keep retrying against the stopped emulator until their records' TTL (minutes).
    await Promise.all(sinks.map((s) => s.close({ deadlineMs: 0 }).catch(() => undefined)));
    await worker.stop().catch(() => undefined);
    await kinesis?.stop();
    await broker?.stop();
    await storage.close();
  }
}
