import type { KafkaAuth } from '../../kafka/kafkaConnection.js';
import { WORKER_FORMAT } from '../constants.js';
import type { CellJson } from '../metrics/RunMetrics.js';

export { WORKER_FORMAT };

/** Where a worker sends: the streams of each dataset and how to reach them. */
export interface WorkerTarget {
  /** Kinesis endpoint (embedded, kinesis); undefined: the standard AWS configuration (aws). */
  readonly endpoint?: string;
  readonly region?: string;
  /** Kafka target: the brokers; the sinks are KafkaSinks and `streams` names the topics. */
  /** Kafka brokers and how to authenticate (by name: the worker reads secrets from its environment). */
  readonly kafka?: { readonly brokers: readonly string[] } & KafkaAuth;
  /** Stream (Kafka: topic) name per dataset. */
  readonly streams: Readonly<Record<string, string>>;
}

/** What the coordinator tells one load worker (JSON over IPC, or an ECS task's input). */
export interface WorkerInput {
  readonly runId: string;
  /** The scenario file (the run folder's copy). */
  readonly scenarioFile: string;
  /** Worker name, e.g. `w0`. */
  readonly name: string;
  /** 0-based worker number. */
  readonly index: number;
  /** Workers sharing the profile. */
  readonly of: number;
  readonly target: WorkerTarget;
  /**
   * Simulated time of worker 0's first event, epoch ms (the run's start, aligned by each dataset's
   * batch step); worker w starts w spans later.
   */
  readonly simulatedStartMs: number;
  /** Where the result file is written (workers/<name>.json). */
  readonly resultFile: string;
  /** Freshness samples per dataset: one event every this many ms. @default 250 */
  readonly sampleEveryMs?: number;
  /** Metric snapshots: one every this many ms. @default 1000 */
  readonly snapshotEveryMs?: number;
}

/** A sampled event on its way: the times the worker saw (epoch ms). */
export interface FreshnessSample {
  readonly dataset: string;
  readonly stage: string;
  readonly event_id: string;
  readonly intended_ms: number;
  readonly sent_ms: number;
  readonly acked_ms: number;
}

/** One dataset of a worker result. */
export interface WorkerDatasetResult {
  readonly producer_id: string;
  readonly seed: number;
  /** Generator sequence of the first event: event_id = eventIdFor(eventIdKey(seed, producer_id, dataset), seq). */
  readonly first_sequence: number;
  /** Events taken from the generator and handed to the sink: sequences [first_sequence, first_sequence + emitted). */
  readonly emitted: number;
  /** Events the stream accepted. */
  readonly acknowledged: number;
  /** Handed over but written off (refused, expired, failed): a reconciliation expects them absent. */
  readonly failed_event_ids: readonly string[];
  readonly late: number;
  readonly out_of_order: number;
  /** Simulated time span [start, end) of this worker's events, epoch ms. */
  readonly simulated_from_ms: number;
  readonly simulated_to_ms: number;
  /** Universe size on the dataset's knob and its real-time rate (events/s). */
  readonly universe: number;
  readonly max_lag_ms: number;
}

/** workers/<name>.json: what one load worker did. */
export interface WorkerResult {
  readonly format: typeof WORKER_FORMAT;
  readonly worker: string;
  readonly index: number;
  readonly of: number;
  readonly pid?: number;
  readonly started_at: string;
  readonly ended_at: string;
  readonly interrupted: boolean;
  /** The limit this worker hit, e.g. `generator behind schedule: max lag 2.4 s`; null when none. */
  readonly limit: string | null;
  readonly datasets: Readonly<Record<string, WorkerDatasetResult>>;
  /** RunMetrics.toJSON(): mergeable counters and histograms per dataset and stage. */
  readonly metrics: Readonly<Record<string, Readonly<Record<string, CellJson>>>>;
}

/** A periodic report of a running worker. */
export interface WorkerSnapshot {
  readonly t: number;
  /** Measurements since the previous snapshot (RunMetrics.toJSON()). */
  readonly interval: Readonly<Record<string, Readonly<Record<string, CellJson>>>>;
  /** Per dataset: current stage name and how far behind the schedule the worker is, ms. */
  readonly datasets: Readonly<Record<string, { readonly stage: string; readonly lagMs: number }>>;
  /** Freshness samples acknowledged since the previous snapshot. */
  readonly samples: readonly FreshnessSample[];
}

/** Messages a worker child process sends its coordinator. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'snapshot'; readonly snapshot: WorkerSnapshot }
  | { readonly type: 'done'; readonly result: WorkerResult }
  | { readonly type: 'error'; readonly message: string };

/** Messages the coordinator sends a worker child process. */
export type CoordinatorMessage =
  | { readonly type: 'run'; readonly input: WorkerInput }
  | { readonly type: 'start'; readonly startMs: number }
  | { readonly type: 'stop' };
