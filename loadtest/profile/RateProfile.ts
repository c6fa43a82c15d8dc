import { searchRates } from '../scenario/loadScenario.js';
import type { Stage } from '../scenario/types.js';

/** A stretch of the profile over which the asked rate changes linearly (events per second). */
export interface RateSegment {
  /** Offset from the profile's start, milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
  /** Rate at startMs and at endMs, events per second. */
  readonly fromRate: number;
  readonly toRate: number;
  /** Index of the stage it belongs to. */
  readonly stage: number;
}

/**
 * A rate profile as a list of linear segments, with the asked rate at any offset and, for the open-model
 * scheduler, the inverse of the cumulative count: the intended send offset of event k is the time when
 * ∫rate reaches k (event 0 at offset 0). Every stage kind compiles to segments: constant/soak one, ramp
 * one, step/search one plateau per rate, spike base–peak–base (repeated), daily 24 hourly segments
 * interpolated between the hours' factors.
 */
export class RateProfile {
  /** The segments, in time order, contiguous from 0 to {@link durationMs}. */
  public readonly segments: readonly RateSegment[];
  /** The stages compiled. */
  public readonly stages: readonly Stage[];
  readonly #cumulative: Float64Array;
  #hint = 0;

  /**
   * @param stages - the profile's stages, run one after the other
   */
  public constructor(stages: readonly Stage[]) {
    this.stages = stages;
    const segments: RateSegment[] = [];
    let t = 0;
    for (const [i, stage] of stages.entries()) {
      for (const [len, from, to] of stagePieces(stage)) {
        if (len > 0) segments.push({ startMs: t, endMs: t + len, fromRate: from, toRate: to, stage: i });
        t += len;
      }
    }
    this.segments = segments;
    this.#cumulative = new Float64Array(segments.length + 1);
    for (const [i, s] of segments.entries()) {
      this.#cumulative[i + 1] =
        this.#cumulative[i]! + ((s.fromRate + s.toRate) / 2) * ((s.endMs - s.startMs) / 1000);
    }
  }

  /** Length of the whole profile, milliseconds. */
  public get durationMs(): number {
    return this.segments.at(-1)?.endMs ?? 0;
  }

  /** Events the profile asks for in total (∫rate over the profile, fractional). */
  public get totalEvents(): number {
    return this.#cumulative[this.segments.length]!;
  }

  /**
   * The asked rate at an offset, events per second (0 outside the profile).
   *
   * @param tMs - offset from the profile's start
   */
  public rateAt(tMs: number): number {
    const s = this.segments[this.#segmentAt(tMs)];
    if (!s || tMs < 0 || tMs >= this.durationMs) return 0;
    return s.fromRate + ((s.toRate - s.fromRate) * (tMs - s.startMs)) / (s.endMs - s.startMs);
  }

  /**
   * Index of the stage running at an offset (the last stage at or after the end).
   *
   * @param tMs - offset from the profile's start
   */
  public stageAt(tMs: number): number {
    return this.segments[this.#segmentAt(tMs)]?.stage ?? 0;
  }

  /**
   * Events asked for between the start and an offset: ∫rate over [0, tMs].
   *
   * @param tMs - offset from the profile's start
   */
  public eventsUntil(tMs: number): number {
    if (tMs <= 0) return 0;
    if (tMs >= this.durationMs) return this.totalEvents;
    const i = this.#segmentAt(tMs);
    const s = this.segments[i]!;
    const dt = (tMs - s.startMs) / 1000;
    const slope = (s.toRate - s.fromRate) / ((s.endMs - s.startMs) / 1000);
    return this.#cumulative[i]! + s.fromRate * dt + (slope * dt * dt) / 2;
  }

  /**
   * Intended send offset of event k (0-based): the time when {@link eventsUntil} reaches k. Undefined when
   * the profile asks for fewer than k + 1 events.
   *
   * @param k - event index in the profile
   */
  public offsetOfEvent(k: number): number | undefined {
    const i = this.#segmentOfEvent(k);
    if (i < 0) return undefined;
    const s = this.segments[i]!;
    const n = k - this.#cumulative[i]!;
    const lenS = (s.endMs - s.startMs) / 1000;
    const a = (s.toRate - s.fromRate) / (2 * lenS);
    const b = s.fromRate;
    // Root of a·t² + b·t = n in the form that stays exact when a → 0 (no cancellation).
    const denominator = b + Math.sqrt(Math.max(0, b * b + 4 * a * n));
    const tS = denominator > 0 ? (2 * n) / denominator : 0;
    return s.startMs + Math.min(tS * 1000, s.endMs - s.startMs);
  }

  /**
   * Index of the stage event k (0-based) belongs to, or -1 past the profile's end.
   *
   * @param k - event index in the profile
   */
  public stageOfEvent(k: number): number {
    const i = this.#segmentOfEvent(k);
    return i < 0 ? -1 : this.segments[i]!.stage;
  }

  /** The segment holding event k (cumulative count at its start <= k < at its end), or -1. */
  #segmentOfEvent(k: number): number {
    if (k < 0 || k >= this.totalEvents) return -1;
    const c = this.#cumulative;
    // Events are asked for in order: the last answer is nearly always right (a scheduler's hot path).
    const h = this.#hint;
    if (c[h]! <= k && k < c[h + 1]!) return h;
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    // Skip zero-rate segments (their cumulative count does not grow).
    while (lo < this.segments.length - 1 && c[lo + 1]! <= k) lo++;
    this.#hint = lo;
    return lo;
  }

  #segmentAt(tMs: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.startMs <= tMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** A stage as [lengthMs, fromRate, toRate] pieces. */
function stagePieces(stage: Stage): [number, number, number][] {
  switch (stage.kind) {
    case 'constant':
    case 'soak':
      return [[stage.durationMs, stage.rate, stage.rate]];
    case 'ramp':
      return [[stage.durationMs, stage.from, stage.to]];
    case 'step': {
      const len = stage.durationMs / stage.steps;
      return Array.from({ length: stage.steps }, (_, i) => {
        const r = stage.from + ((stage.to - stage.from) * i) / (stage.steps - 1);
        return [len, r, r] as [number, number, number];
      });
    }
    case 'spike': {
      const pieces: [number, number, number][] = [];
      let t = 0;
      const period = stage.repeatEveryMs ?? Number.POSITIVE_INFINITY;
      for (let at = stage.spikeAtMs; at < stage.durationMs; at += period) {
        const end = Math.min(at + stage.spikeDurationMs, stage.durationMs);
        pieces.push([at - t, stage.base, stage.base], [end - at, stage.peak, stage.peak]);
        t = end;
        if (!Number.isFinite(period)) break;
      }
      pieces.push([stage.durationMs - t, stage.base, stage.base]);
      return pieces;
    }
    case 'daily': {
      const len = stage.durationMs / 24;
      return stage.hourly.map((r, h) => [len, r, stage.hourly[(h + 1) % 24]!] as [number, number, number]);
    }
    case 'search':
      return searchRates(stage.start, stage.increase, stage.factor, stage.max).map(
        (r) => [stage.stepDurationMs, r, r] as [number, number, number],
      );
  }
}
