import type { Scenario } from './types.js';

/**
 * The stream each dataset of a scenario writes to: `gridstream-<env>-<dataset>` on AWS,
 * `<stream_prefix><dataset>` on a kinesis endpoint, the dataset's name on the embedded emulator.
 *
 * @param s - the scenario
 * @returns stream name by dataset
 */
export function scenarioStreams(s: Scenario): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of Object.keys(s.datasets)) {
    if (s.target.kind === 'aws') out[d] = `gridstream-${s.target.env ?? 'dev'}-${d}`;
    else if (s.target.kind === 'kinesis') out[d] = `${s.target.streamPrefix ?? ''}${d}`;
    else out[d] = d;
  }
  return out;
}
