/**
 * Events held back before sending (late and out-of-order events), released in order of their release
 * time: a binary min-heap, so memory is the events held and nothing else.
 */
export class HoldQueue<T> {
  readonly #times: number[] = [];
  readonly #items: T[] = [];

  /** Events held. */
  public get size(): number {
    return this.#times.length;
  }

  /** Release time of the next event, epoch ms (undefined when empty). */
  public get nextMs(): number | undefined {
    return this.#times[0];
  }

  /**
   * Holds an event until a time.
   *
   * @param releaseMs - when it may be sent, epoch ms
   * @param item - the event
   */
  public push(releaseMs: number, item: T): void {
    const t = this.#times;
    const it = this.#items;
    let i = t.length;
    t.push(releaseMs);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= releaseMs) break;
      t[i] = t[p]!;
      it[i] = it[p]!;
      i = p;
    }
    t[i] = releaseMs;
    it[i] = item;
  }

  /**
   * Removes and returns the next event due at `nowMs` (every event with `Infinity`), else undefined.
   *
   * @param nowMs - the current time, epoch ms
   */
  public pop(nowMs: number): T | undefined {
    const t = this.#times;
    const it = this.#items;
    if (t.length === 0 || t[0]! > nowMs) return undefined;
    const top = it[0]!;
    const lastT = t.pop()!;
    const lastItem = it.pop()!;
    const n = t.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && t[l + 1]! < t[l]! ? l + 1 : l;
        if (t[c]! >= lastT) break;
        t[i] = t[c]!;
        it[i] = it[c]!;
        i = c;
      }
      t[i] = lastT;
      it[i] = lastItem;
    }
    return top;
  }
}
