/** A sleep that `wake()` or `abort` ends early, so a stopping worker does not wait out its poll interval. */
export class Wakeable {
  #wake: (() => void) | undefined;

  /**
   * Waits up to `ms`, or until {@link wake} is called.
   *
   * @param ms - max wait
   */
  public sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  /** Ends the current sleep, if any. */
  public wake(): void {
    this.#wake?.();
  }
}
