import { join } from 'node:path';
import { PACKAGE_ROOT } from '../common/packageRoot.js';

/** Folder of the shipped scenarios: `gridstream loadtest run NAME` finds `NAME.yaml` here. */
export const SCENARIO_DIR = join(PACKAGE_ROOT, 'loadtest', 'scenarios');

/** The JSON Schema every scenario file is validated against. */
export const SCENARIO_SCHEMA_FILE = join(PACKAGE_ROOT, 'loadtest', 'scenario', 'scenario.schema.json');

/** Target kinds a scenario can run against. */
export const TARGET_KINDS = ['embedded', 'kinesis', 'aws', 'kafka'] as const;

/** Rate-profile stage kinds. */
export const STAGE_KINDS = ['constant', 'ramp', 'step', 'spike', 'soak', 'daily', 'search'] as const;

/**
 * The field whose enum symbols a dataset's `mix` weighs: the record type for grid and weather, the
 * trade status (NEW, AMEND, CANCEL) for transactions.
 */
export const MIX_FIELDS = { grid: 'record_type', weather: 'record_type', transactions: 'status' } as const;

/**
 * Threshold metrics whose bound is a duration (a number of seconds or a string such as `2s`); their
 * values are compared in milliseconds.
 */
export const DURATION_METRIC_PREFIXES = [
  'generator.lag',
  'put_latency.',
  'freshness.',
  'iterator_age.',
] as const;

/** Metrics that are counts of events or calls, bounded with `max` only. */
export const COUNT_METRIC_PREFIXES = ['reconciliation.', 'throttles', 'retries', 'expirations'] as const;

/**
 * Relative hourly shape of ERCOT system load on a summer weekday (hour 0 = midnight Central, peak 1.0 at
 * 17:00), rounded from ERCOT's published hourly load of August weekdays: low near 05:00, a steep
 * afternoon rise with the air conditioning, a fall after sunset.
 */
export const ERCOT_DAILY_LOAD_SHAPE = [
  0.72, 0.68, 0.65, 0.63, 0.62, 0.63, 0.66, 0.7, 0.74, 0.78, 0.83, 0.88, 0.92, 0.95, 0.98, 0.99, 1.0, 1.0,
  0.98, 0.95, 0.91, 0.86, 0.8, 0.76,
] as const;

/** Format id of run.json, the run folder's manifest written before load starts. */
export const RUN_FORMAT = 'gridstream-loadtest-run/1';

/** Format id of `workers/<name>.json`, one load worker's result (local or from an ECS task). */
export const WORKER_FORMAT = 'gridstream-loadtest-worker/1';
