import type { Dataset, EventByDataset } from '../../schemas/index.js';

/** Where event time comes from: the wall clock, or a simulated clock for backfills. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** Options every generator takes. */
export interface GeneratorOptions {
  /** Seed: the same seed, options and clock readings give the same events. @default 1 */
  readonly seed?: number;
  /** `producer_id` written into every event. @default `gridstream-<dataset>-<seed>` */
  readonly producerId?: string;
  /**
   * Clock for `event_time` (and `produced_at`). Wall clock by default; pass a simulated clock
   * for backfills.
   * @default the wall clock
   */
  readonly clock?: Clock;
}

/** A seeded synthetic source of valid events of one dataset. */
export interface EventGenerator<D extends Dataset = Dataset> {
  /** Dataset of the events. */
  readonly dataset: D;
  /** The next event (always valid against the dataset's contract). */
  next(): EventByDataset[D];
}
