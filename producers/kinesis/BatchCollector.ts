import { KINESIS_LIMITS } from '../../kinesis/constants.js';

/** The limits of one PutRecords call a {@link BatchCollector} packs against. */
export interface BatchLimits {
  /** Max entries per call. @default 500 */
  readonly maxEntries: number;
  /** Max bytes (data + partition keys) per call. @default 5 MiB */
  readonly maxBytes: number;
}

/** Kinesis' own PutRecords limits: 500 entries, 5 MiB. */
export const PUT_RECORDS_LIMITS: BatchLimits = {
  maxEntries: KINESIS_LIMITS.maxRecordsPerPutRecords,
  maxBytes: KINESIS_LIMITS.maxBytesPerPutRecords,
};

interface Batch<E> {
  readonly entries: E[];
  bytes: number;
}

/**
 * Packs PutRecords entries, in the order they come, into calls of at most 500 entries and 5 MiB (as the
 * KPL's collector does): an entry that would push the open batch over either limit closes it first, and
 * a batch that reaches 500 entries is closed at once. Closed batches wait, oldest first, until the sink
 * takes them with {@link next} (when the concurrency limiter lets a call go). An entry is never split or
 * reordered, so entries of one partition key leave in the order they came.
 *
 * @typeParam E - the entry type (anything with a `size` in bytes)
 * @example
 * ```ts
 * const collector = new BatchCollector<SinkEntry>();
 * if (collector.add(entry)) send(collector.next()!);
 * collector.flush(); // the linger passed: close the open batch too
 * ```
 */
export class BatchCollector<E extends { readonly size: number }> {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #open: Batch<E> = { entries: [], bytes: 0 };
  readonly #ready: Batch<E>[] = [];

  /**
   * @param limits - the per-call limits (tests pass small ones)
   */
  public constructor(limits: BatchLimits = PUT_RECORDS_LIMITS) {
    this.#maxEntries = limits.maxEntries;
    this.#maxBytes = limits.maxBytes;
  }

  /** Closed batches waiting to be sent. */
  public get readyCount(): number {
    return this.#ready.length;
  }

  /** Entries in the open batch. */
  public get openCount(): number {
    return this.#open.entries.length;
  }

  /**
   * Adds an entry to the open batch, closing that batch first when the entry would not fit in it.
   *
   * @param entry - the entry (one that alone exceeds `maxBytes` gets a batch of its own)
   * @returns true when a closed batch is waiting to be sent
   */
  public add(entry: E): boolean {
    let open = this.#open;
    if (
      open.entries.length > 0 &&
      (open.entries.length >= this.#maxEntries || open.bytes + entry.size > this.#maxBytes)
    ) {
      this.#close();
      open = this.#open;
    }
    open.entries.push(entry);
    open.bytes += entry.size;
    if (open.entries.length >= this.#maxEntries) this.#close();
    return this.#ready.length > 0;
  }

  /** Closes the open batch (when it has entries), so that it can be sent now. */
  public flush(): void {
    if (this.#open.entries.length > 0) this.#close();
  }

  /**
   * Takes the oldest closed batch.
   *
   * @returns its entries, or undefined when no batch is closed
   */
  public next(): E[] | undefined {
    return this.#ready.shift()?.entries;
  }

  /**
   * Takes every entry not yet sent (closed batches, then the open one), in order, and empties the
   * collector: what the sink writes off when it stops.
   */
  public drain(): E[] {
    const entries: E[] = [];
    for (const batch of this.#ready.splice(0)) entries.push(...batch.entries);
    entries.push(...this.#open.entries);
    this.#open = { entries: [], bytes: 0 };
    return entries;
  }

  #close(): void {
    this.#ready.push(this.#open);
    this.#open = { entries: [], bytes: 0 };
  }
}
