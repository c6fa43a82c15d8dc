import { describe, expect, it } from 'vitest';
import { RateProfile } from '../../loadtest/profile/RateProfile.js';
import type { Stage } from '../../loadtest/scenario/types.js';

const S = 1000;
const cases: [string, Stage[], number][] = [
  // [stage, profile, ∫rate worked out by hand]
  ['constant', [{ kind: 'constant', name: 'c', rate: 100, durationMs: 10 * S }], 1000],
  ['ramp', [{ kind: 'ramp', name: 'r', from: 0, to: 200, durationMs: 10 * S }], 1000],
  [
    'step',
    [{ kind: 'step', name: 's', from: 100, to: 300, steps: 3, durationMs: 30 * S }],
    10 * (100 + 200 + 300),
  ],
  [
    'spike, repeated',
    [
      {
        kind: 'spike',
        name: 'p',
        base: 10,
        peak: 110,
        spikeAtMs: 5 * S,
        spikeDurationMs: 2 * S,
        repeatEveryMs: 10 * S,
        durationMs: 30 * S,
      },
    ],
    30 * 10 + 3 * 2 * 100,
  ],
  ['soak', [{ kind: 'soak', name: 'k', rate: 50, durationMs: 3600 * S }], 180_000],
  [
    'daily, flat',
    [{ kind: 'daily', name: 'd', hourly: new Array(24).fill(40), durationMs: 24 * S }],
    40 * 24,
  ],
  [
    'search',
    [
      {
        kind: 'search',
        name: 'q',
        start: 100,
        increase: 100,
        factor: false,
        stepDurationMs: 5 * S,
        max: 400,
        until: [],
        durationMs: 20 * S,
      },
    ],
    5 * (100 + 200 + 300 + 400),
  ],
];

describe.each(cases)('%s', (_name, stages, expected) => {
  const p = new RateProfile(stages);

  it('asks for exactly the integral of its rate', () => {
    expect(p.totalEvents).toBeCloseTo(expected, 6);
    expect(p.eventsUntil(p.durationMs)).toBeCloseTo(expected, 6);
  });

  it('places event k where the cumulative count reaches k, in order, inside the profile', () => {
    let previous = -1;
    const n = Math.floor(p.totalEvents);
    for (let k = 0; k < n; k += Math.max(1, Math.floor(n / 2000))) {
      const t = p.offsetOfEvent(k);
      expect(t).toBeDefined();
      expect(t!).toBeGreaterThanOrEqual(previous);
      expect(t!).toBeLessThanOrEqual(p.durationMs);
      expect(Math.abs(p.eventsUntil(t!) - k)).toBeLessThan(1e-6 * Math.max(1, k));
      previous = t!;
    }
    expect(p.offsetOfEvent(Math.ceil(p.totalEvents))).toBeUndefined();
  });
});

describe('rate over time', () => {
  it('interpolates a ramp and a daily shape between its hours, and marks stages', () => {
    const p = new RateProfile([
      { kind: 'ramp', name: 'up', from: 100, to: 300, durationMs: 10 * S },
      {
        kind: 'daily',
        name: 'day',
        hourly: Array.from({ length: 24 }, (_, h) => h * 10),
        durationMs: 24 * S,
      },
    ]);
    expect(p.rateAt(5 * S)).toBe(200);
    expect(p.rateAt(10 * S + 2.5 * S)).toBeCloseTo(25, 9); // between hour 2 (20) and hour 3 (30)
    expect(p.stageAt(9.999 * S)).toBe(0);
    expect(p.stageAt(10 * S)).toBe(1);
    expect(p.rateAt(-1)).toBe(0);
    expect(p.rateAt(p.durationMs)).toBe(0);
  });

  it('a zero-rate stage sends nothing and the next stage starts on time', () => {
    const p = new RateProfile([
      { kind: 'constant', name: 'a', rate: 10, durationMs: 1 * S },
      { kind: 'constant', name: 'pause', rate: 0, durationMs: 5 * S },
      { kind: 'constant', name: 'b', rate: 10, durationMs: 1 * S },
    ]);
    expect(p.offsetOfEvent(9)).toBeCloseTo(900, 9);
    expect(p.offsetOfEvent(10)).toBeCloseTo(6 * S, 9);
    expect(p.totalEvents).toBe(20);
  });
});
