/**
 * Bytes buffered across every shard of a worker (open batches plus batches being flushed), so that
 * memory stays bounded however many shards there are: past the budget, a shard flushes its open
 * batch early and waits for its own flush before reading more.
 */
export class BufferBudget {
  /** The budget, bytes. */
  public readonly maxBytes: number;
  #used = 0;

  /** @param maxBytes - the budget */
  public constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes in use. */
  public get used(): number {
    return this.#used;
  }

  /** True when the bytes in use reach the budget. */
  public get exceeded(): boolean {
    return this.#used >= this.maxBytes;
  }

  /**
   * Counts bytes taken (positive) or released (negative).
   *
   * @param bytes - the change
   */
  public add(bytes: number): void {
    this.#used += bytes;
  }
}
