import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogHistogram } from '../../loadtest/metrics/LogHistogram.js';
import { loadPrices } from '../../loadtest/model/costModel.js';
import { scenarioCost, scenarioShardPredictions } from '../../loadtest/model/scenarioModels.js';
import { observeShards } from '../../loadtest/model/shardModel.js';
import { RateProfile } from '../../loadtest/profile/RateProfile.js';
import { evaluateSlos } from '../../loadtest/report/evaluateSlos.js';
import { RUN_FILES } from '../../loadtest/report/renderReport.js';
import {
  type DatasetStats,
  type Percentiles,
  type RunSummary,
  SUMMARY_FORMAT,
  type TimeSeriesPoint,
} from '../../loadtest/report/types.js';
import { loadScenario } from '../../loadtest/scenario/loadScenario.js';

/** Deterministic uniform [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pct(h: LogHistogram): Percentiles {
  const s = h.summary();
  return { count: s.count, p50: s.p50, p90: s.p90, p99: s.p99, max: s.max };
}

/**
 * Writes a run folder (summary.json and timeseries.jsonl) of a shipped scenario as the harness would,
 * built from its own pieces — the rate profile, histograms, the shard and cost models, SLO evaluation —
 * with latencies drawn from a seeded generator, so report tests have a complete, realistic run.
 *
 * @param dir - the run folder (created)
 * @param scenarioName - a shipped scenario
 * @returns the summary written
 */
export function writeSampleRun(dir: string, scenarioName = 'smoke'): RunSummary {
  mkdirSync(dir, { recursive: true });
  const scenario = loadScenario(scenarioName);
  const r = prng(scenario.seed);
  const start = Date.UTC(2026, 11, 5, 0, 0, 0);
  const lines: TimeSeriesPoint[] = [];
  const datasets: Record<string, DatasetStats> = {};
  let sent = 0;
  for (const [dataset, load] of Object.entries(scenario.datasets)) {
    const profile = new RateProfile(load.profile);
    const put = new LogHistogram();
    const raw = new LogHistogram();
    const queryable = new LogHistogram();
    let asked = 0;
    let throttles = 0;
    for (let s = 0; s * 1000 < profile.durationMs; s++) {
      const n = profile.eventsUntil((s + 1) * 1000) - profile.eventsUntil(s * 1000);
      asked += n;
      const ip = new LogHistogram();
      const ir = new LogHistogram();
      const iq = new LogHistogram();
      for (let i = 0; i < 50; i++) {
        ip.record(5 + r() * 20 + (r() < 0.02 ? 200 : 0));
        ir.record(2000 + r() * 4000);
        iq.record(9000 + r() * 6000);
      }
      put.merge(ip);
      raw.merge(ir);
      queryable.merge(iq);
      const th = s >= 20 && s < 23 ? Math.round(n * 0.01) : 0;
      throttles += th;
      lines.push({
        kind: 'load',
        t: start + (s + 1) * 1000,
        dataset,
        stage: profile.stages[profile.stageAt(s * 1000)]!.name,
        asked_rate: n,
        achieved_rate: n * (0.98 + r() * 0.02),
        put_latency_ms: pct(ip),
        freshness_raw_ms: pct(ir),
        freshness_queryable_ms: pct(iq),
        throttles: th,
        retries: th,
        generator_lag_ms: r() * 3,
      });
      if (s % 5 === 0)
        lines.push({ kind: 'stream', t: start + s * 1000, dataset, iterator_age_ms: 500 + r() * 1500 });
    }
    const count = Math.round(asked);
    sent += count;
    datasets[dataset] = {
      asked: count,
      sent: count,
      acknowledged: count,
      achieved_ratio: 1,
      throttles,
      retries: throttles,
      expirations: 0,
      put_latency_ms: pct(put),
      freshness_ms: { raw: pct(raw), queryable: pct(queryable) },
    };
  }
  const names = ['coordinator', 'load-0', 'emulator', 'delivery'];
  for (let s = 0; s <= 45; s += 2) {
    for (const [i, name] of names.entries()) {
      lines.push({
        kind: 'process',
        t: start + s * 1000,
        name,
        cpu_percent: 10 + i * 20 + r() * 10,
        rss_mib: 90 + i * 40 + s,
      });
    }
  }
  const reconciliation = {
    sent,
    found_raw: sent,
    lost: 0,
    duplicated_raw: 0,
    duplicated_curated: 0,
    misplaced: 0,
    late: 0,
    quarantined: 0,
  };
  const { slos, verdict } = evaluateSlos(scenario.thresholds, (metric, dataset) => {
    const ds = dataset ? [datasets[dataset]!] : Object.values(datasets);
    if (metric.startsWith('reconciliation.'))
      return reconciliation[metric.slice('reconciliation.'.length) as keyof typeof reconciliation];
    if (metric === 'rate.achieved_ratio') return Math.min(...ds.map((d) => d.achieved_ratio));
    if (metric === 'put_latency.p99') return Math.max(...ds.map((d) => d.put_latency_ms!.p99));
    if (metric === 'freshness.raw.p99') return Math.max(...ds.map((d) => d.freshness_ms!.raw!.p99));
    return undefined;
  });
  const summary: RunSummary = {
    format: SUMMARY_FORMAT,
    scenario: scenario.name,
    target: scenario.target.kind,
    started_at: new Date(start).toISOString(),
    ended_at: new Date(start + 45_000).toISOString(),
    verdict,
    slos,
    reconciliation,
    datasets,
    processes: names.map((name, i) => ({
      name,
      role: (['coordinator', 'load', 'emulator', 'delivery'] as const)[i]!,
      pid: 1000 + i,
      cpu_percent_max: 20 + i * 20,
      rss_mib_max: 135 + i * 40,
    })),
    // As a run with the limits enforced: every dataset's throttles seen, all of them on its first shard.
    shards: Object.fromEntries(
      Object.entries(scenarioShardPredictions(scenario)).map(([d, p]) => [
        d,
        {
          ...p!,
          observed: observeShards(p!, datasets[d]!.throttles, {
            [p!.shards[0]!.shardId]: datasets[d]!.throttles,
          }),
        },
      ]),
    ),
    cost: scenarioCost(scenario, loadPrices()),
    knee: null,
  };
  writeFileSync(join(dir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, RUN_FILES.timeSeries), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return summary;
}
