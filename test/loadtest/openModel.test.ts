import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../../loadtest/metrics/LogHistogram.js';
import { RunMetrics } from '../../loadtest/metrics/RunMetrics.js';
import { RateProfile } from '../../loadtest/profile/RateProfile.js';
import type { Stage } from '../../loadtest/scenario/types.js';
import { OpenModelScheduler, type ScheduledEvent } from '../../loadtest/scheduler/OpenModelScheduler.js';
import { type LoadClock, runOpenModel } from '../../loadtest/scheduler/runOpenModel.js';

const START = Date.UTC(2026, 6, 1);

/** A simulated clock: sleeping jumps to the wake-up time; `spend` models work taking time. */
function simulatedClock(): LoadClock & { spend(ms: number): void } {
  let now = START;
  return {
    now: () => now,
    sleepUntil: async (t) => {
      now = Math.max(now, t);
    },
    spend: (ms) => {
      now += ms;
    },
  };
}

const constant = (rate: number, seconds: number, name = 'c'): Stage => ({
  kind: 'constant',
  name,
  rate,
  durationMs: seconds * 1000,
});

describe('open-model schedule', () => {
  it('gives each event its intended time from the profile, in order, and all of them', () => {
    const profile = new RateProfile([
      constant(1000, 2),
      { kind: 'ramp', name: 'r', from: 1000, to: 3000, durationMs: 2000 },
    ]);
    const s = new OpenModelScheduler(profile, { startMs: START });
    const out: ScheduledEvent[] = [];
    const seen: ScheduledEvent[] = [];
    for (let t = START; !s.done; t += 7) {
      s.take(t, 10_000, out);
      for (const e of out) expect(e.intendedMs).toBeLessThanOrEqual(t);
      seen.push(...out.map((e) => ({ ...e })));
    }
    expect(seen.length).toBe(Math.ceil(profile.totalEvents));
    expect(seen.length).toBe(2000 + 4000);
    expect(seen[5]).toEqual({ seq: 5, intendedMs: START + 5, stage: 0 });
    expect(seen[2000]).toMatchObject({ seq: 2000, intendedMs: START + 2000, stage: 1 });
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.intendedMs).toBeGreaterThanOrEqual(seen[i - 1]!.intendedMs);
  });

  it('splits one profile over workers: disjoint event indexes whose union is the one-worker schedule', () => {
    const profile = new RateProfile([
      {
        kind: 'spike',
        name: 's',
        base: 100,
        peak: 900,
        spikeAtMs: 1000,
        spikeDurationMs: 500,
        durationMs: 3000,
      },
    ]);
    const single = new OpenModelScheduler(profile, { startMs: START });
    const all: ScheduledEvent[] = [];
    single.take(START + 10_000, 1e9, all);
    const union: ScheduledEvent[] = [];
    for (let w = 0; w < 3; w++) {
      const out: ScheduledEvent[] = [];
      new OpenModelScheduler(profile, { startMs: START, worker: w, workers: 3 }).take(
        START + 10_000,
        1e9,
        out,
      );
      union.push(...out);
    }
    union.sort((a, b) => a.seq - b.seq);
    expect(union).toEqual(all);
    expect(() => new OpenModelScheduler(profile, { startMs: START, worker: 3, workers: 3 })).toThrow(
      RangeError,
    );
  });
});

describe('a generator that falls behind', () => {
  it('still sends every event the profile asks for, reports its lag, and keeps the intended times', async () => {
    // Prepare: 1,000 events/s for 10 s; handing one event over costs 2 ms, so the generator reaches 500/s.
    const profile = new RateProfile([constant(1000, 10)]);
    const clock = simulatedClock();
    const scheduler = new OpenModelScheduler(profile, { startMs: START });
    const intended: number[] = [];
    const lags: number[] = [];
    // Act
    const result = await runOpenModel({
      scheduler,
      clock,
      maxBatch: 1,
      emit: (batch) => {
        intended.push(batch[0]!.intendedMs);
        clock.spend(2);
      },
      onLag: (lag) => lags.push(lag),
    });
    // Assess: nothing dropped, the rate asked is not lowered (intended time of event k stays k ms),
    // and the lag grows to about the 10 s the generator needed beyond the profile.
    expect(result.emitted).toBe(10_000);
    expect(intended[9_999]).toBe(START + 9_999);
    expect(result.maxLagMs).toBeGreaterThanOrEqual(9_990);
    expect(Math.max(...lags)).toBe(result.maxLagMs);
  });

  it('catches up in batches when it can: lag stays within one batch of work', async () => {
    const clock = simulatedClock();
    const scheduler = new OpenModelScheduler(new RateProfile([constant(1000, 10)]), { startMs: START });
    const result = await runOpenModel({ scheduler, clock, maxBatch: 500, emit: () => clock.spend(2) });
    expect(result.emitted).toBe(10_000);
    expect(result.maxLagMs).toBeLessThanOrEqual(2);
  });

  it('stops on the signal and says it was interrupted', async () => {
    const clock = simulatedClock();
    const controller = new AbortController();
    const scheduler = new OpenModelScheduler(new RateProfile([constant(100, 10)]), { startMs: START });
    const result = await runOpenModel({
      scheduler,
      clock,
      signal: controller.signal,
      emit: (batch) => {
        if (batch[0]!.seq >= 49) controller.abort();
      },
    });
    expect(result).toMatchObject({ emitted: 50, interrupted: true });
  });
});

describe('coordinated omission', () => {
  it('latency from the intended time shows a 1 s stall in p99; latency from the actual send hides it', async () => {
    // Prepare: 1,000 events/s for 10 s into a server that answers in 0.1 ms but stalls from 5 s to 6 s.
    const clock = simulatedClock();
    const scheduler = new OpenModelScheduler(new RateProfile([constant(1000, 10)]), { startMs: START });
    const fromIntended = new LogHistogram();
    const fromSend = new LogHistogram();
    const stall = [START + 5000, START + 6000];
    // Act: a synchronous client — the next event goes out when the previous answer is back.
    await runOpenModel({
      scheduler,
      clock,
      maxBatch: 1,
      emit: (batch) => {
        const sent = clock.now();
        const begins = sent >= stall[0]! && sent < stall[1]! ? stall[1]! : sent;
        clock.spend(begins - sent + 0.1);
        fromIntended.record((clock.now() - batch[0]!.intendedMs) * 1000);
        fromSend.record((clock.now() - sent) * 1000);
      },
    });
    // Assess (µs): ~10 % of the events were due during the stall and waited up to 1 s.
    expect(fromIntended.count).toBe(10_000);
    expect(fromIntended.percentile(99)).toBeGreaterThan(800_000);
    expect(fromIntended.percentile(85)).toBeLessThan(1000);
    expect(fromSend.percentile(99)).toBeLessThan(1000);
  });
});

describe('run metrics per dataset and stage', () => {
  it('hold one histogram per dataset, stage and measure however many samples, and merge across workers', () => {
    const workers = [new RunMetrics(), new RunMetrics()];
    const whole = new RunMetrics();
    for (let i = 0; i < 1_000_000; i++) {
      const dataset = i % 2 === 0 ? 'grid' : 'transactions';
      const stage = ['warm-up', 'plateau', 'spike'][i % 3]!;
      const ms = (i % 1000) + 0.5;
      for (const m of [workers[i % 2]!, whole]) {
        m.recordLatencyMs(dataset, stage, 'put_latency', ms);
        m.recordLatencyMs(dataset, stage, 'freshness.raw', ms * 10);
        m.add(dataset, stage, 'acknowledged');
      }
    }
    expect(whole.histogramCount).toBe(2 * 3 * 2);
    const merged = new RunMetrics().merge(JSON.parse(JSON.stringify(workers[0]))).merge(workers[1]!.toJSON());
    expect(merged.summary()).toEqual(whole.summary());
    const p99 = whole.summary().grid?.plateau?.latencyMs.put_latency?.p99 ?? 0;
    expect(Math.abs(p99 - 990.5) / 990.5).toBeLessThan(0.01);
    expect(whole.merged('freshness.raw').count).toBe(1_000_000);
  });
});
