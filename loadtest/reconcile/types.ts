import type { S3Client } from '@aws-sdk/client-s3';
import type { LakeStorage } from '../../datalake/storage/index.js';
import type { ReconciliationSummary } from '../report/types.js';
import type { RECONCILIATION_FORMAT, RUN_FORMAT, WORKER_FORMAT } from './constants.js';

/** run.json: what a run is, written before its load starts (docs/LOADTEST.md, "Run folder"). */
export interface RunFile {
  readonly format: typeof RUN_FORMAT;
  readonly run_id: string;
  readonly scenario: string;
  readonly started_at: string;
  /** The scenario's target plus `lake`: relative to the run folder, an `s3://` URL, or null (no lake known). */
  readonly target: { readonly kind?: string; readonly lake: string | null; readonly [key: string]: unknown };
  readonly seed: number;
  readonly workers: number;
  /** True once a curation run covered the run's raw data (set at the end of the run). */
  readonly curated: boolean;
  readonly datasets: Readonly<Record<string, { readonly stream?: string; readonly partition?: string }>>;
  /** The lake's lateness window, ms (optional: the curation default, 48 h, when absent). */
  readonly lateness_ms?: number;
}

/** One dataset's share of a load worker (what reconciliation derives the expected event ids from). */
export interface WorkerDataset {
  readonly producer_id: string;
  readonly seed: number;
  /** Generator sequence of the worker's first event of the dataset. */
  readonly first_sequence: number;
  /** Events handed to the sink: sequences [first_sequence, first_sequence + emitted). */
  readonly emitted: number;
  readonly acknowledged?: number;
  /** Handed over but written off by the sink (expired, rejected, failed): expected absent. */
  readonly failed_event_ids: readonly string[];
  readonly late?: number;
  readonly out_of_order?: number;
  /** The worker's span of simulated time (epoch ms): its events' partition times lie inside. */
  readonly simulated_from_ms?: number;
  readonly simulated_to_ms?: number;
}

/** `workers/<name>.json`: one load worker's result. */
export interface WorkerFile {
  readonly format: typeof WORKER_FORMAT;
  readonly worker: string;
  readonly index?: number;
  readonly of?: number;
  readonly started_at?: string;
  readonly ended_at?: string;
  readonly interrupted?: boolean;
  readonly limit?: string | null;
  readonly datasets: Readonly<Record<string, WorkerDataset>>;
  readonly metrics?: unknown;
}

/** A run folder as reconciliation reads it. */
export interface RunFolder {
  readonly dir: string;
  readonly run: RunFile;
  readonly workers: readonly WorkerFile[];
}

/** Options of {@link reconcileRun}. */
export interface ReconcileOptions {
  /** The lake to read instead of run.json's `target.lake` (a folder, an `s3://` URL or a storage). */
  readonly lake?: string | LakeStorage;
  /** S3 client for an `s3://` lake (default: the standard chain, `AWS_ENDPOINT_URL_S3`). */
  readonly s3Client?: S3Client;
  /**
   * Whether to check curated. @default run.json's `curated`
   */
  readonly curated?: boolean;
  /** Lateness window, ms: a found row whose arrival came later than this after its event time is `late`. */
  readonly latenessMs?: number;
  /** DuckDB memory limit (spills past it). @default 1GB */
  readonly memoryLimit?: string;
  /** DuckDB threads. @default 2 */
  readonly threads?: number;
  /** How long to wait for a local lake's lock held by compaction or curation. @default 10 min */
  readonly lockWaitMs?: number;
  /**
   * Raw hours read each side of the run's simulated span (see `RECONCILE_DEFAULTS.partitionMarginMs`);
   * Infinity reads the whole raw zone. @default 6 h
   */
  readonly partitionMarginMs?: number;
  /** Whether to write RUN_DIR/reconciliation.json. @default true */
  readonly write?: boolean;
  /** Progress lines (one per dataset and phase). */
  readonly onProgress?: (line: string) => void;
}

/** One event id for the user to look up. */
export interface ReconcileSample {
  readonly kind: 'lost' | 'duplicated_raw' | 'duplicated_curated' | 'lost_curated' | 'misplaced';
  readonly dataset: string;
  readonly event_id: string;
  /** Where it was seen (raw keys of a duplicate or a misplaced row), when known. */
  readonly where?: readonly string[];
}

/** Curated counts of one dataset (per natural key, pipeline.json `naturalKeys`). */
export interface CuratedReconciliation {
  /** Natural keys of the run's raw rows. */
  readonly keys: number;
  /** Of those, keys found in curated. */
  readonly found: number;
  /** Extra curated rows: a key with n rows counts n - 1. */
  readonly duplicated_curated: number;
  /** Keys of the run's raw rows in neither curated nor quarantine. */
  readonly lost_curated: number;
  /** Run events in the quarantine table. */
  readonly quarantined: number;
  /** Quarantined events by first failed rule (`dq_rule`). */
  readonly quarantine_rules: Readonly<Record<string, number>>;
}

/** Reconciliation of one dataset. */
export interface DatasetReconciliation {
  /** Expected event ids: every worker's sequence range minus its failed ids. */
  readonly sent: number;
  /** Expected ids found in raw (once or more). */
  readonly found_raw: number;
  /** Expected ids neither in raw nor in the error output. */
  readonly lost: number;
  /** Extra raw copies: an id n times in raw counts n - 1. */
  readonly duplicated_raw: number;
  /** Raw rows in a partition other than their dataset's partition rule assigns. */
  readonly misplaced: number;
  /** Found rows whose arrival was later than the lateness window after their partition time. */
  readonly late: number;
  /** Expected ids found only in the error output (errors/), not in raw. */
  readonly errors: number;
  /** Error output lines of the run's events by `errorCode`. */
  readonly error_reasons: Readonly<Record<string, number>>;
  /** Raw rows with a producer_id of the run but an id it did not expect (e.g. a failed id that arrived). */
  readonly unexpected: number;
  /** Raw rows not counted because a compacted file beside them holds them (a compaction in flight). */
  readonly compaction_copies: number;
  /** Raw files read. */
  readonly files: number;
  /** Raw files not read: in hours outside the run's simulated span and its margin. */
  readonly files_outside_run: number;
  readonly curated?: CuratedReconciliation;
}

/** What {@link reconcileRun} returns (and writes, with a format id, to reconciliation.json). */
export interface Reconciliation {
  readonly summary: ReconciliationSummary;
  readonly byDataset: Readonly<Record<string, DatasetReconciliation>>;
  /** `key: value` lines for the terminal, `lost: N` among them. */
  readonly lines: readonly string[];
  /** 1 when lost, duplicated_raw, duplicated_curated or misplaced is above 0, else 0. */
  readonly exitCode: 0 | 1;
  /** Up to 10 event ids per kind to look up. */
  readonly samples: readonly ReconcileSample[];
  /** Where raw was read and how. */
  readonly lake: string;
  readonly durationMs: number;
}

/** reconciliation.json. */
export interface ReconciliationFile {
  readonly format: typeof RECONCILIATION_FORMAT;
  readonly run_id: string;
  readonly lake: string;
  readonly reconciled_at: string;
  readonly duration_ms: number;
  readonly exit_code: 0 | 1;
  readonly summary: ReconciliationSummary;
  readonly datasets: Readonly<Record<string, DatasetReconciliation>>;
  readonly samples: readonly ReconcileSample[];
}
