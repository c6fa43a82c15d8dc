import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Dataset, EventByDataset } from '../schemas/index.js';
import { PRODUCER_DEFAULTS } from './constants.js';
import { ProducerOptionError, TooManyRejectsError } from './errors.js';
import type { EventGenerator } from './sources/types.js';
import type { EventSink, ProducerProgress, ProducerResult, StopReason } from './types.js';

/** Options of {@link runProducer}. */
export interface RunProducerOptions<D extends Dataset = Dataset> {
  /** Source of events. */
  readonly generator: EventGenerator<D>;
  /** Where they go (the caller owns it: `runProducer` flushes it but never closes it). */
  readonly sink: EventSink<D>;
  /** Target events per second; 0 = as fast as the sink's backpressure allows. @default 0 */
  readonly rate?: number;
  /**
   * When each event may be sent, wall-clock epoch ms (e.g. {@link RatePlan.dueAtMs}: a batch of
   * simulated time is sent when the speed-scaled wall clock reaches it, all at once, as a real feed
   * publishes an interval). The loop waits for it; use with `rate` 0.
   */
  readonly dueAtMs?: (event: EventByDataset[D]) => number;
  /** Stop once this many events were accepted (rejected ones do not count). @default unlimited */
  readonly count?: number;
  /** Stop after this long, ms. @default unlimited */
  readonly durationMs?: number;
  /** Stops the loop (e.g. on SIGINT); the sink is then not flushed: close it with a deadline. */
  readonly signal?: AbortSignal;
  /** Called every `progressIntervalMs` and once at the end. */
  readonly onProgress?: (progress: ProducerProgress) => void;
  /** @default 1000 */
  readonly progressIntervalMs?: number;
  /** Stop with TooManyRejectsError after this many rejects in a row. @default 1000 */
  readonly maxConsecutiveRejects?: number;
}

function checkOption(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isFinite(value) || value < min)) {
    throw new ProducerOptionError(name, value, `a finite number >= ${min}`);
  }
}

/**
 * The producer loop: takes events from a generator at a target rate and puts them into a sink, until
 * `count` events are accepted, `durationMs` passes or `signal` aborts. Awaiting each `put()` is what
 * makes the source slow down when the sink is full. Ends with a `flush()` unless stopped by the signal.
 * `gridstream produce` and `gridstream up` both run it in-process.
 *
 * @param options - generator, sink, rate and stop conditions
 * @returns what was produced and why it stopped
 * @throws TooManyRejectsError when the sink rejects `maxConsecutiveRejects` events in a row;
 *   SinkFailedError when the sink stopped on a non-retriable error
 * @example
 * ```ts
 * const controller = new AbortController();
 * const sink = new KinesisSink({ dataset: 'grid' });
 * const result = await runProducer({
 *   generator: createGenerator('grid', { seed: 1 }), sink, rate: 500, signal: controller.signal,
 * });
 * await sink.close({ deadlineMs: 10_000 });
 * ```
 */
export async function runProducer<D extends Dataset>(
  options: RunProducerOptions<D>,
): Promise<ProducerResult> {
  const { generator, sink, signal } = options;
  const rate = options.rate ?? PRODUCER_DEFAULTS.rate;
  checkOption('rate', rate, 0);
  checkOption('count', options.count, 0);
  checkOption('durationMs', options.durationMs, 0);
  const count = options.count ?? Number.POSITIVE_INFINITY;
  const maxRejects = options.maxConsecutiveRejects ?? PRODUCER_DEFAULTS.maxConsecutiveRejects;
  const started = performance.now();
  const endAt = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  let generated = 0;
  let accepted = 0;
  let rejected = 0;
  let consecutiveRejects = 0;
  // The schedule: event k is due at scheduleStart + k / rate.
  let scheduleStart = started;
  let scheduled = 0;
  let stoppedBy: StopReason | undefined;

  const progress = (): ProducerProgress => {
    const elapsedMs = performance.now() - started;
    return {
      dataset: sink.dataset,
      elapsedMs,
      generated,
      accepted,
      rejected,
      ratePerSec: elapsedMs > 0 ? (accepted * 1000) / elapsedMs : 0,
      sink: { ...sink.counters },
    };
  };
  const timer = options.onProgress
    ? setInterval(
        () => options.onProgress?.(progress()),
        options.progressIntervalMs ?? PRODUCER_DEFAULTS.progressIntervalMs,
      )
    : undefined;
  timer?.unref();

  try {
    while (stoppedBy === undefined) {
      const now = performance.now();
      if (signal?.aborted) stoppedBy = 'signal';
      else if (accepted >= count) stoppedBy = 'count';
      else if (now >= endAt) stoppedBy = 'duration';
      if (stoppedBy) break;
      let burst: number = PRODUCER_DEFAULTS.burst;
      if (rate > 0) {
        const due = Math.floor(((now - scheduleStart) / 1000) * rate) + 1;
        if (due - scheduled > Math.max(PRODUCER_DEFAULTS.burst, rate * PRODUCER_DEFAULTS.maxCatchUpSeconds)) {
          // Fell far behind (the sink pushed back): restart the schedule instead of bursting to catch up.
          scheduleStart = now;
          scheduled = 0;
          continue;
        }
        if (due <= scheduled) {
          const wait = Math.min(((scheduled + 1) * 1000) / rate - (now - scheduleStart), endAt - now);
          await pause(Math.max(1, wait), signal);
          continue;
        }
        burst = Math.min(due - scheduled, PRODUCER_DEFAULTS.burst);
      }
      for (let i = 0; i < burst && accepted < count; i++) {
        const event = generator.next();
        if (options.dueAtMs) {
          // Wait for the event's time (never past the duration); an event not yet due when the run
          // ends is not sent. A timer may fire a little early, so the clock is read again after it.
          const dueAt = options.dueAtMs(event);
          for (;;) {
            const wait = Math.min(dueAt - Date.now(), endAt - performance.now());
            if (!(wait > 0)) break; // due, the run's end, or no time at all (NaN): the checks below decide
            if ((await pause(wait, signal)) === 'aborted') {
              stoppedBy = 'signal';
              break;
            }
          }
          if (stoppedBy === undefined && (performance.now() >= endAt || Date.now() < dueAt)) {
            stoppedBy = 'duration';
          }
          if (stoppedBy) break;
        }
        generated += 1;
        scheduled += 1;
        const put = sink.put(event);
        let outcome: Awaited<typeof put> | 'aborted';
        if (signal) {
          // A put blocked on a stalled stream must not hold up shutdown: the caller closes the sink.
          put.catch(() => undefined);
          outcome = await untilAborted(put, signal);
        } else outcome = await put;
        if (outcome === 'aborted') {
          stoppedBy = 'signal';
          break;
        }
        if (signal?.aborted) stoppedBy = 'signal';
        if (outcome.accepted) {
          accepted += 1;
          consecutiveRejects = 0;
        } else {
          rejected += 1;
          consecutiveRejects += 1;
          if (consecutiveRejects >= maxRejects) {
            throw new TooManyRejectsError(sink.dataset, consecutiveRejects, outcome.error);
          }
        }
        if (stoppedBy) break;
      }
      // Let the sink's I/O (PutRecords answers, linger timers) run between bursts.
      await yieldToEventLoop();
    }
    if (stoppedBy !== 'signal') {
      const flushed = sink.flush();
      if (signal) {
        flushed.catch(() => undefined); // once aborted, nobody awaits it: the caller closes the sink
        await untilAborted(flushed, signal);
      } else await flushed;
      if (signal?.aborted) stoppedBy = 'signal';
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  const final = progress();
  options.onProgress?.(final);
  return { ...final, stoppedBy: stoppedBy ?? 'signal' };
}

/** The longest delay a Node timer takes (a longer one fires at once, with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sleeps `ms` (at most a timer's range; callers read the clock again), or until `signal` aborts. The
 * timer is cleared on abort, so a long wait (the next hourly batch) does not keep the process alive.
 */
function pause(ms: number, signal: AbortSignal | undefined): Promise<'slept' | 'aborted'> {
  return sleep(Math.min(ms, MAX_TIMER_MS), undefined, signal ? { signal } : undefined).then(
    () => 'slept' as const,
    () => 'aborted' as const,
  );
}

/**
 * `promise`, or `'aborted'` as soon as `signal` aborts. Not `Promise.race([promise, aborted])` with one
 * long-lived `aborted` promise: every race leaves a reaction on it until it settles, two per event
 * produced, which grew `up`'s heap by ~1 MB/s at 3,000 events/s. The listener here is removed when
 * `promise` settles.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | 'aborted'> {
  return new Promise<T | 'aborted'>((resolve, reject) => {
    const onAbort = (): void => resolve('aborted');
    // Subscribed first, as Promise.race would: a put already settled wins over an earlier abort.
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
