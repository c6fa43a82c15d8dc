import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ScenarioError } from '../../loadtest/errors.js';
import { RateProfile } from '../../loadtest/profile/RateProfile.js';
import { loadScenario, parseScenario, shippedScenarios } from '../../loadtest/scenario/loadScenario.js';
import { parseDuration } from '../../loadtest/scenario/parseDuration.js';
import { tempDir } from '../helpers/tempDir.js';

const MINIMAL = `
target: { kind: embedded }
datasets:
  grid:
    profile:
      - { kind: constant, rate: 100, duration: 10s }
thresholds:
  - { metric: reconciliation.lost, max: 0 }
`;

// biome-ignore lint/suspicious/noExplicitAny: a scenario document has no static shape; each case pokes one key.
type Doc = Record<string, any>;

/** Parses MINIMAL with one change applied to its parsed form. */
function variant(change: (doc: Doc) => void): string {
  const doc = parse(MINIMAL) as Doc;
  change(doc);
  return stringify(doc);
}

function errorOf(text: string, file = 'bad.yaml'): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('the scenario was accepted');
}

describe('shipped scenarios', () => {
  it('ships the six scenarios of the issue, and every one validates', () => {
    // Prepare / Act
    const names = shippedScenarios();
    // Assess
    expect(names).toEqual(
      expect.arrayContaining(['smoke', 'steady-20k', 'ercot-peak-day', 'spike-storm', 'soak', 'knee']),
    );
    for (const name of names) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(Object.keys(s.datasets).length).toBeGreaterThan(0);
      expect(s.thresholds.length).toBeGreaterThan(0);
    }
  });

  it('smoke is at most 60 s of load on the embedded target, with exact-reconciliation thresholds', () => {
    const s = loadScenario('smoke');
    expect(s.target.kind).toBe('embedded');
    for (const load of Object.values(s.datasets))
      expect(new RateProfile(load.profile).durationMs).toBeLessThanOrEqual(60_000);
    expect(s.thresholds.find((t) => t.metric === 'reconciliation.lost')?.max).toBe(0);
  });

  it('steady-20k asks for 20,000 events/s in its steady stage', () => {
    const s = loadScenario('steady-20k');
    const total = Object.values(s.datasets).reduce(
      (sum, d) => sum + new RateProfile(d.profile).rateAt(5 * 60_000),
      0,
    );
    expect(total).toBe(20_000);
  });

  it('knee searches with abort thresholds and ercot-peak-day compresses 24 hours', () => {
    const knee = loadScenario('knee');
    const stage = knee.datasets.grid?.profile[0];
    expect(stage?.kind).toBe('search');
    expect(knee.thresholds.filter((t) => t.abort).map((t) => t.name)).toEqual(['fresh', 'keeps-up']);
    const day = loadScenario('ercot-peak-day').datasets.grid!;
    const p = new RateProfile(day.profile);
    // peak at the afternoon hours, trough before dawn
    expect(p.rateAt((16 / 24) * p.durationMs)).toBeCloseTo(15_000, 6);
    expect(p.rateAt((4 / 24) * p.durationMs)).toBeCloseTo(6_000, 6);
  });

  it('a path works as well as a name, and an unknown name lists the shipped ones', () => {
    const dir = tempDir('scenario');
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, MINIMAL);
    expect(loadScenario(file).name).toBe('mine');
    const err = (() => {
      try {
        loadScenario('no-such-scenario');
      } catch (e) {
        return e as ScenarioError;
      }
    })();
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err?.message).toMatch(/no-such-scenario: .*shipped: .*smoke/);
    expect(err?.exitCode).toBe(2);
  });
});

describe('scenario validation errors name the file, the key and the value', () => {
  const cases: [string, string, string, string][] = [
    // [what, scenario text, key expected, value text expected]
    ['unknown target', variant((d) => (d.target.kind = 'pulsar')), 'target.kind', '"pulsar"'],
    [
      'negative rate',
      variant((d) => (d.datasets.grid.profile[0].rate = -5)),
      'datasets.grid.profile[0].rate',
      '-5',
    ],
    [
      'bad duration',
      variant((d) => (d.datasets.grid.profile[0].duration = '10 minutes')),
      'datasets.grid.profile[0].duration',
      '"10 minutes"',
    ],
    [
      'unknown stage kind',
      variant((d) => (d.datasets.grid.profile[0].kind = 'sawtooth')),
      'datasets.grid.profile[0].kind',
      '"sawtooth"',
    ],
    [
      'ramp without to',
      variant((d) => (d.datasets.grid.profile[0] = { kind: 'ramp', from: 1, duration: '5s' })),
      'datasets.grid.profile[0]',
      'missing required property "to"',
    ],
    [
      'a key of another stage kind',
      variant((d) => (d.datasets.grid.profile[0].peak = 9)),
      'datasets.grid.profile[0]',
      'unexpected property peak',
    ],
    ['share above 1', variant((d) => (d.datasets.grid.late_share = 1.5)), 'datasets.grid.late_share', '1.5'],
    [
      'mix key not in the contract',
      variant((d) => (d.datasets.grid.mix = { TRADE: 1 })),
      'datasets.grid.mix.TRADE',
      'SETTLEMENT_POINT_PRICE',
    ],
    [
      'unknown dataset',
      variant((d) => (d.datasets.power = d.datasets.grid)),
      'datasets',
      'unexpected property power',
    ],
    [
      'unknown metric',
      variant((d) => (d.thresholds[0].metric = 'latency')),
      'thresholds[0].metric',
      '"latency"',
    ],
    [
      'threshold without bound',
      variant((d) => delete d.thresholds[0].max),
      'thresholds[0]',
      'needs max or min',
    ],
    [
      'threshold on a missing dataset',
      variant((d) => (d.thresholds[0].dataset = 'weather')),
      'thresholds[0].dataset',
      '"weather"',
    ],
    [
      'threshold on a missing stage',
      variant((d) => (d.thresholds[0].stage = 'peak')),
      'thresholds[0].stage',
      '"peak"',
    ],
    [
      'duration metric with a bad bound',
      variant((d) => d.thresholds.push({ metric: 'put_latency.p99', max: 'fast' })),
      'thresholds[1].max',
      '"fast"',
    ],
    [
      'spike outside its stage',
      variant(
        (d) =>
          (d.datasets.grid.profile[0] = {
            kind: 'spike',
            base: 1,
            peak: 5,
            duration: '10s',
            spike_at: '8s',
            spike_duration: '5s',
          }),
      ),
      'datasets.grid.profile[0].spike_at',
      '"8s"',
    ],
    [
      'search ending below its start',
      variant(
        (d) =>
          (d.datasets.grid.profile[0] = {
            kind: 'search',
            start: 100,
            increase: 10,
            step_duration: '5s',
            max: 50,
          }),
      ),
      'datasets.grid.profile[0].max',
      '50',
    ],
    [
      'search naming no threshold',
      variant(
        (d) =>
          (d.datasets.grid.profile[0] = {
            kind: 'search',
            start: 100,
            increase: 10,
            step_duration: '5s',
            max: 500,
            until: ['fast'],
          }),
      ),
      'datasets.grid.profile[0].until[0]',
      '"fast"',
    ],
    [
      'endpoint on the embedded target',
      variant((d) => (d.target.endpoint = 'http://127.0.0.1:1')),
      'target.endpoint',
      '"http://127.0.0.1:1"',
    ],
  ];

  it.each(cases)('%s', (_what, text, key, valueText) => {
    // Act
    const err = errorOf(text);
    // Assess
    expect(err.file).toBe('bad.yaml');
    expect(err.key).toBe(key);
    expect(err.message).toMatch(/^bad\.yaml:\d+: /);
    expect(err.message).toContain(`${key}`);
    expect(err.message).toContain(valueText);
    expect(err.exitCode).toBe(2);
  });

  it('gives the line of the offending key', () => {
    const text = MINIMAL.replace('rate: 100', 'rate: -1');
    const err = errorOf(text);
    expect(err.message).toMatch(/^bad\.yaml:6: datasets\.grid\.profile\[0\]\.rate = -1: /);
  });

  it('refuses a profile of more than 1,000 stages (a worker packs the stage into 12 bits)', () => {
    const stages = (n: number) =>
      Array.from({ length: n }, () => '      - { kind: constant, rate: 1, duration: 1s }').join('\n');
    const text = (n: number) =>
      MINIMAL.replace('      - { kind: constant, rate: 100, duration: 10s }', stages(n));
    expect(parseScenario(text(1000), 'ok.yaml').datasets.grid!.profile).toHaveLength(1000);
    expect(errorOf(text(1001)).message).toMatch(
      /^bad\.yaml:\d+: datasets\.grid\.profile = .*has 1001 item\(s\), at most 1000 allowed/,
    );
  });

  it('refuses text that is not YAML, or duplicate keys, with the line', () => {
    expect(errorOf('target: { kind: embedded\n').message).toMatch(
      /^bad\.yaml:\d+: \(document\): not valid YAML/,
    );
    expect(errorOf(`${MINIMAL}\ntarget: { kind: aws }\n`).message).toMatch(/not valid YAML/);
  });

  it('accepts the minimal scenario and applies defaults', () => {
    const s = parseScenario(MINIMAL, 'ok.yaml');
    expect(s).toMatchObject({
      name: 'ok',
      seed: 1,
      workers: 1,
      target: { kind: 'embedded', enforceShardLimits: false },
    });
    expect(s.datasets.grid).toMatchObject({ lateShare: 0, outOfOrderShare: 0, lateByMs: 3_600_000 });
    expect(s.datasets.grid?.profile[0]).toEqual({
      kind: 'constant',
      name: '0-constant',
      rate: 100,
      durationMs: 10_000,
    });
    expect(s.thresholds[0]).toEqual({
      name: 'reconciliation.lost',
      metric: 'reconciliation.lost',
      max: 0,
      abort: false,
    });
  });
});

describe('durations', () => {
  it.each([
    [30, 30_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['2d', 172_800_000],
    ['1m30s', 90_000],
  ] as const)('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '10', '5 s', 'm', '-3s', '1x'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
