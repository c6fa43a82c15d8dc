/** Defaults of the producer loop (`runProducer`). */
export const PRODUCER_DEFAULTS = {
  /** Events per second; 0 means as fast as the sink's backpressure allows. */
  rate: 0,
  /** How often `onProgress` is called, ms. */
  progressIntervalMs: 1_000,
  /** Consecutive rejects after which the loop stops with TooManyRejectsError. */
  maxConsecutiveRejects: 1_000,
  /** Events produced between yields to the event loop when running flat out. */
  burst: 256,
  /** How far behind schedule the loop may fall before it stops catching up, seconds of events. */
  maxCatchUpSeconds: 1,
} as const;
