import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { MetricDimensions } from '../../common/metrics.js';
import type { Retrier } from '../../common/retry/index.js';
import type { LakeStorage } from '../../datalake/storage/index.js';
import type { Dataset } from '../../schemas/index.js';
import type { ERROR_CODES } from './constants.js';
import type { RecordSourceFactory } from './source/index.js';

/** A Kinesis stream and the dataset (contract, lake folder) its events belong to. */
export interface StreamBinding {
  /** Dataset of the events. */
  readonly dataset: Dataset;
  /** Kinesis stream name. @default the dataset name */
  readonly streamName?: string;
}

/** One error output folder, e.g. `format-conversion-failed`. */
export type { ErrorType } from '../../datalake/layout.js';

import type { ErrorType } from '../../datalake/layout.js';
/** Machine-readable reason of an error record. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * One line of an error file (`errors/<type>/dt=…/hr=…/*.jsonl`), as Firehose writes its error
 * records plus where the record came from.
 */
export interface ErrorRecord {
  /** Error output folder. */
  readonly errorType: ErrorType;
  /** Machine-readable reason. */
  readonly errorCode: ErrorCode;
  /** Human-readable reason; for contract errors it names every failing field path. */
  readonly errorMessage: string;
  /** Contract violations with their field paths (contract errors only). */
  readonly violations?: readonly { readonly path: string; readonly reason: string }[];
  /** Dataset the stream carries. */
  readonly dataset: Dataset;
  /** Kinesis stream name. */
  readonly stream: string;
  /** Shard the record was read from. */
  readonly shardId: string;
  /** Kinesis sequence number of the (possibly aggregated) record. */
  readonly sequenceNumber: string;
  /** Index of the user record inside its aggregate; null when the whole Kinesis record failed. */
  readonly subSequenceNumber: number | null;
  /** Partition key of the user record (or of the Kinesis record). */
  readonly partitionKey: string;
  /** `event_id` when the record parsed far enough to have one. */
  readonly eventId?: string;
  /** Kinesis ApproximateArrivalTimestamp, epoch ms. */
  readonly arrivalTimestamp: number;
  /** The failing bytes, base64. */
  readonly rawData: string;
}

/**
 * What a checkpoint document (`_checkpoints/<stream>/<shardId>.json`) says about one shard.
 * `sequenceNumber` only ever moves past records whose objects are all durable in the lake.
 */
export interface ShardCheckpoint {
  /** Layout version of this document. */
  readonly version: number;
  /** Stream name. */
  readonly stream: string;
  /** Shard id. */
  readonly shardId: string;
  /**
   * The shard's StartingSequenceNumber when the checkpoint was written. A stream deleted and created
   * again reuses shard ids, not sequence numbers: a mismatch means "new stream, start over".
   */
  readonly shardStartingSequenceNumber: string;
  /**
   * The stream's StreamCreationTimestamp, epoch ms: with the starting sequence number, tells a stream
   * re-created under the same name apart even when an emulator reuses sequence numbers.
   */
  readonly streamCreatedMs: number;
  /** Last Kinesis record whose rows and errors are durable; null before the first batch. */
  readonly sequenceNumber: string | null;
  /**
   * Sub-sequence number of the last user record covered inside `sequenceNumber`'s aggregate; null
   * when the whole Kinesis record is covered (batches are always cut between Kinesis records, so
   * this is null in documents this version writes; readers honour it).
   */
  readonly subSequenceNumber: number | null;
  /** True once the shard is closed and every record in it is durable (children may be read). */
  readonly finished: boolean;
  /**
   * The batch being flushed when this document was written: a restart replays exactly this range as
   * one batch, so it rewrites the same objects instead of cutting a differently sized batch whose
   * objects would overlap the ones already written.
   */
  readonly pending: { readonly firstSequenceNumber: string; readonly lastSequenceNumber: string } | null;
  /** When the document was written (ISO 8601). */
  readonly updatedAt: string;
  /**
   * Epoch of the stream lease under which the document was written (absent in documents written
   * before leases: epoch 0). A write from a lower epoch than the document's is refused.
   */
  readonly leaseEpoch?: number;
}

/** What a flush wrote, passed to `onFlush` and used for stats. */
export interface FlushInfo {
  /** Dataset. */
  readonly dataset: Dataset;
  /** Stream name. */
  readonly stream: string;
  /** Shard id. */
  readonly shardId: string;
  /** First Kinesis sequence number of the batch. */
  readonly firstSequenceNumber: string;
  /** Last Kinesis sequence number of the batch (the new checkpoint). */
  readonly lastSequenceNumber: string;
  /** Kinesis records in the batch. */
  readonly kinesisRecords: number;
  /** Rows written to the lake. */
  readonly rows: number;
  /** Error records written. */
  readonly errors: number;
  /** Keys of the Parquet objects written. */
  readonly dataObjects: readonly string[];
  /** Keys of the error objects written. */
  readonly errorObjects: readonly string[];
  /** Bytes of Parquet written. */
  readonly parquetBytes: number;
  /** When the last object became visible, epoch ms. */
  readonly visibleAt: number;
  /** `produced_at` → visible latency over the batch's rows, ms (undefined when no rows). */
  readonly freshness?: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  /** True when this batch replayed a flush interrupted by a crash. */
  readonly replayed: boolean;
}

/**
 * Points where the worker awaits an optional callback, for fault-injection tests (for example a test
 * entry that stalls after the objects are durable so its parent can `kill -9` it before the
 * checkpoint). Production code passes none.
 */
export interface DeliveryHooks {
  /** After the pending-flush intent is durable, before any object is written. */
  readonly afterIntent?: (info: {
    stream: string;
    shardId: string;
    lastSequenceNumber: string;
  }) => Promise<void> | void;
  /**
   * After DuckDB refused rows of a partition and the rest was converted (see `convertPartition`), and
   * the batch's intent is durable; before that partition's object is published and before the refused
   * rows' error records are written.
   */
  readonly afterRefusal?: (info: {
    stream: string;
    shardId: string;
    key: string;
    refused: number;
  }) => Promise<void> | void;
  /** After each object of a batch is durable. */
  readonly afterObject?: (info: { stream: string; shardId: string; key: string }) => Promise<void> | void;
  /** After every object of a batch is durable, before its checkpoint is written. */
  readonly beforeCheckpoint?: (info: FlushInfo) => Promise<void> | void;
}

/** A metric data point the worker emits (one per flush per metric). */
export interface DeliveryMetric {
  /** Metric name, e.g. `FreshnessP99`. */
  readonly name: string;
  /** CloudWatch unit. */
  readonly unit: 'Milliseconds' | 'Count' | 'Bytes';
  /** Value. */
  readonly value: number;
  /** Dimensions: `Service` (`delivery`), `Dataset`, `Stream` (common/metrics.ts). */
  readonly dimensions: MetricDimensions;
  /** Epoch ms. */
  readonly timestamp: number;
}

/** Options of the delivery worker. Every field but `storage` has a default. */
export interface DeliveryWorkerOptions {
  /** Where objects and checkpoints go. */
  readonly storage: LakeStorage;
  /** Streams to deliver. @default one stream per dataset, named like the dataset */
  readonly streams?: readonly StreamBinding[];
  /**
   * Where each stream's records come from. The flush and checkpoint protocol talks to a
   * `RecordSource` only (see `source/types.ts`); the options marked *Kinesis source* below apply to the
   * default one. @default a `KinesisSource` per stream over `kinesis`
   */
  readonly source?: RecordSourceFactory;
  /** Kinesis client (Kinesis source). @default `createKinesisClient()` (env-based endpoint) */
  readonly kinesis?: KinesisClient;
  /** Flush a shard's batch this long after its first record was read, ms. @default 2000 */
  readonly bufferIntervalMs?: number;
  /** Flush a shard's batch once its raw JSON reaches this many bytes. @default 8 MiB */
  readonly bufferSizeBytes?: number;
  /**
   * Bytes buffered across all shards before they flush early and wait (≥ bufferSizeBytes).
   * @default 64 MiB
   */
  readonly maxBufferedBytes?: number;
  /**
   * Rows produced before this epoch time are history (a backfill): delivered like any other, but not
   * counted in the freshness percentiles, which then describe live data only. @default every row counts
   */
  readonly freshnessFromMs?: number;
  /** Records per GetRecords call (1..10000; Kinesis source). @default 10000 */
  readonly maxRecordsPerCall?: number;
  /**
   * Bytes a GetRecords call aims at (≤ 10 MiB; Kinesis source); the record limit adapts to it.
   * @default 8 MiB
   */
  readonly targetBytesPerCall?: number;
  /**
   * Min gap between GetRecords calls on one shard, ms (≥ 200 keeps 5 calls/s; Kinesis source).
   * @default 200
   */
  readonly minCallIntervalMs?: number;
  /** Wait after a read that found the shard drained, ms. @default 500 */
  readonly idlePollIntervalMs?: number;
  /** Re-list shards (the source's partitions) this often to discover new ones, ms. @default 10000 */
  readonly shardSyncIntervalMs?: number;
  /** Parquet files written concurrently. @default 2 */
  readonly maxConcurrentWrites?: number;
  /** DuckDB threads per COPY. @default 1 */
  readonly duckDbThreads?: number;
  /** Larger user records are rejected as `record_too_large`. @default 1,024,000 bytes (Firehose's limit) */
  readonly maxEventBytes?: number;
  /**
   * A stream's write lease lapses this long after its holder's last renewal, ms: how long a second
   * worker on the same lake waits for a holder that stopped without releasing it (one whose pid is
   * gone on this host is replaced at once). @default 15000
   */
  readonly leaseTtlMs?: number;
  /** The lease holder renews this often, ms (at most a third of `leaseTtlMs`). @default 3000 */
  readonly leaseHeartbeatMs?: number;
  /**
   * Retries Kinesis and storage calls. For Kinesis, transient failures are retried past this
   * retrier's own time budget, with its backoff, for as long as `sourceGiveUpAfterMs` allows.
   * @default `createRetrier(KINESIS_RETRY_DEFAULTS)` (production timing: waits of 0.1 s to 5 s)
   */
  readonly retrier?: Retrier;
  /**
   * Give up (`SourceUnreachableError`) once Kinesis, after answering since the start, has been failing
   * this long, ms. The default suits a long-running worker: an outage of any length is waited out
   * and delivery resumes where it was. Bounded runs (`--stop-when-caught-up`) set a limit.
   * @default Infinity
   */
  readonly sourceGiveUpAfterMs?: number;
  /**
   * Give up (`SourceUnreachableError`, `reached` false) when Kinesis has not answered a single call
   * this long after the start, ms: most often nothing listens at the endpoint.
   * @default 30000
   */
  readonly sourceNeverReachedGiveUpMs?: number;
  /**
   * Emit the per-stream gauges `IteratorAgeMilliseconds` and `KinesisUnreachableMilliseconds` through
   * `onMetric` this often, ms — also while nothing is flushed (during an outage).
   * @default 10000
   */
  readonly gaugeIntervalMs?: number;
  /** Called after each batch is durable and checkpointed. */
  readonly onFlush?: (info: FlushInfo) => void;
  /** Receives metric data points (freshness, rows, errors, bytes, iterator age). */
  readonly onMetric?: (metric: DeliveryMetric) => void;
  /** Called with warnings the worker recovers from (stale checkpoints, replays, throttling). */
  readonly onWarning?: (message: string) => void;
  /**
   * Called with what the stream leases do, for a person: waiting for another worker's lease (naming
   * its pid and host), taking it over, losing it. @default `onWarning`
   */
  readonly onLease?: (message: string) => void;
  /** Fault-injection points for tests. */
  readonly hooks?: DeliveryHooks;
  /** Clock, epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** Freshness percentiles, ms. */
export interface FreshnessSummary {
  /** Rows measured. */
  readonly count: number;
  /** Median `produced_at` → visible, ms. */
  readonly p50Ms: number;
  /** 99th percentile, ms. */
  readonly p99Ms: number;
  /** Largest, ms. */
  readonly maxMs: number;
}

/** Counters of one dataset/stream. */
export interface StreamStats {
  /** Dataset. */
  readonly dataset: Dataset;
  /** Stream name. */
  readonly stream: string;
  /** Shards known (open and closed). */
  readonly shards: number;
  /** Shards being read now. */
  readonly activeShards: number;
  /** Kinesis records read (aggregates count once). */
  readonly kinesisRecordsRead: number;
  /** Rows durable in the lake (this process). */
  readonly delivered: number;
  /** Error records durable in the error output (this process). */
  readonly rejected: number;
  /** Rows read but not yet durable. */
  readonly buffered: number;
  /** Parquet objects written. */
  readonly files: number;
  /** Error objects written. */
  readonly errorFiles: number;
  /** Parquet bytes written. */
  readonly parquetBytes: number;
  /**
   * How far behind the tip the stream's slowest shard is, ms: its last MillisBehindLatest, plus, while
   * its reads fail, the time since its last read that answered (so it keeps growing in an outage).
   */
  readonly iteratorAgeMs: number;
  /** How long Kinesis calls for this stream have been failing, ms; 0 while they answer. */
  readonly unreachableMs: number;
  /** The last Kinesis error while failing, in short (`ECONNREFUSED`); absent while Kinesis answers. */
  readonly sourceError?: string;
  /** True when every shard was drained at the last read and nothing read is still buffered. */
  readonly caughtUp: boolean;
  /** `produced_at` → visible over every row delivered so far. */
  readonly freshness: FreshnessSummary;
  /** The same over the last flush. */
  readonly lastFlushFreshness: FreshnessSummary | undefined;
}

/** Snapshot of the worker, for a status line. */
export interface DeliveryStats {
  /** Per stream. */
  readonly streams: readonly StreamStats[];
  /** Sum over streams. */
  readonly totals: {
    readonly delivered: number;
    readonly rejected: number;
    readonly files: number;
    readonly errorFiles: number;
    readonly parquetBytes: number;
  };
  /** Freshness over every stream. */
  readonly freshness: FreshnessSummary;
  /** True when every stream is caught up. */
  readonly caughtUp: boolean;
  /** ms since start. */
  readonly uptimeMs: number;
  /** Whether Kinesis answers. */
  readonly source: {
    /** True once Kinesis answered a call since the start. */
    readonly reached: boolean;
    /** How long Kinesis has been failing, ms; 0 while it answers. */
    readonly unreachableMs: number;
    /** The last error while failing, in short; absent while Kinesis answers. */
    readonly lastError?: string;
    /** Transient Kinesis call failures since the start. */
    readonly errors: number;
  };
}
