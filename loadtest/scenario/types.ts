import type { KafkaSaslMechanism } from '../../kafka/kafkaConnection.js';
import type { Dataset } from '../../schemas/index.js';
import type { STAGE_KINDS, TARGET_KINDS } from '../constants.js';

/** Where a scenario sends its load. */
export type TargetKind = (typeof TARGET_KINDS)[number];

/** A rate-profile stage kind. */
export type StageKind = (typeof STAGE_KINDS)[number];

/** Fields every stage has once read: its kind, a name (given or derived) and its length. */
interface StageBase {
  /** The stage's name: as given, else `<index>-<kind>` (e.g. `1-ramp`). */
  readonly name: string;
  /** Wall-clock length in milliseconds (a `search` stage: until its highest rate). */
  readonly durationMs: number;
}

/** One stage of a rate profile, rates in events per second, times in milliseconds. */
export type Stage =
  | (StageBase & {
      readonly kind: 'constant' | 'soak';
      readonly rate: number;
      readonly sampleEveryMs?: number;
    })
  | (StageBase & { readonly kind: 'ramp'; readonly from: number; readonly to: number })
  | (StageBase & {
      readonly kind: 'step';
      readonly from: number;
      readonly to: number;
      readonly steps: number;
    })
  | (StageBase & {
      readonly kind: 'spike';
      readonly base: number;
      readonly peak: number;
      readonly spikeAtMs: number;
      readonly spikeDurationMs: number;
      readonly repeatEveryMs?: number;
    })
  | (StageBase & { readonly kind: 'daily'; readonly hourly: readonly number[] })
  | (StageBase & {
      readonly kind: 'search';
      readonly start: number;
      readonly increase: number;
      readonly factor: boolean;
      readonly stepDurationMs: number;
      readonly max: number;
      readonly until: readonly string[];
    });

/** The load of one dataset. */
export interface DatasetLoad {
  readonly profile: readonly Stage[];
  /** Weights per record type (grid, weather) or trade status (transactions), normalised to sum 1. */
  readonly mix?: Readonly<Record<string, number>>;
  readonly lateShare: number;
  readonly lateByMs: number;
  readonly outOfOrderShare: number;
  readonly eventBytes?: number;
  readonly partitionKeys?: number;
}

/** Where the load goes. */
export interface Target {
  readonly kind: TargetKind;
  readonly endpoint?: string;
  readonly region?: string;
  readonly streamPrefix?: string;
  readonly env?: string;
  readonly shards?: number;
  /** kafka: an external cluster's brokers; undefined: an embedded broker the harness starts. */
  readonly brokers?: readonly string[];
  /** kafka: partitions per topic on the embedded broker (default: shards, else 2). */
  readonly partitions?: number;
  /** kafka with brokers: TLS (always on with SASL). */
  readonly tls?: boolean;
  /** kafka with brokers: SASL mechanism (credentials from the environment: `kafkaConnection`). */
  readonly sasl?: KafkaSaslMechanism;
  readonly enforceShardLimits: boolean;
}

/** A pass/fail rule on one metric of the run. */
export interface Threshold {
  /** Name shown in the SLO table: as given, else the metric with its scope. */
  readonly name: string;
  readonly metric: string;
  /** Upper bound (milliseconds for duration metrics). */
  readonly max?: number;
  /** Lower bound (milliseconds for duration metrics). */
  readonly min?: number;
  readonly dataset?: Dataset;
  readonly stage?: string;
  readonly abort: boolean;
}

/** A validated scenario, with defaults applied, durations in milliseconds. */
export interface Scenario {
  /** File name without `.yaml`. */
  readonly name: string;
  /** The file it was read from. */
  readonly file: string;
  readonly description?: string;
  readonly seed: number;
  readonly workers: number;
  readonly target: Target;
  readonly datasets: Readonly<Partial<Record<Dataset, DatasetLoad>>>;
  readonly thresholds: readonly Threshold[];
  readonly cost: { readonly kinesisMode: 'on_demand' | 'provisioned'; readonly probeQueriesPerHour: number };
}
