import type { RateProfile } from '../profile/RateProfile.js';

/** One event the profile asks for: its index in the profile, when it should be sent and its stage. */
export interface ScheduledEvent {
  /** Index of the event in the whole profile (0-based); workers take disjoint indexes. */
  seq: number;
  /** Intended send time, epoch milliseconds: latency and freshness count from here. */
  intendedMs: number;
  /** Index of the profile stage it belongs to. */
  stage: number;
}

/** Options of {@link OpenModelScheduler}. */
export interface OpenModelSchedulerOptions {
  /** Epoch milliseconds of the profile's offset 0. */
  readonly startMs: number;
  /** This worker's number, 0-based. @default 0 */
  readonly worker?: number;
  /** Worker processes sharing the profile: worker w takes events w, w + workers, … @default 1 */
  readonly workers?: number;
}

/**
 * The open-model arrival schedule: event k of the profile is due at `startMs + profile.offsetOfEvent(k)`,
 * whatever happened to the events before it. A caller that falls behind gets every overdue event at
 * once on its next {@link take} (it catches up, the rate asked is never lowered) and sees how late it is
 * in {@link lagMs}; latency measured from {@link ScheduledEvent.intendedMs} then includes the time an
 * event waited for the generator, which is what coordinated omission would hide. Several workers split
 * one profile by event index, so their union is exactly the one-worker schedule.
 */
export class OpenModelScheduler {
  readonly #profile: RateProfile;
  readonly #startMs: number;
  readonly #workers: number;
  #k: number;
  #nextMs: number | undefined;
  #taken = 0;

  /**
   * @param profile - the dataset's rate profile
   * @param options - start time and worker slice
   */
  public constructor(profile: RateProfile, options: OpenModelSchedulerOptions) {
    const worker = options.worker ?? 0;
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`workers must be an integer >= 1, got ${workers}`);
    if (!Number.isInteger(worker) || worker < 0 || worker >= workers) {
      throw new RangeError(`worker must be an integer in [0, ${workers - 1}], got ${worker}`);
    }
    this.#profile = profile;
    this.#startMs = options.startMs;
    this.#workers = workers;
    this.#k = worker;
    this.#nextMs = this.#offsetOf(this.#k);
  }

  /** True when every event of this worker's slice was taken. */
  public get done(): boolean {
    return this.#nextMs === undefined;
  }

  /** Events taken so far. */
  public get taken(): number {
    return this.#taken;
  }

  /** Intended time of the next event, epoch milliseconds, or undefined when done. */
  public get nextIntendedMs(): number | undefined {
    return this.#nextMs;
  }

  /**
   * Moves every event due at `nowMs` (intended time ≤ now), at most `max`, into `out`.
   *
   * @param nowMs - the current time, epoch milliseconds
   * @param max - most events to take
   * @param out - filled from index 0 (reused between calls to avoid garbage); its length is set
   * @returns the number of events taken
   */
  public take(nowMs: number, max: number, out: ScheduledEvent[]): number {
    let n = 0;
    while (n < max && this.#nextMs !== undefined && this.#nextMs <= nowMs) {
      const slot = out[n];
      const stage = this.#profile.stageOfEvent(this.#k);
      if (slot) {
        slot.seq = this.#k;
        slot.intendedMs = this.#nextMs;
        slot.stage = stage;
      } else out[n] = { seq: this.#k, intendedMs: this.#nextMs, stage };
      n++;
      this.#k += this.#workers;
      this.#nextMs = this.#offsetOf(this.#k);
    }
    out.length = n;
    this.#taken += n;
    return n;
  }

  /**
   * How far behind the schedule the caller is: now minus the intended time of the oldest event due and
   * not yet taken, 0 when none is due.
   *
   * @param nowMs - the current time, epoch milliseconds
   */
  public lagMs(nowMs: number): number {
    return this.#nextMs !== undefined && this.#nextMs <= nowMs ? nowMs - this.#nextMs : 0;
  }

  #offsetOf(k: number): number | undefined {
    const offset = this.#profile.offsetOfEvent(k);
    return offset === undefined ? undefined : this.#startMs + offset;
  }
}
