import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../../loadtest/metrics/LogHistogram.js';

/** Deterministic uniform [0, 1) (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The exact percentile the histogram approximates: the sample of rank ⌈p/100 · n⌉. */
function exactPercentile(sorted: Float64Array, p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

const PERCENTILES = [1, 10, 25, 50, 75, 90, 99, 99.9, 99.99];

const distributions: [string, (r: () => number) => number][] = [
  ['uniform 0..1e6', (r) => r() * 1e6],
  ['exponential, mean 5 ms in µs', (r) => -Math.log(1 - r()) * 5000],
  [
    'log-normal over nine decades',
    (r) => Math.exp(Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()) * 3 + 9),
  ],
  ['bimodal: fast acks and 1 s stalls', (r) => (r() < 0.97 ? 2000 + r() * 3000 : 1e6 + r() * 2e5)],
];

describe.each(distributions)('%s', (_name, draw) => {
  it('every percentile is within 1 % of the exact one (values from 100 up; exact below 256)', () => {
    // Prepare
    const r = prng(42);
    const n = 200_000;
    const values = new Float64Array(n);
    const h = new LogHistogram();
    // Act
    for (let i = 0; i < n; i++) {
      values[i] = draw(r);
      h.record(values[i]!);
    }
    values.sort();
    // Assess
    for (const p of PERCENTILES) {
      const exact = exactPercentile(values, p);
      const got = h.percentile(p);
      if (exact >= 100)
        expect(Math.abs(got - exact) / exact, `p${p}: ${got} vs ${exact}`).toBeLessThanOrEqual(0.01);
      else expect(Math.abs(got - exact), `p${p}: ${got} vs ${exact}`).toBeLessThanOrEqual(1);
    }
    expect(h.percentile(0)).toBe(values[0]);
    expect(h.percentile(100)).toBe(values[n - 1]);
    expect(h.count).toBe(n);
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / n, 3);
  });

  it('merging per-worker histograms gives exactly the one-histogram result, through JSON too', () => {
    const r = prng(7);
    const whole = new LogHistogram();
    const parts = [new LogHistogram(), new LogHistogram(), new LogHistogram()];
    for (let i = 0; i < 60_000; i++) {
      const v = Math.round(draw(r)); // integers: sums add up exactly in any order
      whole.record(v);
      parts[i % 3]!.record(v);
    }
    const merged = new LogHistogram();
    for (const p of parts) merged.merge(JSON.parse(JSON.stringify(p)));
    expect(merged.toJSON()).toEqual(whole.toJSON());
    for (const p of PERCENTILES) expect(merged.percentile(p)).toBe(whole.percentile(p));
  });
});

describe('bounded memory', () => {
  it('keeps the same number of buckets after 10 million samples over the whole range', () => {
    const h = new LogHistogram();
    const before = h.bucketCount;
    const r = prng(1);
    for (let i = 0; i < 10_000_000; i++) h.record(r() * 2 ** (r() * 50)); // up to 2^50: past the top bucket
    expect(h.bucketCount).toBe(before);
    expect(before).toBe(4864);
    expect(h.toJSON().buckets.length).toBeLessThanOrEqual(before);
    expect(h.count).toBe(10_000_000);
  });

  it('clamps values above the range into the top bucket but keeps max exact', () => {
    const h = new LogHistogram();
    h.record(2 ** 60);
    h.record(10);
    expect(h.max).toBe(2 ** 60);
    expect(h.percentile(100)).toBe(2 ** 60);
    expect(h.percentile(99)).toBeGreaterThan(2 ** 43);
  });
});

describe('edges', () => {
  it('is 0 when empty, counts negative values as 0, refuses NaN and infinity', () => {
    const h = new LogHistogram();
    expect(h.summary()).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0 });
    h.record(-3);
    expect(h.percentile(50)).toBe(0);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.record(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => h.percentile(101)).toThrow(RangeError);
  });

  it('records small integers exactly and weighs repeated samples', () => {
    const h = new LogHistogram();
    h.record(7, 99);
    h.record(200, 1);
    expect(h.percentile(99)).toBe(7);
    expect(h.percentile(99.5)).toBe(200);
    h.reset();
    expect(h.count).toBe(0);
  });
});
