import type { Contract, Dataset, EventByDataset } from '../../schemas/index.js';
import { ContractViolationError } from '../../schemas/index.js';
import { BackpressureQueue } from './BackpressureQueue.js';
import { DEFAULT_REJECT_FILE } from './constants.js';
import { type EncodedRecord, encodeRecord } from './encodeRecord.js';
import { SinkClosedError, SinkFailedError } from './errors.js';
import { RejectWriter } from './RejectWriter.js';
import { metricsModeFromEnv, SinkMetrics } from './SinkMetrics.js';
import type { MetricsMode, PutOutcome, SettledOutcome, SinkCounters } from './types.js';

/** What {@link SinkCore} needs from the sink that owns it. */
export interface SinkCoreOptions<D extends Dataset> {
  readonly dataset: D;
  /** Stream or topic written to (errors, metric dimensions). */
  readonly target: string;
  readonly contract: Contract<D>;
  readonly partitionKey: (event: EventByDataset[D]) => string;
  /** The sink's counters (the queue keeps its gauges in them). */
  readonly counters: SinkCounters;
  readonly maxBufferedBytes: number;
  readonly maxBufferedRecords: number;
  readonly recordTtlMs: number;
  readonly metricsIntervalMs: number;
  /** JSON-lines reject file; `null` turns it off. Ignored when `rejectWriter` is given. */
  readonly rejectFile?: string | null;
  /** A writer shared by several sinks (not closed by the core). */
  readonly rejectWriter?: RejectWriter;
  readonly metrics?: MetricsMode;
  /** Which service acknowledges records, for the reasons written off (`Kinesis`, `Kafka`). */
  readonly service: string;
  /** Told of every record written off (the sink tells of acknowledged ones): `onSettled` of the sink options. */
  readonly onSettled?: (records: readonly EncodedRecord[], outcome: SettledOutcome) => void;
}

/** How a sink's {@link SinkCore.close} reaches into the sink's own stages. */
export interface SinkCloseSteps {
  /** Sends everything buffered and resolves once nothing is (the sink's `flush`). */
  readonly flush: () => Promise<void>;
  /** Every record accepted but not yet handed to a call (aggregates, batches, pending), taken out. */
  readonly takeBuffered: () => EncodedRecord[];
  /** Waits for the calls in flight (they end at the abort); stops the sink's timers and clients. */
  readonly settle: () => Promise<void>;
}

const ACCEPTED: PutOutcome = Object.freeze({ accepted: true });

/**
 * The part the Kinesis and Kafka sinks share, written once: the admission of a record (validate and
 * serialize, reject file for invalid events, bounded buffer with an awaitable wait, record TTL), writing
 * off what cannot be sent (expired or failed, into the reject file, counted), the failed state, the EMF
 * metrics with their names and timer, and `close()` with a deadline. Each sink keeps only how it batches
 * and sends.
 */
export class SinkCore<D extends Dataset> {
  /** Aborted when the close deadline passes: sends in flight stop, waiting puts are refused. */
  public readonly abort = new AbortController();
  /** The buffer limits (bytes, records) between `put` and acknowledgement. */
  public readonly queue: BackpressureQueue;
  readonly #o: SinkCoreOptions<D>;
  readonly #rejects: RejectWriter | undefined;
  readonly #ownsRejects: boolean;
  readonly #metrics: SinkMetrics | undefined;
  readonly #metricsTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #failed: SinkFailedError | undefined;

  /** @param options - the sink's dataset, target, limits, reject file and metrics */
  public constructor(options: SinkCoreOptions<D>) {
    this.#o = options;
    if (options.rejectWriter) {
      this.#rejects = options.rejectWriter;
      this.#ownsRejects = false;
    } else {
      const file = options.rejectFile === undefined ? DEFAULT_REJECT_FILE : options.rejectFile;
      this.#rejects = file === null ? undefined : new RejectWriter(file);
      this.#ownsRejects = true;
    }
    // The queue keeps its gauges in the counters themselves: readers see them live.
    this.queue = new BackpressureQueue(
      { maxBytes: options.maxBufferedBytes, maxRecords: options.maxBufferedRecords },
      options.counters,
    );
    if ((options.metrics ?? metricsModeFromEnv()) === 'emf') {
      const metrics = new SinkMetrics(options.dataset, options.target);
      this.#metrics = metrics;
      this.#metricsTimer = setInterval(() => metrics.publish(options.counters), options.metricsIntervalMs);
      this.#metricsTimer.unref();
    }
  }

  /** The error that stopped the sink, if one did. */
  public get failed(): SinkFailedError | undefined {
    return this.#failed;
  }

  /**
   * Admits one event: validates and serializes it (an invalid or oversized one goes to the reject file
   * and its outcome is returned), then reserves buffer space, waiting while the buffer is full.
   *
   * @param event - the event (any value)
   * @param onFull - called once when the put has to wait (send what is buffered now, not after a linger)
   * @param tag - the caller's number, kept on the record for `onSettled`
   * @returns the record to buffer, or the outcome to return (rejected; or accepted and written off
   *   because the sink stopped while the put waited)
   * @throws SinkClosedError after `close()`; SinkFailedError after the sink failed (a put waiting for
   *   room is refused with the same errors through the returned promise)
   */
  public admit(
    event: unknown,
    onFull: () => void,
    tag = 0,
  ): EncodedRecord | PutOutcome | Promise<EncodedRecord | PutOutcome> {
    if (this.#failed) throw this.#failed;
    if (this.#closing) throw new SinkClosedError(this.#o.target);
    const c = this.#o.counters;
    c.produced += 1;
    // Validated and serialized in one pass; the JSON is kept as a string, UTF-8 encoded once.
    const record = encodeRecord(this.#o.contract, this.#o.partitionKey, event);
    if (record instanceof Error) {
      c.rejected += 1;
      const violations = record instanceof ContractViolationError ? record.violations : [];
      this.#rejects?.writeRejected(this.#o.dataset, record.eventId, record.message, violations, event);
      return { accepted: false, error: record };
    }
    record.tag = tag;
    // Reserve buffer space before any await so concurrent un-awaited puts cannot overshoot the limits;
    // with room, the record is admitted synchronously (a put not awaited is buffered before the next line).
    if (this.queue.tryReserve(record.size)) return this.#accept(record);
    const admitted = this.queue.wait(record.size);
    onFull();
    return admitted.then(() => this.#accept(record));
  }

  #accept(record: EncodedRecord): EncodedRecord | PutOutcome {
    this.#o.counters.accepted += 1;
    record.deadline = Date.now() + this.#o.recordTtlMs;
    return this.afterWait(record) ? record : ACCEPTED;
  }

  /**
   * After an await in `put`: false (and the record written off) when the sink stopped meanwhile, so the
   * record is accounted for, not lost.
   */
  public afterWait(record: EncodedRecord): boolean {
    const failed = this.#failed;
    if (!failed && !this.abort.signal.aborted) return true;
    this.writeOff([record], failed ? 'failed' : 'expired', failed?.message ?? 'close deadline');
    return false;
  }

  /**
   * Writes records that will not be sent to the reject file, counts them and frees their buffer space.
   *
   * @param records - the records
   * @param kind - expired (TTL or close deadline) or failed (refused for good)
   * @param reason - why, for the reject file
   */
  public writeOff(records: readonly EncodedRecord[], kind: 'expired' | 'failed', reason: string): void {
    if (records.length === 0) return;
    let bytes = 0;
    for (const r of records) {
      this.#rejects?.writeUnsent(kind, this.#o.dataset, r.eventId, reason, r.data);
      bytes += r.size;
    }
    this.#o.counters[kind] += records.length;
    this.queue.release(records.length, bytes);
    this.#o.onSettled?.(records, kind);
  }

  /** Marks records acknowledged: counted as sent, their buffer space freed. */
  public acknowledged(records: number, bytes: number): void {
    this.#o.counters.sent += records;
    this.queue.release(records, bytes);
  }

  /** Records one call's latency (counters and the EMF distribution). */
  public latency(ms: number): void {
    const c = this.#o.counters;
    c.putRecordsLatencyMsTotal += ms;
    if (ms > c.putRecordsLatencyMsMax) c.putRecordsLatencyMsMax = ms;
    this.#metrics?.recordLatency(ms);
  }

  /**
   * Stops the sink for good after a non-retriable error: waiting puts are refused and everything
   * buffered is written off as failed.
   *
   * @param cause - the error
   * @param takeBuffered - takes the records not yet handed to a call
   */
  public fail(cause: unknown, takeBuffered: () => EncodedRecord[]): void {
    if (this.#failed) return;
    this.#failed = new SinkFailedError(this.#o.target, cause);
    this.queue.rejectWaiting(this.#failed);
    this.writeOff(takeBuffered(), 'failed', `not sent: ${this.#failed.message}`);
  }

  /**
   * Stops accepting events and flushes; what is not acknowledged by the deadline is expired into the
   * reject file. Then the sink settles its calls, the last metrics are published and the reject file
   * closed (when owned).
   *
   * @param deadlineMs - the close deadline
   * @param steps - the sink's flush, buffered records and settling
   */
  public async close(deadlineMs: number, steps: SinkCloseSteps): Promise<void> {
    this.#closing = true;
    const timer = setTimeout(() => this.abort.abort(), deadlineMs);
    const aborted = new Promise<void>((resolve) =>
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([steps.flush().catch(() => undefined), aborted]);
    clearTimeout(timer);
    if (this.abort.signal.aborted) {
      this.queue.rejectWaiting(new SinkClosedError(this.#o.target));
      this.writeOff(
        steps.takeBuffered(),
        'expired',
        `close deadline of ${deadlineMs} ms passed before ${this.#o.service} acknowledged it`,
      );
    }
    await steps.settle();
    if (this.#metricsTimer) clearInterval(this.#metricsTimer);
    this.#metrics?.publish(this.#o.counters);
    if (this.#ownsRejects) await this.#rejects?.close();
  }
}
