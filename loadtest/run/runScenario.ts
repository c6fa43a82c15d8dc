import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { parseDocument } from 'yaml';
import { siblingModule } from '../../common/childTask.js';
import type { KafkaAuth } from '../../kafka/kafkaConnection.js';
import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import { KINESIS_STATS_FORMAT, type KinesisStatsFile } from '../../local/index.js';
import type { Dataset } from '../../schemas/index.js';
import { PARTITION_TIME_FIELDS } from '../../schemas/partitioning.js';
import { RUN_FORMAT } from '../constants.js';
import { describeLoadWorkerTarget } from '../ecs/describeLoadWorkerTarget.js';
import { launchEcsWorkers } from '../ecs/launchEcsWorkers.js';
import type { EcsRuntime } from '../ecs/types.js';
import { LoadtestError } from '../errors.js';
import { ProcessSampler } from '../metrics/ProcessSampler.js';
import { RunMetrics } from '../metrics/RunMetrics.js';
import { loadPrices } from '../model/costModel.js';
import {
  DEFAULT_EVENT_BYTES,
  peakRate,
  scenarioCost,
  scenarioShardPredictions,
} from '../model/scenarioModels.js';
import { observeShards, type ShardPrediction } from '../model/shardModel.js';
import { RateProfile } from '../profile/RateProfile.js';
import { reconcileRun } from '../reconcile/index.js';
import { evaluateSlos } from '../report/evaluateSlos.js';
import { type DatasetProgress, type ProgressStream, ProgressWriter } from '../report/progress.js';
import { RUN_FILES, writeReport } from '../report/renderReport.js';
import {
  type LoadPoint,
  type ProcessSummary,
  type ReconciliationSummary,
  type RunSummary,
  type SloResult,
  SUMMARY_FORMAT,
  type TimeSeriesPoint,
} from '../report/types.js';
import { loadScenario } from '../scenario/loadScenario.js';
import { scenarioStreams } from '../scenario/scenarioStreams.js';
import type { Scenario } from '../scenario/types.js';
import { mergeWorkerResults, readWorkerResults } from '../worker/mergeWorkerResults.js';
import { LAG_LIMIT_MS } from '../worker/runLoadWorker.js';
import type { CoordinatorMessage, WorkerMessage, WorkerResult, WorkerSnapshot } from '../worker/types.js';
import { DeliveryMetricsTail } from './DeliveryMetricsTail.js';
import { FreshnessProbe } from './FreshnessProbe.js';
import { checkKafkaReachable, kafkaDeliverArgs, kafkaPartitions, startKafkaBroker } from './kafkaTarget.js';
import { forkLogged, type RunProcess, startGridstream, startServing, stopProcess } from './processes.js';
import { datasetStats, metricLookup, OnTimeAcks } from './runStats.js';

/** Exit codes of `gridstream loadtest run` (docs/LOADTEST.md). */
export const RUN_EXIT_CODES = {
  /** Every SLO passed and the reconciliation is exact. */
  pass: 0,
  /** An SLO failed (named on stderr), the reconciliation is not exact, or the target was unreachable before any load. */
  fail: 1,
  /** Bad scenario or usage (nothing ran). */
  usage: 2,
  /** Ctrl-C: the load stopped, what was sent was drained, reconciled and reported (verdict interrupted). */
  interrupted: 130,
} as const;

/** How long the coordinator waits for delivery to write what the workers had acknowledged. */
const DRAIN_TIMEOUT_MS = 180_000;
/** How long a started emulator has to print its endpoint. */
const READY_TIMEOUT_MS = 60_000;
/** Acknowledgements this long after a stage (or the profile) ended still count as achieved in it. */
const ON_TIME_GRACE_MS = 2_000;
/** CPU and RSS of the run's processes: one sample every this many ms. */
const SAMPLE_EVERY_MS = 1_000;

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** A scenario file or the name of a shipped one. */
  readonly scenario: string;
  /** The run folder. @default ./loadtest-runs/<scenario>-<UTC stamp> */
  readonly out?: string;
  /** Ctrl-C: stops the load; the run drains, reconciles and reports (verdict interrupted). */
  readonly signal?: AbortSignal;
  /** Progress and result lines (stdout). */
  readonly print?: (line: string) => void;
  /** Failures and warnings (stderr). */
  readonly err?: (line: string) => void;
  /** Overrides the scenario's `workers`. */
  readonly workers?: number;
  /**
   * The run's recorded start (run id, producer ids, simulated clock). Two runs of the same scenario
   * file name, seed and workers given the same start send the same events (a transport parity run).
   * @default now
   */
  readonly startedAt?: Date;
  /**
   * Where the live progress goes ({@link ProgressWriter}): on a TTY one status line rewritten in place
   * (the run's other lines are then printed above it), otherwise a plain line every 10 s.
   * @default process.stdout
   */
  readonly progress?: ProgressStream;
  /**
   * Where the load workers run: `local` (child processes) or `ecs` (one Fargate task per worker, started
   * with {@link launchEcsWorkers}; the run's copy of the scenario gets target `aws` in `env`).
   * @default 'local'
   */
  readonly on?: 'local' | 'ecs';
  /** The environment of `--on ecs` (its streams and load-worker task). */
  readonly env?: string;
  /** Clients and region of `--on ecs` (tests). */
  readonly ecs?: EcsRuntime;
}

/** What a run ended with. */
export interface RunScenarioResult {
  readonly runDir: string;
  readonly summary: RunSummary;
  readonly exitCode: number;
}

/** An unreachable target before any load. */
export class TargetUnreachableError extends LoadtestError {
  public constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'TargetUnreachableError';
  }
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Checks that every stream of the run answers DescribeStreamSummary, before any load.
 *
 * @throws TargetUnreachableError naming the endpoint (or region) and the stream
 */
async function checkReachable(
  endpoint: string | undefined,
  region: string | undefined,
  streams: Record<string, string>,
): Promise<void> {
  const client = createKinesisClient({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) });
  const where =
    endpoint ?? `AWS Kinesis in ${region ?? process.env.AWS_REGION ?? '(no region: set AWS_REGION)'}`;
  try {
    for (const stream of Object.values(streams)) {
      try {
        await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }), {
          abortSignal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        const e = err as Error & { code?: string };
        const why =
          e.name === 'ResourceNotFoundException'
            ? `stream ${stream} does not exist`
            : `${e.code ?? e.name}: ${e.message}`;
        throw new TargetUnreachableError(
          `target unreachable: ${where} (stream ${stream}): ${why}; no load was sent`,
          err,
        );
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Runs a scenario end to end (docs/LOADTEST.md): creates the run folder, starts the target (embedded:
 * `gridstream kinesis` and `gridstream deliver` as processes of their own), checks it is reachable,
 * forks the load workers, aggregates their snapshots every second into timeseries.jsonl with the
 * processes' CPU and RSS and delivery's iterator age, probes freshness, stops on an aborting threshold
 * or Ctrl-C, lets delivery drain, curates once, reconciles, and writes summary.json and report.html.
 *
 * @param options - scenario, run folder, signal, output
 * @returns the run folder, its summary and the exit code ({@link RUN_EXIT_CODES})
 * @throws ScenarioError for a bad scenario (exit 2); TargetUnreachableError before any load (exit 1)
 */
export async function runScenario(options: RunScenarioOptions): Promise<RunScenarioResult> {
  const progress = new ProgressWriter({ stream: options.progress ?? process.stdout });
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  // On a TTY the status line sits below the run's lines: print them above it.
  const say = (l: string): void => (progress.inPlace ? progress.log(l) : print(l));
  const warn = options.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const onEcs = options.on === 'ecs';
  if (onEcs && !options.env) throw new LoadtestError('--on ecs needs --env (the deployed environment)');
  const original = loadScenario(options.scenario);
  let scenario = original;
  const workersCount = options.workers ?? scenario.workers;
  const startedAt = options.startedAt ?? new Date();
  const runId = `${scenario.name}-${stamp(startedAt)}`;
  const runDir = resolve(options.out ?? join('loadtest-runs', runId));
  if (existsSync(runDir) && readdirSync(runDir).length > 0) {
    throw new LoadtestError(`--out ${runDir} is not empty: choose a new folder (a run folder holds one run)`);
  }
  const logDir = join(runDir, 'logs');
  for (const d of [runDir, logDir, join(runDir, 'workers')]) mkdirSync(d, { recursive: true });
  const scenarioFile = join(runDir, 'scenario.yaml');
  copyFileSync(scenario.file, scenarioFile);
  if (onEcs && scenario.target.kind !== 'kinesis' && scenario.target.kind !== 'kafka') {
    // ECS tasks cannot reach this machine: the run's copy targets the environment's streams, and the
    // tasks read that copy (launchEcsWorkers refuses an embedded target). A kinesis endpoint is kept.
    const doc = parseDocument(readFileSync(scenarioFile, 'utf8'));
    doc.set('target', {
      kind: 'aws',
      env: options.env,
      ...(scenario.target.region ? { region: scenario.target.region } : {}),
    });
    writeFileSync(scenarioFile, doc.toString());
    scenario = { ...loadScenario(scenarioFile), name: original.name };
    say(`--on ecs: target aws, environment ${options.env} (run copy ${scenarioFile})`);
  }
  const kafka = scenario.target.kind === 'kafka';
  // The kafka target runs the same local pipeline (delivery into RUN_DIR/lake, curation, probe) on Kafka.
  const embedded = scenario.target.kind === 'embedded' || kafka;
  const lakeDir = join(runDir, 'lake');
  const streams = scenarioStreams(scenario);
  const datasets = Object.keys(scenario.datasets);
  const runJson = (curated: boolean) => ({
    format: RUN_FORMAT,
    run_id: runId,
    scenario: scenario.name,
    started_at: startedAt.toISOString(),
    target: {
      kind: scenario.target.kind,
      ...(scenario.target.endpoint ? { endpoint: scenario.target.endpoint } : {}),
      ...(scenario.target.region ? { region: scenario.target.region } : {}),
      ...(scenario.target.env ? { env: scenario.target.env } : {}),
      ...(scenario.target.streamPrefix ? { stream_prefix: scenario.target.streamPrefix } : {}),
      ...(scenario.target.shards ? { shards: scenario.target.shards } : {}),
      ...(embedded && !kafka ? { enforce_shard_limits: scenario.target.enforceShardLimits } : {}),
      ...(scenario.target.brokers ? { brokers: scenario.target.brokers.join(',') } : {}),
      ...(scenario.target.tls ? { tls: true } : {}),
      ...(scenario.target.sasl ? { sasl: scenario.target.sasl } : {}),
      ...(kafka ? { partitions: kafkaPartitions(scenario) } : {}),
      lake: embedded ? 'lake' : null,
    },
    seed: scenario.seed,
    workers: workersCount,
    curated,
    datasets: Object.fromEntries(
      datasets.map((d) => [
        d,
        { stream: streams[d], partition: `${PARTITION_TIME_FIELDS[d as Dataset].join(' // ')} hour` },
      ]),
    ),
  });
  writeFileSync(join(runDir, 'run.json'), `${JSON.stringify(runJson(false), null, 2)}\n`);
  say(`loadtest ${scenario.name}: run folder ${runDir}`);

  const processes: RunProcess[] = [];
  const killAll = (): void => {
    for (const p of processes)
      if (!p.hasExited())
        try {
          p.child.kill('SIGKILL');
        } catch {}
  };
  process.on('exit', killAll);
  const tsFile = join(runDir, RUN_FILES.timeSeries);
  writeFileSync(tsFile, '');
  const writePoint = (p: TimeSeriesPoint): void => appendFileSync(tsFile, `${JSON.stringify(p)}\n`);
  // CPU and RSS of every process of the run, from start to the end of curation.
  const sampler = new ProcessSampler();
  sampler.add({ name: 'coordinator', pid: process.pid, role: 'coordinator' });
  // `gridstream …` children run through the launcher (bin/gridstream.js): count what it starts too.
  const sample = (p: RunProcess): void =>
    sampler.add({ name: p.name, pid: p.pid, role: p.role, descendants: true });
  const stopSampling = sampler.every(SAMPLE_EVERY_MS, ({ points }) => {
    for (const point of points) writePoint(point);
  });

  let endpoint = scenario.target.endpoint;
  const region = scenario.target.region ?? (embedded || endpoint ? 'us-east-1' : undefined);
  let delivery: RunProcess | undefined;
  let metricsTail: DeliveryMetricsTail | undefined;
  let kafkaBrokers = scenario.target.brokers;
  /** Messages each topic held before the load (an external cluster's): delivery reads them too. */
  let backlog: Readonly<Record<string, number>> = {};
  // How the workers, delivery and the reachability check authenticate: names only (secrets: environment).
  const kafkaAuth: KafkaAuth = {
    ...(scenario.target.tls ? { tls: true } : {}),
    ...(scenario.target.sasl ? { sasl: scenario.target.sasl } : {}),
  };
  try {
    if (kafka) {
      if (!kafkaBrokers) {
        say(
          `starting an embedded Kafka broker: gridstream kafka (${kafkaPartitions(scenario)} partitions per topic)`,
        );
        kafkaBrokers = [await startKafkaBroker(scenario, logDir, processes)];
      }
      backlog = await checkKafkaReachable(
        kafkaBrokers,
        kafkaAuth,
        streams,
        (m, c) => new TargetUnreachableError(m, c),
      );
      const held = Object.entries(backlog).filter(([, n]) => n > 0);
      if (held.length > 0)
        say(
          `the topics already hold messages (${held.map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')}): ` +
            "delivery writes them to the run's lake too; the drain waits for them, the reconciliation counts only the run's",
        );
    }
    if (embedded) {
      if (!kafka)
        say(
          `starting the embedded pipeline: gridstream kinesis (${scenario.target.shards ?? 2} shards per stream) and gridstream deliver`,
        );
      if (scenario.target.enforceShardLimits) {
        say('shard limits enforced: each shard takes at most 1 MiB/s and 1,000 records/s, as on AWS');
      }
      if (!kafka) endpoint = await startEmulator(scenario, logDir, processes);
      for (const p of processes) sample(p);
      const env = {
        ...process.env,
        ...(endpoint ? { AWS_ENDPOINT_URL_KINESIS: endpoint } : {}),
        AWS_REGION: 'us-east-1',
      };
      const metricsFile = join(runDir, 'delivery-metrics.jsonl');
      delivery = startGridstream(
        'deliver',
        'delivery',
        [
          'deliver',
          '--lake',
          lakeDir,
          '--metrics-file',
          metricsFile,
          '--streams',
          datasets.join(','),
          '--status-every',
          '10',
          ...(kafkaBrokers ? kafkaDeliverArgs(kafkaBrokers, kafkaAuth, streams) : []),
        ],
        { logDir, env },
      );
      processes.push(delivery);
      sample(delivery);
      metricsTail = new DeliveryMetricsTail(metricsFile);
    }
    if (!kafka) await checkReachable(endpoint, region, streams);
  } catch (err) {
    for (const p of [...processes].reverse()) await stopProcess(p, 'SIGINT', 10_000);
    process.off('exit', killAll);
    stopSampling();
    throw err;
  }

  // The load workers, each a process of its own.
  const entry = siblingModule(new URL('../worker/', import.meta.url).href, 'main');
  const workers: {
    name: string;
    proc: RunProcess;
    ready: Promise<void>;
    done: Promise<WorkerResult | undefined>;
  }[] = [];
  const interval = { metrics: new RunMetrics() };
  const total = new RunMetrics();
  const probeMetrics = { interval: new RunMetrics(), total: new RunMetrics() };
  const lastDatasetState = new Map<string, { stage: string; lagMs: number }>();
  const onTime = new OnTimeAcks();
  const workerFailures: string[] = [];
  let writtenOff = 0;
  const probe = embedded
    ? new FreshnessProbe(lakeDir, join(runDir, 'samples.jsonl'), (s) => {
        for (const m of [probeMetrics.interval, probeMetrics.total]) {
          const cell = m.cell(s.dataset, s.stage);
          cell.recordLatencyMs('freshness.acknowledged', s.acked_ms - s.intended_ms);
          if (s.raw_ms !== undefined)
            cell.recordLatencyMs('freshness.raw', Math.max(0, s.raw_ms - s.intended_ms));
          if (s.queryable_ms !== undefined)
            cell.recordLatencyMs('freshness.queryable', s.queryable_ms - s.intended_ms);
        }
      })
    : undefined;
  const onSnapshot = (s: WorkerSnapshot): void => {
    interval.metrics.merge(s.interval);
    total.merge(s.interval);
    for (const [d, x] of Object.entries(s.datasets)) {
      const prev = lastDatasetState.get(d);
      lastDatasetState.set(d, { stage: x.stage, lagMs: Math.max(prev?.lagMs ?? 0, x.lagMs) });
    }
    if (probe) probe.add(s.samples);
    else if (s.samples.length > 0)
      appendFileSync(join(runDir, 'samples.jsonl'), s.samples.map((x) => `${JSON.stringify(x)}\n`).join(''));
    for (const stages of Object.values(s.interval))
      for (const c of Object.values(stages)) writtenOff += c.counters.expirations;
  };
  for (let i = 0; i < (onEcs ? 0 : workersCount); i++) {
    const name = `w${i}`;
    const proc = forkLogged(name, entry, logDir);
    processes.push(proc);
    sample(proc);
    let readyResolve: () => void = () => undefined;
    const ready = new Promise<void>((r) => {
      readyResolve = r;
    });
    const done = new Promise<WorkerResult | undefined>((resolveDone) => {
      proc.child.on('message', (raw) => {
        const m = raw as WorkerMessage;
        if (m.type === 'ready') readyResolve();
        else if (m.type === 'snapshot') onSnapshot(m.snapshot);
        else if (m.type === 'done') resolveDone(m.result);
        else if (m.type === 'error') workerFailures.push(`${name}: ${m.message.split('\n')[0]}`);
      });
      proc.exited.then(() => {
        readyResolve();
        resolveDone(undefined);
      });
    });
    const msg: CoordinatorMessage = {
      type: 'run',
      input: {
        runId,
        scenarioFile,
        name,
        index: i,
        of: workersCount,
        target: {
          ...(endpoint ? { endpoint } : {}),
          ...(region ? { region } : {}),
          ...(kafkaBrokers ? { kafka: { brokers: kafkaBrokers, ...kafkaAuth } } : {}),
          streams,
        },
        simulatedStartMs: startedAt.getTime(),
        resultFile: join(runDir, 'workers', `${name}.json`),
      },
    };
    proc.child.send(msg);
    workers.push({ name, proc, ready, done });
  }
  await Promise.all(workers.map((w) => w.ready));
  if (workerFailures.length > 0) {
    for (const p of [...processes].reverse()) await stopProcess(p, 'SIGINT', 10_000);
    process.off('exit', killAll);
    stopSampling();
    throw new LoadtestError(`a load worker failed to start: ${workerFailures.join('; ')}`);
  }
  const loadStart = Date.now() + 200;
  for (const w of workers)
    w.proc.child.send({ type: 'start', startMs: loadStart } satisfies CoordinatorMessage);
  const profiles = new Map(
    datasets.map((d) => [d, new RateProfile(scenario.datasets[d as Dataset]!.profile)]),
  );
  const durationMs = Math.max(...[...profiles.values()].map((p) => p.durationMs));
  say(
    `load: ${workersCount} worker(s), ${datasets.join(', ')}, ${Math.round(durationMs / 1000)} s of profile`,
  );

  // Every second: timeseries, processes, probe, live thresholds, progress.
  let stopReason: 'interrupted' | 'aborted' | undefined;
  let abortedBy: SloResult[] = [];
  let knee: RunSummary['knee'] = hasSearch(scenario) ? null : undefined;
  const stopLoad = (): void => {
    for (const w of workers)
      if (!w.proc.hasExited() && w.proc.child.connected)
        w.proc.child.send({ type: 'stop' } satisfies CoordinatorMessage);
  };
  const onAbort = (): void => {
    if (stopReason) return;
    stopReason = 'interrupted';
    say('interrupted: stopping the load; delivery drains, then reconciliation and the report');
    stopLoad();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let ticking = false;
  let loadEnded = false;
  const abortThresholds = scenario.thresholds.filter((t) => t.abort);
  /**
   * The achieved ratio while the load runs: acknowledgements so far over the events due more than
   * ON_TIME_GRACE_MS ago (those in flight are not yet a shortfall); undefined before any is due.
   */
  const liveAchieved = (dataset: string | undefined, stage: string | undefined, offset: number) => {
    const ratios: number[] = [];
    for (const d of dataset ? [dataset] : datasets) {
      const p = profiles.get(d)!;
      const due = offset - ON_TIME_GRACE_MS;
      let from = 0;
      let to = due;
      if (stage !== undefined) {
        const i = p.stages.findIndex((x) => x.name === stage);
        const seg = p.segments.filter((x) => x.stage === i);
        if (seg.length === 0) continue;
        from = seg[0]!.startMs;
        to = Math.min(due, seg.at(-1)!.endMs);
      }
      const asked = p.eventsUntil(to) - p.eventsUntil(from);
      if (to <= from || asked < 1) continue;
      ratios.push(Math.min(1, onTime.count(d, stage) / asked));
    }
    return ratios.length > 0 ? Math.min(...ratios) : undefined;
  };
  const tick = (): void => {
    if (ticking) return;
    ticking = true;
    try {
      const now = Date.now();
      const offset = now - loadStart;
      metricsTail?.read();
      const progressRows: [string, DatasetProgress][] = [];
      const cells = interval.metrics.toJSON();
      const probeCells = probeMetrics.interval.toJSON();
      interval.metrics = new RunMetrics();
      probeMetrics.interval = new RunMetrics();
      for (const d of datasets) {
        const profile = profiles.get(d)!;
        const stageName =
          lastDatasetState.get(d)?.stage ?? profile.stages[profile.stageAt(offset)]?.name ?? '';
        const m = new RunMetrics().merge({ [d]: cells[d] ?? {} }).merge({ [d]: probeCells[d] ?? {} });
        const st = datasetStats(m, d);
        // This interval's acknowledgements count as achieved in the stage running at its middle, within a grace.
        const mid = offset - 500;
        if (mid < profile.durationMs + ON_TIME_GRACE_MS) {
          const inStage = profile.stages[profile.stageAt(Math.max(0, Math.min(mid, profile.durationMs - 1)))];
          if (inStage) onTime.add(d, inStage.name, st.acknowledged);
        }
        const point: LoadPoint = {
          kind: 'load',
          t: now,
          dataset: d,
          stage: stageName,
          asked_rate: Math.round(profile.rateAt(offset) * 10) / 10,
          achieved_rate: st.acknowledged,
          ...(st.put_latency_ms ? { put_latency_ms: st.put_latency_ms } : {}),
          ...(st.freshness_ms?.raw ? { freshness_raw_ms: st.freshness_ms.raw } : {}),
          ...(st.freshness_ms?.queryable ? { freshness_queryable_ms: st.freshness_ms.queryable } : {}),
          throttles: st.throttles,
          retries: st.retries,
          ...(lastDatasetState.has(d) ? { generator_lag_ms: lastDatasetState.get(d)!.lagMs } : {}),
        };
        writePoint(point);
        progressRows.push([
          d,
          {
            stage: stageName,
            askedRate: point.asked_rate,
            achievedRate: st.acknowledged,
            ...(st.put_latency_ms ? { putP99Ms: st.put_latency_ms.p99 } : {}),
            ...(st.freshness_ms?.raw
              ? { freshnessP99Ms: st.freshness_ms.raw.p99 }
              : st.freshness_ms?.acknowledged
                ? { freshnessP99Ms: st.freshness_ms.acknowledged.p99 }
                : {}),
          },
        ]);
        const s = lastDatasetState.get(d);
        if (s) s.lagMs = 0;
      }
      if (metricsTail) {
        for (const [d, age] of metricsTail.takeIteratorAges())
          writePoint({ kind: 'stream', t: now, dataset: d, iterator_age_ms: age });
      }
      probe?.poll().catch((err: unknown) => warn(`freshness probe: ${(err as Error).message}`));
      if (!stopReason && !loadEnded && abortThresholds.length > 0) {
        const merged = new RunMetrics().merge(total.toJSON()).merge(probeMetrics.total.toJSON());
        const lookup = metricLookup({
          metrics: merged,
          datasets,
          onTime,
          ...(metricsTail ? { iteratorAgeMaxMs: metricsTail.maxIteratorAge } : {}),
        });
        const { slos } = evaluateSlos(
          abortThresholds.filter((t) => !t.metric.startsWith('reconciliation.')),
          (m, d, s) => (m === 'rate.achieved_ratio' ? liveAchieved(d, s, offset) : lookup(m, d, s)),
        );
        const broke = slos.filter((s) => !s.pass && s.value !== null);
        if (broke.length > 0) {
          stopReason = 'aborted';
          abortedBy = broke;
          knee = kneeAt(profiles, offset, broke);
          warn(
            `threshold broke, stopping the load: ${broke.map((s) => `${s.name} (${s.metric} = ${s.value} ${s.unit}, ${s.op} ${s.threshold})`).join('; ')}`,
          );
          stopLoad();
        }
      }
      for (const p of [delivery, processes.find((x) => x.name === 'kinesis' || x.name === 'kafka')]) {
        if (p?.hasExited() && !stopReason && !loadEnded) {
          stopReason = 'aborted';
          warn(`${p.name} exited during the run (see ${p.log}): stopping the load`);
          stopLoad();
        }
      }
      if (!loadEnded) {
        const lag = Math.max(0, ...[...lastDatasetState.values()].map((x) => x.lagMs));
        progress.update({
          elapsedMs: Math.max(0, offset),
          durationMs,
          datasets: Object.fromEntries(progressRows),
          lost: writtenOff,
          ...(lag > LAG_LIMIT_MS
            ? { limit: `generator behind schedule: lag ${(lag / 1000).toFixed(1)} s` }
            : {}),
        });
      }
    } finally {
      ticking = false;
    }
  };
  // ECS workers report through their tasks' status and result files, not live snapshots.
  const ticker = onEcs
    ? undefined
    : setInterval(() => {
        try {
          tick();
        } catch (err) {
          warn(`coordinator: ${(err as Error).message}`);
        }
      }, 1000);
  const results = onEcs
    ? await runOnEcs({
        scenarioFile,
        runId,
        runDir,
        workers: workersCount,
        env: options.env!,
        say,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.ecs ? { ecs: options.ecs } : {}),
        ...(region ? { region } : {}),
      }).catch((err: unknown) => {
        stopSampling();
        process.off('exit', killAll);
        throw err;
      })
    : (await Promise.all(workers.map((w) => w.done))).filter((r): r is WorkerResult => r !== undefined);
  clearInterval(ticker);
  loadEnded = true;
  if (!onEcs) tick();
  progress.done();
  options.signal?.removeEventListener('abort', onAbort);
  for (const w of workers) await stopProcess(w.proc, 'SIGTERM', 10_000);
  if (results.length < workers.length) {
    warn(
      `${workers.length - results.length} load worker(s) ended without a result (see logs/): their events are not reconciled`,
    );
  }
  for (const f of workerFailures) warn(`load worker failed: ${f}`);
  const merged = mergeWorkerResults(results);
  say(
    `load done: ${Object.entries(merged.datasets)
      .map(
        ([d, x]) =>
          `${d} ${x.acknowledged.toLocaleString('en-US')}/${x.emitted.toLocaleString('en-US')} acknowledged`,
      )
      .join(', ')}`,
  );

  // Drain: delivery writes what the stream holds, then flushes and exits on SIGINT.
  let curated = false;
  if (embedded && delivery && metricsTail) {
    say('draining: waiting for delivery to write every acknowledged event');
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    const drained = (): boolean => {
      metricsTail!.read();
      return datasets.every(
        (d) =>
          (metricsTail!.delivered.get(d) ?? 0) + (metricsTail!.rejected.get(d) ?? 0) >=
          (merged.datasets[d]?.acknowledged ?? 0) + (backlog[streams[d] ?? d] ?? 0),
      );
    };
    while (!drained() && Date.now() < deadline && !delivery.hasExited()) {
      await new Promise((r) => setTimeout(r, 500));
      tick();
    }
    if (!drained())
      warn(
        `delivery did not write every acknowledged event within ${DRAIN_TIMEOUT_MS / 1000} s: the reconciliation will show what is missing`,
      );
    await stopProcess(delivery, 'SIGINT', 60_000);
    const kinesis = processes.find((p) => p.name === 'kinesis' || p.name === 'kafka');
    // Its stop statistics (logs/kinesis-stats.json) are written as it stops: give a busy machine time.
    if (kinesis) await stopProcess(kinesis, 'SIGINT', 30_000);
    await probe?.poll();
    await probe?.close();
    say('curating: gridstream curate (once, on the run lake)');
    const curate = startGridstream('curate', 'curation', ['curate', '--lake', lakeDir, '--quiet'], {
      logDir,
    });
    processes.push(curate);
    sample(curate);
    // Curation can end within one sampling interval: take its first sample now (counted from its start).
    for (const point of sampler.sample().points) writePoint(point);
    const { code } = await curate.exited;
    curated = code === 0;
    if (!curated) warn(`curation failed (exit ${code}): see ${curate.log}`);
    writeFileSync(join(runDir, 'run.json'), `${JSON.stringify(runJson(curated), null, 2)}\n`);
  } else {
    await probe?.close();
  }
  process.off('exit', killAll);
  stopSampling();

  // Reconciliation.
  let reconciliation: ReconciliationSummary;
  let reconciled: Awaited<ReturnType<typeof reconcileRun>> | undefined;
  if (embedded) {
    say('reconciling: every event sent, looked up in the lake');
    reconciled = await reconcileRun(runDir);
    reconciliation = reconciled.summary;
    for (const line of reconciled.lines) say(line);
  } else {
    const sent = Object.values(merged.datasets).reduce((n, d) => n + d.emitted - d.failed, 0);
    reconciliation = { sent, found_raw: 0, lost: 0, duplicated_raw: 0, duplicated_curated: 0, misplaced: 0 };
    warn('no lake for this target: not reconciled (reconciliation thresholds are not measured)');
  }

  // Summary.
  const metrics = new RunMetrics().merge(merged.metrics.toJSON()).merge(probeMetrics.total.toJSON());
  const cost = scenarioCost(scenario, loadPrices());
  const limits = new Map(merged.workers.map((w) => [w.worker, w.limit]));
  const processSummaries: ProcessSummary[] = sampler
    .summaries()
    .map((p) => (limits.get(p.name) ? { ...p, limit: limits.get(p.name)! } : p));
  const rssMax = processSummaries.reduce((x, p) => Math.max(x, p.rss_mib_max ?? 0), 0);
  const lookup = metricLookup({
    metrics,
    datasets,
    onTime,
    ...(embedded ? { reconciliation } : {}),
    ...(metricsTail ? { iteratorAgeMaxMs: metricsTail.maxIteratorAge } : {}),
    cost,
    rssMaxMib: rssMax,
  });
  const { slos } = evaluateSlos(scenario.thresholds, lookup);
  const inexact = reconciled !== undefined && reconciled.exitCode !== 0;
  const interrupted = stopReason === 'interrupted';
  if (knee === null && hasSearch(scenario) && !stopReason) knee = kneeAt(profiles, durationMs, []);
  // A search stops where its `until` thresholds break: past the knee that break is the answer, not a
  // failure. Every other threshold (and those, when no rate held: knee 0) decides the verdict.
  const criteria = knee && knee.rate > 0 ? searchCriteria(scenario, slos) : new Set<string>();
  const failed = slos.filter((s) => !s.pass && !criteria.has(s.name));
  const verdict: RunSummary['verdict'] = interrupted
    ? 'interrupted'
    : failed.length === 0 && !inexact
      ? 'pass'
      : 'fail';
  const datasetSummaries: RunSummary['datasets'] = Object.fromEntries(
    datasets.map((d) => {
      const stages = Object.fromEntries(
        profiles.get(d)!.stages.map((s) => [s.name, datasetStats(metrics, d, s.name, onTime)]),
      );
      return [d, { ...datasetStats(metrics, d, undefined, onTime), stages }];
    }),
  );
  const summary: RunSummary = {
    format: SUMMARY_FORMAT,
    scenario: scenario.name,
    target: scenario.target.kind,
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
    verdict,
    slos,
    reconciliation,
    datasets: datasetSummaries,
    processes: processSummaries,
    shards: shardSummaries(scenario, streams, datasetSummaries, readKinesisStats(logDir, warn)),
    cost,
    ...(knee !== undefined ? { knee } : {}),
  };
  writeFileSync(join(runDir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  const report = writeReport(runDir);

  // What the user reads last: the SLO table, the bottleneck, the verdict.
  say('');
  for (const line of sloTable(slos)) say(line);
  for (const w of merged.workers) if (w.limit) say(`worker ${w.worker}: ${w.limit}`);
  if (merged.generatorBound.length > 0) {
    say(
      `bottleneck: the load generator (${merged.generatorBound.join(', ')} fell behind schedule), not the pipeline: add workers or lower the rate`,
    );
  }
  for (const s of slos.filter((x) => !x.pass && criteria.has(x.name))) {
    say(
      `search: ${s.name} broke above the knee (${knee!.dataset} ${knee!.rate.toLocaleString('en-US')} events/s): ${s.metric} = ${s.value ?? 'not measured'} ${s.unit} over the run — the search criterion, not a failure`,
    );
  }
  for (const s of failed) {
    warn(
      `SLO failed: ${s.name}${s.dataset || s.stage ? ` [${[s.dataset, s.stage].filter(Boolean).join('/')}]` : ''}: ${s.metric} = ${s.value ?? 'not measured'} ${s.unit} (must be ${s.op} ${s.threshold})`,
    );
  }
  if (inexact)
    warn(
      `reconciliation not exact: lost ${reconciliation.lost}, duplicated in raw ${reconciliation.duplicated_raw}`,
    );
  if (abortedBy.length > 0) warn(`load stopped early by: ${abortedBy.map((s) => s.name).join(', ')}`);
  say(`verdict: ${verdict.toUpperCase()} — summary ${join(runDir, RUN_FILES.summary)}, report ${report}`);
  const exitCode = inexact
    ? RUN_EXIT_CODES.fail
    : interrupted
      ? RUN_EXIT_CODES.interrupted
      : verdict === 'pass'
        ? RUN_EXIT_CODES.pass
        : RUN_EXIT_CODES.fail;
  return { runDir, summary, exitCode };
}

/**
 * Runs the load workers as ECS Fargate tasks ({@link describeLoadWorkerTarget}, {@link launchEcsWorkers})
 * and returns their result files, copied into RUN_DIR/workers/.
 *
 * @throws EcsLaunchError before any task starts (no deployment), or when no task could start
 */
async function runOnEcs(o: {
  scenarioFile: string;
  runId: string;
  runDir: string;
  workers: number;
  env: string;
  region?: string;
  signal?: AbortSignal;
  ecs?: EcsRuntime;
  say: (line: string) => void;
}): Promise<WorkerResult[]> {
  const region = o.ecs?.region ?? o.region;
  const target = await describeLoadWorkerTarget({
    env: o.env,
    ...(region ? { region } : {}),
    ...(o.ecs?.client ? { client: o.ecs.client } : {}),
  });
  const outcome = await launchEcsWorkers({
    ...o.ecs,
    ...target,
    scenario: o.scenarioFile,
    runId: o.runId,
    workers: o.workers,
    resultsUri: `${target.resultsBase}/${o.runId}`,
    runDir: o.runDir,
    ...(region ? { region } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: o.ecs?.onProgress ?? o.say,
  });
  if (!outcome.ok)
    o.say(`ecs: ${outcome.problems.length} problem(s): the merge covers the result files found`);
  return readWorkerResults(o.runDir);
}

/** Starts `gridstream kinesis` on a free port and returns the endpoint it prints. */
function startEmulator(scenario: Scenario, logDir: string, processes: RunProcess[]): Promise<string> {
  const shards = scenario.target.shards ?? 2;
  const streams = Object.keys(scenario.datasets)
    .map((d) => `${d}=${shards}`)
    .join(',');
  const retentionMb = String(emulatorRetentionMb(scenario));
  const args = ['kinesis', '--port', '0', '--shards', streams, '--retention-mb', retentionMb];
  // On stop it writes what it held, trimmed and throttled per shard: the shard model is checked against it.
  args.push('--stats', join(logDir, KINESIS_STATS_FILE));
  // Per-shard write limits (1 MiB/s, 1,000 records/s): the local run throttles where AWS would.
  if (scenario.target.enforceShardLimits) args.push('--enforce-shard-limits');
  return startServing('kinesis', args, {
    logDir,
    readyLine: /serving Kinesis at (http:\/\/\S+)/,
    timeoutMs: READY_TIMEOUT_MS,
    processes,
  });
}

/** The emulator's stop statistics in the run's logs/ (`gridstream kinesis --stats`). */
const KINESIS_STATS_FILE = 'kinesis-stats.json';

/** The emulator's stop statistics of an embedded run, or undefined (another target, or none written). */
function readKinesisStats(logDir: string, warn: (line: string) => void): KinesisStatsFile | undefined {
  const file = join(logDir, KINESIS_STATS_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const stats = JSON.parse(readFileSync(file, 'utf8')) as KinesisStatsFile;
    if (stats.format === KINESIS_STATS_FORMAT) return stats;
    warn(`${file}: format ${JSON.stringify(stats.format)}, expected ${KINESIS_STATS_FORMAT}: not read`);
  } catch (err) {
    warn(`${file}: not read (${(err as Error).message})`);
  }
  return undefined;
}

/**
 * The shard model at peak per dataset, and beside it what the run saw where the target is known to have
 * Kinesis's write limits: AWS (the sinks' throttles), the emulator with `enforce_shard_limits` (also per
 * shard, from its stop statistics). The bare emulator, a `kinesis` endpoint (often a local one that
 * never throttles) and Kafka: nothing to compare.
 */
function shardSummaries(
  scenario: Scenario,
  streams: Readonly<Record<string, string>>,
  datasets: RunSummary['datasets'],
  stats: KinesisStatsFile | undefined,
): RunSummary['shards'] {
  const kind = scenario.target.kind;
  const limited = kind === 'aws' || (kind === 'embedded' && scenario.target.enforceShardLimits);
  const out: Record<string, ShardPrediction & { observed?: ReturnType<typeof observeShards> }> = {};
  for (const [d, prediction] of Object.entries(scenarioShardPredictions(scenario))) {
    if (!prediction) continue;
    if (!limited) {
      out[d] = prediction;
      continue;
    }
    let byShard: Record<string, number> | undefined;
    if (stats?.throttled_by_shard) {
      const prefix = `${streams[d] ?? d}/`;
      byShard = {};
      for (const [key, n] of Object.entries(stats.throttled_by_shard))
        if (key.startsWith(prefix)) byShard[key.slice(prefix.length)] = n;
    }
    out[d] = { ...prediction, observed: observeShards(prediction, datasets[d]?.throttles ?? 0, byShard) };
  }
  return out;
}

/** Names of the thresholds a search stage raises its rate until (its `until`; none named: all). */
function searchCriteria(s: Scenario, slos: readonly SloResult[]): Set<string> {
  return new Set(
    Object.values(s.datasets).flatMap((d) =>
      d.profile.flatMap((st) =>
        st.kind !== 'search' ? [] : st.until.length > 0 ? st.until : slos.map((x) => x.name),
      ),
    ),
  );
}

function hasSearch(s: Scenario): boolean {
  return Object.values(s.datasets).some((d) => d.profile.some((st) => st.kind === 'search'));
}

/**
 * The knee of a search stage: with thresholds broken at `offset`, the rate of the plateau before the one
 * running then (0 when the first one broke); with none broken, the last plateau's rate.
 */
function kneeAt(
  profiles: ReadonlyMap<string, RateProfile>,
  offset: number,
  broke: readonly SloResult[],
): RunSummary['knee'] {
  for (const [d, p] of profiles) {
    const at = Math.min(offset, p.durationMs - 1);
    if (p.stages[p.stageAt(at)]?.kind !== 'search') continue;
    let i = p.segments.findIndex((s) => s.startMs <= at && at < s.endMs);
    if (i < 0) i = p.segments.length - 1;
    const seg = p.segments[i]!;
    if (broke.length === 0) return { dataset: d, rate: seg.toRate, broke: [] };
    const prev = i > 0 && p.segments[i - 1]!.stage === seg.stage ? p.segments[i - 1] : undefined;
    return { dataset: d, rate: prev?.toRate ?? 0, broke: [...new Set(broke.map((s) => s.name))] };
  }
  return null;
}

/** The SLO table as aligned text lines. */
export function sloTable(slos: readonly SloResult[]): string[] {
  if (slos.length === 0) return ['SLOs: none'];
  const rows = slos.map((s) => [
    s.name,
    [s.dataset, s.stage].filter(Boolean).join('/') || 'all',
    `${s.op} ${s.threshold} ${s.unit}`,
    s.value === null ? 'not measured' : `${Math.round(s.value * 1000) / 1000} ${s.unit}`,
    s.pass ? 'pass' : 'FAIL',
  ]);
  const head = ['SLO', 'scope', 'threshold', 'value', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/**
 * The embedded emulator's retention for a scenario, MiB. The emulator keeps records nobody has read
 * until everything it holds reaches 4 × this, then trims the oldest (like Kinesis retention, which is
 * 24 h on AWS): a delivery that falls behind by more would lose them, which a load test must never
 * cause itself. Sized to hold 10 minutes of the peak rate, or the whole profile if that is less, within
 * 64 MiB..2 GiB (so at most 8 GiB unread).
 *
 * @param scenario - the scenario run on the embedded target
 */
export function emulatorRetentionMb(scenario: Scenario): number {
  let bytes = 0;
  for (const [d, load] of Object.entries(scenario.datasets) as [
    Dataset,
    NonNullable<Scenario['datasets'][Dataset]>,
  ][]) {
    const profile = new RateProfile(load.profile);
    const eventBytes = load.eventBytes ?? DEFAULT_EVENT_BYTES[d];
    bytes += Math.min(profile.totalEvents, peakRate(profile) * 600) * eventBytes;
  }
  return Math.min(2048, Math.max(64, Math.ceil(bytes / 4 / 1024 / 1024)));
}
