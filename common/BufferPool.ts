/** Options for {@link BufferPool}. */
export interface BufferPoolOptions {
  /** Free buffers kept at most (the smallest are dropped first). @default 4 */
  readonly maxFree?: number;
  /** Bytes of free buffers kept at most (the smallest are dropped first). @default 64 MiB */
  readonly maxFreeBytes?: number;
  /** Free buffers are dropped after this long without a buffer coming back. @default 10_000 */
  readonly idleMs?: number;
  /** New buffers are rounded up to a multiple of this. @default 64 KiB */
  readonly granularity?: number;
}

/**
 * Reused large buffers. Every fresh multi-megabyte `Buffer` is external memory to V8: allocating
 * hundreds of megabytes of them per second triggers garbage collections for "external memory
 * pressure" (full mark-compacts, most of their work on V8's helper threads) although the heap itself
 * is small, plus page faults on first touch. A caller takes a buffer, and gives it back once nothing
 * refers to its bytes any more; a buffer that is never given back is simply collected.
 *
 * @example
 * ```ts
 * const pool = new BufferPool();
 * const buf = pool.take(8 * 1024 * 1024);
 * // ... fill and use buf ...
 * pool.give(buf);
 * ```
 */
export class BufferPool {
  readonly #maxFree: number;
  readonly #maxFreeBytes: number;
  readonly #idleMs: number;
  readonly #granularity: number;
  /** Free buffers, smallest first. */
  #free: Buffer[] = [];
  #freeBytes = 0;
  #idle: NodeJS.Timeout | undefined;

  public constructor(options: BufferPoolOptions = {}) {
    this.#maxFree = options.maxFree ?? 4;
    this.#maxFreeBytes = options.maxFreeBytes ?? 64 * 1024 * 1024;
    this.#idleMs = options.idleMs ?? 10_000;
    this.#granularity = options.granularity ?? 64 * 1024;
  }

  /** Bytes held by free buffers. */
  public get freeBytes(): number {
    return this.#freeBytes;
  }

  /**
   * The smallest free buffer of at least `size` bytes (and at most `atMost`), else a new one
   * (rounded up to the granularity). Its contents are whatever was there before.
   *
   * @param size - bytes needed
   * @param atMost - largest buffer the caller wants (a small request must not tie up a big buffer)
   */
  public take(size: number, atMost = Number.POSITIVE_INFINITY): Buffer {
    const free = this.#free;
    for (let i = 0; i < free.length && free[i]!.length <= atMost; i++) {
      if (free[i]!.length >= size) {
        const b = free.splice(i, 1)[0]!;
        this.#freeBytes -= b.length;
        return b;
      }
    }
    const g = this.#granularity;
    return Buffer.allocUnsafeSlow(Math.max(g, Math.ceil(size / g) * g));
  }

  /**
   * Gives a buffer back (a whole buffer from {@link take}, not a view of part of one). The caller must
   * hold no reference to its bytes any more.
   *
   * @param buffer - the buffer
   */
  public give(buffer: Buffer): void {
    const free = this.#free;
    let i = 0;
    while (i < free.length && free[i]!.length < buffer.length) i++;
    free.splice(i, 0, buffer);
    this.#freeBytes += buffer.length;
    // Past the count or the bytes, the smallest go first: the large ones are the costly ones to allocate.
    while (free.length > this.#maxFree || this.#freeBytes > this.#maxFreeBytes) {
      this.#freeBytes -= free.shift()!.length;
    }
    if (this.#idle) this.#idle.refresh();
    else {
      this.#idle = setTimeout(() => this.clear(), this.#idleMs);
      this.#idle.unref();
    }
  }

  /** Drops every free buffer. */
  public clear(): void {
    this.#free = [];
    this.#freeBytes = 0;
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
  }
}
