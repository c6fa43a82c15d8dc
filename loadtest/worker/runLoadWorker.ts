import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import type { BufferedRecord, SettledOutcome } from '../../producers/kinesis/types.js';
import { createGenerator } from '../../producers/sources/createGenerator.js';
import { mulberry32 } from '../../producers/sources/prng.js';
import type { EventGenerator } from '../../producers/sources/types.js';
import type { Dataset } from '../../schemas/index.js';
import { type MetricsCell, RunMetrics } from '../metrics/RunMetrics.js';
import { RateProfile } from '../profile/RateProfile.js';
import { loadScenario } from '../scenario/loadScenario.js';
import { OpenModelScheduler } from '../scheduler/OpenModelScheduler.js';
import { type LoadClock, runOpenModel, WALL_LOAD_CLOCK } from '../scheduler/runOpenModel.js';
import { createLoadSink, type LoadSink } from './createLoadSink.js';
import { HoldQueue } from './HoldQueue.js';
import {
  type FreshnessSample,
  WORKER_FORMAT,
  type WorkerDatasetResult,
  type WorkerInput,
  type WorkerResult,
  type WorkerSnapshot,
} from './types.js';
import { type WorkerSlice, workerSlice } from './workerSlice.js';

/** A worker whose largest schedule lag passes this reports the generator (or the sink) as its limit. */
export const LAG_LIMIT_MS = 1_000;

/** How long a worker's sinks get to deliver what they hold when the load ends (interrupted: shorter). */
const CLOSE_DEADLINE_MS = { done: 60_000, interrupted: 15_000 } as const;

/** Hooks of {@link runLoadWorker}: when to start, when to stop, where snapshots go. */
export interface LoadWorkerHooks {
  /** Resolves with the wall time of the profile's offset 0 once every worker is ready (the coordinator's go). */
  readonly start: () => Promise<number>;
  /** Stops the load: events not yet due are not sent; what was generated is still sent and accounted. */
  readonly signal?: AbortSignal;
  /** Receives a snapshot every `snapshotEveryMs`. */
  readonly onSnapshot?: (snapshot: WorkerSnapshot) => void;
  /** @default the wall clock */
  readonly clock?: LoadClock;
}

/**
 * An event in flight, packed into the one number the sink carries with its record (`put(event, tag)`)
 * and gives back to `onSettled`, so a worker at 100k events/s keeps no lookup and allocates no object
 * per event: the intended time in quarter milliseconds since the worker's base, the stage, and whether
 * the event is a freshness sample (its send time then sits in `DatasetRun.sampleSentMs`).
 */
const STAGE_SLOTS = 4096;
const QUARTERS_PER_MS = 4;

/**
 * Packs an in-flight event (exact for stages below {@link STAGE_SLOTS}; times to a quarter ms). An
 * offset below 0 (a wall clock stepped back) counts as 0.
 */
export function packPending(offsetMs: number, stage: number, sample: boolean): number {
  const quarters = Math.max(0, Math.round(offsetMs * QUARTERS_PER_MS));
  return (quarters * STAGE_SLOTS + stage) * 2 + (sample ? 1 : 0);
}

/** The parts of a {@link packPending} number. */
export function unpackPending(packed: number): { offsetMs: number; stage: number; sample: boolean } {
  const sample = packed % 2 === 1;
  const rest = (packed - (sample ? 1 : 0)) / 2;
  const stage = rest % STAGE_SLOTS;
  return { offsetMs: (rest - stage) / STAGE_SLOTS / QUARTERS_PER_MS, stage, sample };
}

interface Held {
  readonly event: { readonly event_id: string };
  readonly stage: number;
}

/** One dataset of a running worker. */
interface DatasetRun {
  readonly dataset: Dataset;
  readonly slice: WorkerSlice;
  readonly profile: RateProfile;
  readonly stageNames: readonly string[];
  readonly generator: EventGenerator;
  readonly sink: LoadSink;
  readonly scheduler: OpenModelScheduler;
  readonly holds: HoldQueue<Held>;
  readonly lateShare: number;
  readonly outOfOrderShare: number;
  /** Send time of the in-flight freshness samples (a few per second), by event id. */
  readonly sampleSentMs: Map<string, number>;
  readonly failed: Set<string>;
  readonly samples: FreshnessSample[];
  cells: MetricsCell[];
  emitted: number;
  acknowledged: number;
  late: number;
  outOfOrder: number;
  stage: number;
  lagMs: number;
  maxLagMs: number;
  lastSampleMs: number;
  sinkError: string | undefined;
  seen: { throttled: number; retried: number };
  blocked: boolean;
  rng: () => number;
}

/**
 * Runs one load worker's slice of every dataset of a scenario in the open model: each dataset's
 * scheduler hands out this worker's events at their intended times, the real generator makes them,
 * late and out-of-order shares are held back (late_by / speed, or a short random time) and released
 * in order, and the real KinesisSink sends them. Every event is accounted: asked when due, sent when
 * handed to the sink, acknowledged (PutRecords latency from the intended time, or from the release of
 * a held event), or written off (its id kept for the reconciliation). A generator that falls behind is
 * never slowed: the overdue events go out at once and the lag is recorded and reported as the limit.
 *
 * @param input - the worker's part of the run
 * @param hooks - start, stop and snapshot hooks
 * @returns what `workers/<name>.json` holds
 */
export async function runLoadWorker(input: WorkerInput, hooks: LoadWorkerHooks): Promise<WorkerResult> {
  const clock = hooks.clock ?? WALL_LOAD_CLOCK;
  const scenario = loadScenario(input.scenarioFile);
  const sampleEveryMs = input.sampleEveryMs ?? 250;
  const client = createKinesisClient({
    ...(input.target.endpoint ? { endpoint: input.target.endpoint } : {}),
    ...(input.target.region ? { region: input.target.region } : {}),
  });
  let interval = new RunMetrics();
  const total = new RunMetrics();
  const runs: DatasetRun[] = [];
  for (const [i, [name, load]] of Object.entries(scenario.datasets).entries()) {
    const dataset = name as Dataset;
    const profile = new RateProfile(load.profile);
    const slice = workerSlice(dataset, load, profile, {
      runId: input.runId,
      name: input.name,
      index: input.index,
      of: input.of,
      seed: scenario.seed,
      simulatedStartMs: input.simulatedStartMs,
    });
    const stageNames = profile.stages.map((s) => s.name);
    const run: DatasetRun = {
      dataset,
      slice,
      profile,
      stageNames,
      generator: createGenerator(dataset, { ...slice.generatorOptions, clock: slice.plan.clock() }),
      sink: undefined as unknown as LoadSink,
      scheduler: undefined as unknown as OpenModelScheduler,
      holds: new HoldQueue(),
      lateShare: load.lateShare,
      outOfOrderShare: load.outOfOrderShare,
      sampleSentMs: new Map(),
      failed: new Set(),
      samples: [],
      cells: stageNames.map((s) => interval.cell(dataset, s)),
      emitted: 0,
      acknowledged: 0,
      late: 0,
      outOfOrder: 0,
      stage: 0,
      lagMs: 0,
      maxLagMs: 0,
      lastSampleMs: 0,
      sinkError: undefined,
      seen: { throttled: 0, retried: 0 },
      blocked: false,
      // The late and out-of-order draws of a worker: deterministic per seed, worker and dataset.
      rng: mulberry32((scenario.seed * 7919 + input.index * 104_729 + i * 1_299_709) >>> 0),
    };
    (run as { sink: LoadSink }).sink = createLoadSink(
      input.target,
      dataset,
      () => client,
      (records, outcome) => settled(run, records, outcome),
    );
    runs.push(run);
  }

  function settled(run: DatasetRun, records: readonly BufferedRecord[], outcome: SettledOutcome): void {
    const now = clock.now();
    for (const r of records) {
      const p = unpackPending(r.tag);
      const intendedMs = baseMs + p.offsetMs;
      const cell = run.cells[p.stage]!;
      let sentMs: number | undefined;
      if (p.sample) {
        sentMs = run.sampleSentMs.get(r.eventId);
        run.sampleSentMs.delete(r.eventId);
      }
      if (outcome === 'acknowledged') {
        run.acknowledged += 1;
        cell.add('acknowledged');
        cell.recordLatencyMs('put_latency', now - intendedMs);
        if (sentMs !== undefined) {
          run.samples.push({
            dataset: run.dataset,
            stage: run.stageNames[p.stage]!,
            event_id: r.eventId,
            intended_ms: intendedMs,
            sent_ms: sentMs,
            acked_ms: now,
          });
        }
      } else {
        run.failed.add(r.eventId);
        if (outcome === 'expired') cell.add('expirations');
      }
    }
  }

  /**
   * Hands one event to the sink, accounts for it, and waits until the sink buffered it (one await per
   * event, as in `runProducer`). A refused event, or any event once the sink stopped, is written off.
   */
  async function send(
    run: DatasetRun,
    event: Held['event'],
    intendedMs: number,
    stage: number,
  ): Promise<void> {
    const now = clock.now();
    const cell = run.cells[stage]!;
    cell.add('sent');
    cell.recordLatencyMs('freshness.sent', now - intendedMs);
    const id = event.event_id;
    if (run.sinkError !== undefined) {
      run.failed.add(id);
      return;
    }
    const sample = now - run.lastSampleMs >= sampleEveryMs;
    if (sample) {
      run.lastSampleMs = now;
      run.sampleSentMs.set(id, now);
    }
    const pending = run.sink.put(event, packPending(intendedMs - baseMs, stage, sample));
    // A put waiting for buffer space: the stream, not the generator, is holding the load back.
    if (run.sink.counters.blockedPuts > 0) run.blocked = true;
    try {
      if ((await pending).accepted) return;
    } catch (err) {
      // The sink stopped for good (stream missing, access denied): every later event is written off too.
      run.sinkError ??= (err as Error).message;
    }
    run.sampleSentMs.delete(id);
    run.failed.add(id);
  }

  /** Sends every held event due at `nowMs` (all of them with Infinity). */
  async function release(run: DatasetRun, nowMs: number): Promise<void> {
    for (let h = run.holds.pop(nowMs); h !== undefined; h = run.holds.pop(nowMs)) {
      // A held event's latency counts from its release (the spec), not from its original slot.
      await send(run, h.event, clock.now(), h.stage);
    }
  }

  function snapshot(): WorkerSnapshot {
    for (const run of runs) {
      const c = run.sink.counters;
      const cell = run.cells[run.stage]!;
      cell.add('throttles', c.throttled - run.seen.throttled);
      cell.add('retries', c.retried - run.seen.retried);
      run.seen = { throttled: c.throttled, retried: c.retried };
      if (c.blockedPuts > 0) run.blocked = true;
    }
    const json = interval.toJSON();
    total.merge(json);
    interval = new RunMetrics();
    for (const run of runs) run.cells = run.stageNames.map((s) => interval.cell(run.dataset, s));
    const samples = runs.flatMap((r) => r.samples.splice(0));
    return {
      t: clock.now(),
      interval: json,
      datasets: Object.fromEntries(
        runs.map((r) => [r.dataset, { stage: r.stageNames[r.stage]!, lagMs: r.lagMs }]),
      ),
      samples,
    };
  }

  const startedAt = new Date();
  const startMs = await hooks.start();
  // In-flight times are kept as offsets from here (see packPending); released events come later still.
  const baseMs = Math.min(startMs, clock.now());
  for (const run of runs) {
    (run as { scheduler: OpenModelScheduler }).scheduler = new OpenModelScheduler(run.profile, {
      startMs,
      worker: input.index,
      workers: input.of,
    });
  }
  const emitSnapshot = (): void => {
    // Always taken: it also folds the interval's measurements into the worker's totals.
    const s = snapshot();
    hooks.onSnapshot?.(s);
  };
  const timer = setInterval(emitSnapshot, input.snapshotEveryMs ?? 1000);
  const releasing = new Set<DatasetRun>();
  const releaser = setInterval(() => {
    for (const run of runs) {
      if (releasing.has(run) || run.holds.size === 0) continue;
      releasing.add(run);
      release(run, clock.now()).finally(() => releasing.delete(run));
    }
  }, 20);
  try {
    await Promise.all(
      runs.map(async (run) => {
        const result = await runOpenModel({
          scheduler: run.scheduler,
          clock,
          ...(hooks.signal ? { signal: hooks.signal } : {}),
          onLag: (lag, stage) => {
            run.lagMs = lag;
            if (lag > run.maxLagMs) run.maxLagMs = lag;
            run.stage = stage;
            run.cells[stage]!.recordLatencyMs('generator.lag', lag);
          },
          emit: async (batch) => {
            const now = clock.now();
            for (const ev of batch) {
              const cell = run.cells[ev.stage]!;
              cell.add('asked');
              const event = run.generator.next() as Held['event'];
              run.emitted += 1;
              const r = run.rng();
              if (r < run.lateShare) {
                run.late += 1;
                run.holds.push(now + run.slice.lateHoldMs, { event, stage: ev.stage });
              } else if (r < run.lateShare + run.outOfOrderShare) {
                run.outOfOrder += 1;
                run.holds.push(now + run.rng() * run.slice.outOfOrderHoldMs, { event, stage: ev.stage });
              } else await send(run, event, ev.intendedMs, ev.stage);
            }
          },
        });
        if (result.interrupted) return;
      }),
    );
  } finally {
    clearInterval(releaser);
    while (releasing.size > 0)
      await Promise.all([...releasing].map(() => new Promise((r) => setTimeout(r, 5))));
    // Held events were taken from the generator: they go out now, so the emitted range stays contiguous.
    for (const run of runs) await release(run, Number.POSITIVE_INFINITY);
    const interrupted = hooks.signal?.aborted === true;
    const deadlineMs = interrupted ? CLOSE_DEADLINE_MS.interrupted : CLOSE_DEADLINE_MS.done;
    await Promise.all(runs.map((r) => r.sink.close({ deadlineMs }).catch(() => undefined)));
    client.destroy();
    clearInterval(timer);
  }
  emitSnapshot();
  const interrupted = hooks.signal?.aborted === true;
  const datasets: Record<string, WorkerDatasetResult> = {};
  for (const run of runs) {
    datasets[run.dataset] = {
      producer_id: run.slice.producerId,
      seed: scenario.seed,
      first_sequence: run.slice.plan.generatorOptions.startSequence ?? 0,
      emitted: run.emitted,
      acknowledged: run.acknowledged,
      failed_event_ids: [...run.failed],
      late: run.late,
      out_of_order: run.outOfOrder,
      simulated_from_ms: run.slice.simulatedStartMs,
      simulated_to_ms: run.slice.simulatedStartMs + run.slice.spanMs,
      universe: run.slice.plan.universe,
      max_lag_ms: Math.round(run.maxLagMs),
    };
  }
  return {
    format: WORKER_FORMAT,
    worker: input.name,
    index: input.index,
    of: input.of,
    pid: process.pid,
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
    interrupted,
    limit: limitOf(runs),
    datasets,
    metrics: total.toJSON(),
  };
}

/** The limit a worker hit: a stream that refused, a sink that pushed back, or a generator behind schedule. */
function limitOf(runs: readonly DatasetRun[]): string | null {
  const refused = runs.find((r) => r.sinkError !== undefined);
  if (refused) return `stream refused the records (${refused.dataset}): ${refused.sinkError}`;
  const worst = runs.reduce<DatasetRun | undefined>(
    (w, r) => (!w || r.maxLagMs > w.maxLagMs ? r : w),
    undefined,
  );
  if (!worst || worst.maxLagMs <= LAG_LIMIT_MS) return null;
  const lag = `max lag ${(worst.maxLagMs / 1000).toFixed(1)} s (${worst.dataset})`;
  return runs.some((r) => r.blocked)
    ? `sink backpressure: the stream did not take the rate, ${lag}`
    : `generator behind schedule: ${lag}`;
}
