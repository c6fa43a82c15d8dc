import { BufferPool } from '../../common/index.js';

/**
 * Bytes buffered across every shard of a worker (open batches plus batches being flushed), so that
 * memory stays bounded however many shards there are: past the budget, a shard flushes its open
 * batch early and waits for its own flush before reading more. The buffers themselves (GetRecords
 * responses, the NDJSON chunks of batches) come from and go back to one {@link pool}.
 */
export class BufferBudget {
  /** The budget, bytes. */
  public readonly maxBytes: number;
  /** Reused buffers for responses and batches; keeps at most a quarter of the budget free. */
  public readonly pool: BufferPool;
  #used = 0;

  /** @param maxBytes - the budget */
  public constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
    this.pool = new BufferPool({ maxFree: 256, maxFreeBytes: Math.floor(maxBytes / 4) });
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
