// A RecordSource held in memory, for tests of the delivery protocol without Kinesis: partitions of
// records whose positions are Kafka-like offsets ("0", "1", …), read in fixed-size chunks.
import type {
  PartitionReader,
  PartitionReaderOptions,
  RecordSource,
  SourceBatch,
  SourceListing,
  SourcePartition,
  SourceRecord,
} from '../../../stream-processors/delivery/index.js';

/** One partition of a {@link MemorySource}. */
export interface MemoryPartition {
  readonly id: string;
  /** The records, positions ascending. */
  readonly records: readonly SourceRecord[];
  /** A closed partition ends after its last record. @default false */
  readonly closed?: boolean;
  /** Partitions to finish before this one starts (as a Kinesis child waits for its parents). */
  readonly parents?: readonly string[];
}

/** Orders offsets numerically ("9" before "10"). */
function compareOffsets(a: string, b: string): number {
  return Number(a) - Number(b);
}

class MemoryReader implements PartitionReader {
  readonly #partition: MemoryPartition;
  readonly #readSize: number;
  #next: number;
  #stopped = false;

  public constructor(partition: MemoryPartition, readSize: number, after: string | null) {
    this.#partition = partition;
    this.#readSize = readSize;
    // Start after `after`: the first record whose position comes after it.
    const i =
      after === null ? 0 : partition.records.findIndex((r) => compareOffsets(r.sequenceNumber, after) > 0);
    this.#next = i === -1 ? partition.records.length : i;
  }

  public readonly lagMs = 0;
  public readonly failingForMs = 0;

  public read(): Promise<SourceBatch | undefined> {
    if (this.#stopped) return Promise.resolve(undefined);
    const all = this.#partition.records;
    const records = all.slice(this.#next, this.#next + this.#readSize);
    this.#next += records.length;
    const atEnd = this.#next >= all.length;
    return Promise.resolve({
      records,
      range:
        records.length === 0
          ? undefined
          : { first: records[0]!.sequenceNumber, last: records.at(-1)!.sequenceNumber },
      bytes: records.reduce((n, r) => n + r.data.length, 0),
      atTip: records.length === 0 && atEnd,
      ended: atEnd && this.#partition.closed === true,
      release: () => undefined,
    });
  }

  public stop(): void {
    this.#stopped = true;
  }
}

/**
 * An in-memory {@link RecordSource}: every read returns up to `readSize` records after the last ones
 * returned, so batches are cut at the same positions on every run.
 */
export class MemorySource implements RecordSource {
  readonly #partitions: readonly MemoryPartition[];
  readonly #readSize: number;

  /**
   * @param partitions - the partitions, in start order
   * @param readSize - records per read
   */
  public constructor(partitions: readonly MemoryPartition[], readSize: number) {
    this.#partitions = partitions;
    this.#readSize = readSize;
  }

  public list(): Promise<SourceListing> {
    const ids = new Set(this.#partitions.map((p) => p.id));
    const byId = new Map(this.#partitions.map((p) => [p.id, p]));
    return Promise.resolve({
      createdMs: 1,
      partitions: this.#partitions.map((p) => ({ id: p.id, incarnation: '0', closed: p.closed === true })),
      readable: (id, finished) =>
        (byId.get(id)?.parents ?? []).every((parent) => !ids.has(parent) || finished.has(parent)),
    });
  }

  public reader(partition: SourcePartition, options: PartitionReaderOptions): PartitionReader {
    const p = this.#partitions.find((q) => q.id === partition.id);
    if (p === undefined) throw new RangeError(`no partition ${partition.id}`);
    return new MemoryReader(p, this.#readSize, options.after);
  }

  public compare(a: string, b: string): number {
    return compareOffsets(a, b);
  }
}
