import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Retrier } from '../../common/retry/index.js';
import type { ContractViolationError, Dataset, EventByDataset } from '../../schemas/index.js';
import type { SinkDefaults } from './constants.js';
import type { EncodedRecord } from './encodeRecord.js';
import type { InvalidPartitionKeyError, RecordTooLargeError } from './errors.js';
import type { RejectWriter } from './RejectWriter.js';

/** Where EMF metrics go: `emf` prints CloudWatch Embedded Metric Format lines to stdout; `off` does not. */
export type MetricsMode = 'emf' | 'off';

/** Options of `KinesisSink`. Every tuning value defaults to `defaults` (production: `SINK_DEFAULTS`). */
export interface KinesisSinkOptions<D extends Dataset = Dataset> {
  /** Dataset of the events (selects the contract and the partition key). */
  readonly dataset: D;
  /** Stream to write to. @default the dataset name */
  readonly streamName?: string;
  /**
   * Kinesis client. When omitted the sink creates one with `createKinesisClient({ endpoint })` and
   * destroys it on close.
   * @default a client from the standard AWS configuration
   */
  readonly client?: KinesisClient;
  /** Endpoint for the client the sink creates. @default `AWS_ENDPOINT_URL_KINESIS` / `AWS_ENDPOINT_URL` */
  readonly endpoint?: string;
  /** Base for every tuning value not given: `SINK_DEFAULTS` or `SINK_TEST_DEFAULTS`. @default SINK_DEFAULTS */
  readonly defaults?: SinkDefaults;
  /** KPL aggregation (many user records per Kinesis record, routed by shard). @default true */
  readonly aggregate?: boolean;
  /** Max size of an aggregated record, bytes (KPL AggregationMaxSize). @default 51200 */
  readonly maxAggregatedBytes?: number;
  /** Max time a record waits in the buffer before being sent (KPL RecordMaxBufferedTime), ms. @default 100 */
  readonly lingerMs?: number;
  /**
   * Time an accepted record may take to be acknowledged (throttles and retries included) before it is
   * expired: counted and written to the reject file, never silently dropped. @default 300000 (5 min)
   */
  readonly recordTtlMs?: number;
  /** Backpressure: max bytes accepted but not yet acknowledged; at least 1 MiB. @default 33554432 (32 MiB) */
  readonly maxBufferedBytes?: number;
  /** Backpressure: max records accepted but not yet acknowledged. @default 100000 */
  readonly maxBufferedRecords?: number;
  /** Max PutRecords calls in flight (halved on throttling, regained one per success). @default 8 */
  readonly maxConcurrentPutRecords?: number;
  /** Timeout of one PutRecords call, ms (a timed-out call is retried). @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * The retrier for PutRecords and ListShards.
   * @default `createRetrier({ maxRetryTimeMs: recordTtlMs })` (jittered exponential backoff)
   */
  readonly retrier?: Retrier;
  /**
   * JSON-lines file for rejected, expired and failed events (created on first use); `null` turns it off.
   * Ignored when `rejectWriter` is given.
   * @default 'gridstream-rejects.jsonl'
   */
  readonly rejectFile?: string | null;
  /** A writer shared by several sinks (not closed by the sink). @default one for `rejectFile` */
  readonly rejectWriter?: RejectWriter;
  /** EMF metrics. @default `emf` when `GRIDSTREAM_METRICS=emf`, else `off` */
  readonly metrics?: MetricsMode;
  /** How often EMF metrics are published, ms. @default 60000 */
  readonly metricsIntervalMs?: number;
  /** Partition key of an event. @default `partitionKeyOf(dataset, event)` */
  readonly partitionKey?: (event: EventByDataset[D]) => string;
  /**
   * Called when accepted records leave the sink: acknowledged by Kinesis, or written off (expired,
   * failed). The load-test harness times each event's acknowledgement with it and lists the events a
   * reconciliation must not expect. Called synchronously with the sink's own records: read, do not keep.
   * @default none
   */
  readonly onSettled?: (records: readonly BufferedRecord[], outcome: SettledOutcome) => void;
}

/** How an accepted record left the sink ({@link KinesisSinkOptions.onSettled}). */
export type SettledOutcome = 'acknowledged' | 'expired' | 'failed';

/**
 * Live counters and gauges of a sink (the CLI status line and `gridstream up` read them).
 * Invariant at rest: `accepted = sent + expired + failed + bufferedRecords`.
 */
export interface SinkCounters {
  /** Events handed to `put()`. */
  produced: number;
  /** Events that passed validation and entered the buffer. */
  accepted: number;
  /** Events refused before sending (contract violation or over 1 MiB); written to the reject file. */
  rejected: number;
  /** User records acknowledged by Kinesis. */
  sent: number;
  /** User records re-sent after a failed entry or call. */
  retried: number;
  /** User records in entries or calls Kinesis throttled. */
  throttled: number;
  /** User records not acknowledged within the TTL or the close deadline; written to the reject file. */
  expired: number;
  /** User records Kinesis refused for good; written to the reject file. */
  failed: number;
  /** Kinesis records acknowledged (aggregates count once). */
  kinesisRecords: number;
  /** PutRecords calls made. */
  putRecordsCalls: number;
  /** Sum of PutRecords latencies, ms. */
  putRecordsLatencyMsTotal: number;
  /** Slowest PutRecords call, ms. */
  putRecordsLatencyMsMax: number;
  /** Shard map reloads after a predicted shard did not match Kinesis'. */
  shardMapRefreshes: number;
  /** Gauge: records accepted and not yet acknowledged, expired or failed. */
  bufferedRecords: number;
  /** Gauge: bytes (data + partition key) of those records. */
  bufferedBytes: number;
  /** Highest `bufferedRecords` seen. */
  peakBufferedRecords: number;
  /** Highest `bufferedBytes` seen. */
  peakBufferedBytes: number;
  /** Gauge: `put()` calls waiting for buffer space. */
  blockedPuts: number;
  /** Gauge: PutRecords calls in flight. */
  inFlightCalls: number;
  /** Gauge: current concurrency limit (halved when throttled, +1 per successful call). */
  concurrencyLimit: number;
  /** Lowest concurrency limit reached (1 means throttling slowed the sink to one call at a time). */
  lowestConcurrencyLimit: number;
}

/** Why `put()` refused an event (the event is in the reject file with this reason). */
export type RejectionError = ContractViolationError | RecordTooLargeError | InvalidPartitionKeyError;

/** Result of `put()`: accepted into the buffer, or refused with the reason (already in the reject file). */
export type PutOutcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly error: RejectionError };

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * Time to deliver what is buffered, ms. Records still unacknowledged at the deadline are expired
   * (counted, written to the reject file). @default 30000
   */
  readonly deadlineMs?: number;
}

/**
 * A user record inside the sink, from acceptance into the buffer until Kinesis acknowledges it (or it
 * expires or fails): the encoded event and its deadline.
 */
export type BufferedRecord = EncodedRecord;

/**
 * One PutRecords entry the sink's stages pass along: a plain record or a KPL aggregate of several user
 * records, with what the sink needs to account for them once Kinesis answers.
 */
export interface SinkEntry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** data + partition key bytes (what PutRecords' 5 MiB limit counts). */
  readonly size: number;
  /** The user records in the entry, in the order they were put. */
  readonly users: readonly BufferedRecord[];
  /** Shard the user records were routed to (aggregates only); checked against Kinesis' answer. */
  readonly predictedShard: string | undefined;
  /** When the entry expires: its oldest user record's deadline (epoch ms). */
  readonly deadline: number;
}

/** The buffer gauges of {@link SinkCounters} that the backpressure queue keeps up to date. */
export type BufferGauges = Pick<
  SinkCounters,
  'bufferedRecords' | 'bufferedBytes' | 'peakBufferedRecords' | 'peakBufferedBytes' | 'blockedPuts'
>;

/** The concurrency gauges of {@link SinkCounters} that the concurrency limiter keeps up to date. */
export type ConcurrencyGauges = Pick<
  SinkCounters,
  'inFlightCalls' | 'concurrencyLimit' | 'lowestConcurrencyLimit'
>;
