import type { Dataset } from '../schemas/index.js';
import type { PutOutcome, SinkCounters } from './kinesis/types.js';

/**
 * Where a producer loop puts events: the Kinesis sink, or any sink with the same contract
 * (validate, buffer with backpressure, report counters).
 */
export interface EventSink<D extends Dataset = Dataset> {
  /** Dataset of the events. */
  readonly dataset: D;
  /**
   * Validates and buffers one event; resolves once buffered (waits while the buffer is full).
   *
   * @param event - the event
   */
  put(event: unknown): Promise<PutOutcome>;
  /** Resolves when everything buffered has been acknowledged, expired or failed. */
  flush(): Promise<void>;
  /** Live counters. */
  readonly counters: Readonly<SinkCounters>;
}

/** Progress of a producer loop, reported every `progressIntervalMs` and at the end. */
export interface ProducerProgress {
  readonly dataset: Dataset;
  /** Time since the loop started, ms. */
  readonly elapsedMs: number;
  /** Events taken from the generator. */
  readonly generated: number;
  /** Of which accepted by the sink. */
  readonly accepted: number;
  /** Of which rejected by the sink (invalid or too large). */
  readonly rejected: number;
  /** Accepted events per second since the start. */
  readonly ratePerSec: number;
  /** The sink's counters at this instant (a copy). */
  readonly sink: Readonly<SinkCounters>;
}

/** Why a producer loop stopped. */
export const STOP_REASONS = {
  /** `count` events were accepted. */
  count: 'count',
  /** `durationMs` passed. */
  duration: 'duration',
  /** The AbortSignal fired (SIGINT/SIGTERM in the CLI). */
  signal: 'signal',
} as const;

/** One of {@link STOP_REASONS}. */
export type StopReason = (typeof STOP_REASONS)[keyof typeof STOP_REASONS];

/** What a producer loop did. */
export interface ProducerResult extends Omit<ProducerProgress, 'sink'> {
  readonly stoppedBy: StopReason;
  /** The sink's counters after the final flush (or at the stop, when stopped by the signal). */
  readonly sink: Readonly<SinkCounters>;
}
