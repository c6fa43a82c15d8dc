import type { Dataset } from '../schemas/index.js';
import { type CostEstimate, loadPrices, type PriceTable } from './model/costModel.js';
import { peakRate, scenarioCost, scenarioShardPredictions } from './model/scenarioModels.js';
import type { ShardPrediction } from './model/shardModel.js';
import { RateProfile } from './profile/RateProfile.js';
import { formatDuration } from './scenario/parseDuration.js';
import type { Scenario } from './scenario/types.js';

/** What a scenario asks for before it runs: per dataset its events, peak and shard prediction, and its cost. */
export interface ScenarioPlan {
  readonly scenario: string;
  readonly durationMs: number;
  readonly datasets: Readonly<
    Partial<
      Record<
        Dataset,
        { readonly events: number; readonly peakRate: number; readonly shards: ShardPrediction }
      >
    >
  >;
  readonly cost: CostEstimate;
}

/**
 * Plans a scenario: the events and peak rate of each profile, the shard model at the peak, the cost on AWS.
 *
 * @param scenario - a loaded scenario
 * @param prices - the price table
 */
export function planScenario(scenario: Scenario, prices: PriceTable = loadPrices()): ScenarioPlan {
  const shards = scenarioShardPredictions(scenario);
  const datasets: Partial<Record<Dataset, { events: number; peakRate: number; shards: ShardPrediction }>> =
    {};
  let durationMs = 0;
  for (const [d, load] of Object.entries(scenario.datasets) as [Dataset, Scenario['datasets'][Dataset]][]) {
    const p = new RateProfile(load!.profile);
    durationMs = Math.max(durationMs, p.durationMs);
    datasets[d] = { events: Math.floor(p.totalEvents), peakRate: peakRate(p), shards: shards[d]! };
  }
  return { scenario: scenario.name, durationMs, datasets, cost: scenarioCost(scenario, prices) };
}

/**
 * A plan as plain lines, one per dataset and a cost line.
 *
 * @param plan - from {@link planScenario}
 */
export function formatPlan(plan: ScenarioPlan): string[] {
  const lines = [`scenario ${plan.scenario}: ${formatDuration(plan.durationMs)} of load`];
  for (const [d, x] of Object.entries(plan.datasets)) {
    const hot = x.shards.shards.find((s) => s.shardId === x.shards.hottest)!;
    lines.push(
      `${d}: ${x.events.toLocaleString('en-US')} events, peak ${x.peakRate.toLocaleString('en-US')}/s; ` +
        `${x.shards.shards.length} shard(s), hottest ${x.shards.hottest} at ${(hot.utilisation * 100).toFixed(0)} % of its ${hot.limitedBy} limit, ` +
        `skew ${x.shards.skew.toFixed(2)}${x.shards.overLimit.length > 0 ? `, over the limit: ${x.shards.overLimit.join(' ')} (AWS would throttle ${(x.shards.excessShare * 100).toFixed(1)} %)` : ''}`,
    );
  }
  const c = plan.cost;
  lines.push(
    `cost on AWS (${c.region}, prices as of ${c.asOf}): ${c.perHour.toFixed(2)} ${c.currency}/hour, ${c.perMillionEvents.toFixed(3)} ${c.currency} per million events, ${c.total.toFixed(2)} ${c.currency} for the profile`,
  );
  return lines;
}
