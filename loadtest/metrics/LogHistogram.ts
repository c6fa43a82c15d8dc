/** Sub-buckets per power of two, as bits: 2^7 = 128 → a bucket is at most 1/128 of its values wide. */
const SUB_BITS = 7;
const SUB_COUNT = 1 << SUB_BITS;
/** Values are recorded up to 2^44 − 1 units (microseconds: 203 days); larger ones land in the top bucket. */
const MAX_BITS = 44;
const MAX_VALUE = 2 ** MAX_BITS - 1;
/** Values below 2·SUB_COUNT have a bucket each (exact). */
const EXACT_LIMIT = 2 * SUB_COUNT;
const BUCKET_COUNT = SUB_COUNT * (MAX_BITS - 1 - SUB_BITS) + 2 * SUB_COUNT;
const TWO_32 = 2 ** 32;

/** A histogram's numbers for reports: count, extremes, mean and percentiles (in the recorded unit). */
export interface HistogramSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
}

/** A histogram written as JSON (sparse buckets), the form workers send to be merged. */
export interface HistogramJson {
  readonly subBits: number;
  readonly maxBits: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  /** [bucket index, count] of every non-empty bucket, by index. */
  readonly buckets: readonly (readonly [number, number])[];
}

/**
 * An HDR-style log-bucketed histogram of non-negative values in fixed memory: integers below 256 have
 * a bucket each, above that every power of two is split into 128 buckets, so a percentile (reported at
 * its bucket's middle) is within 1/256 (0.4 %) of a recorded value — 1 % covers the rounding of
 * fractional inputs from 100 up. 4,864 buckets cover 0 to 2^44 (203 days in microseconds) whatever the
 * number of samples: a 24-hour soak does not grow it. Count, min, max and sum are exact. Histograms of
 * the same layout merge by adding buckets, so workers' histograms combine into the run's exactly.
 *
 * @example
 * ```ts
 * const h = new LogHistogram();
 * h.record(latencyMicros);
 * h.percentile(99); // ≤ 1 % from the true p99
 * ```
 */
export class LogHistogram {
  readonly #counts = new Float64Array(BUCKET_COUNT);
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  #sum = 0;

  /** Number of buckets: the same for every histogram, whatever was recorded. */
  public get bucketCount(): number {
    return this.#counts.length;
  }

  /** Samples recorded. */
  public get count(): number {
    return this.#count;
  }

  /** Smallest value recorded (0 when empty). */
  public get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** Largest value recorded (0 when empty). */
  public get max(): number {
    return this.#max;
  }

  /** Mean of the values recorded (0 when empty). */
  public get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /**
   * Records a value.
   *
   * @param value - a finite number ≥ 0 (negative values, e.g. from clock skew, count as 0)
   * @param times - how many samples of that value
   * @throws RangeError on NaN or an infinite value
   */
  public record(value: number, times = 1): void {
    if (!Number.isFinite(value)) throw new RangeError(`histogram value must be finite, got ${value}`);
    const v = Math.max(value, 0);
    this.#counts[bucketOf(v)]! += times;
    this.#count += times;
    this.#sum += v * times;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /**
   * The value at a percentile: the middle of the bucket holding the sample of rank ⌈p/100 · count⌉,
   * kept within [min, max]; p = 0 gives min and p = 100 max, exactly.
   *
   * @param p - percentile in [0, 100]
   * @returns the value, 0 when empty
   */
  public percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
    if (this.#count === 0) return 0;
    if (p === 0) return this.min;
    if (p === 100) return this.#max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.min, bucketMiddle(i)));
    }
    return this.#max;
  }

  /** Count, extremes, mean, p50, p90, p99 and p99.9. */
  public summary(): HistogramSummary {
    return {
      count: this.#count,
      min: this.min,
      max: this.max,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }

  /**
   * Adds another histogram's samples to this one.
   *
   * @param other - a histogram (or its JSON form from another process)
   */
  public merge(other: LogHistogram | HistogramJson): this {
    const o = other instanceof LogHistogram ? other.toJSON() : other;
    if (o.subBits !== SUB_BITS || o.maxBits !== MAX_BITS) {
      throw new RangeError(
        `cannot merge a histogram of layout ${o.subBits}/${o.maxBits} into ${SUB_BITS}/${MAX_BITS}`,
      );
    }
    if (o.count === 0) return this;
    for (const [i, c] of o.buckets) this.#counts[i]! += c;
    this.#count += o.count;
    this.#sum += o.sum;
    this.#min = Math.min(this.#min, o.min);
    this.#max = Math.max(this.#max, o.max);
    return this;
  }

  /** Empties the histogram (the buckets stay allocated). */
  public reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
    this.#sum = 0;
  }

  /** The JSON form (non-empty buckets only). */
  public toJSON(): HistogramJson {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) if (this.#counts[i]! > 0) buckets.push([i, this.#counts[i]!]);
    return {
      subBits: SUB_BITS,
      maxBits: MAX_BITS,
      count: this.#count,
      min: this.min,
      max: this.#max,
      sum: this.#sum,
      buckets,
    };
  }

  /**
   * A histogram from its JSON form.
   *
   * @param json - what {@link toJSON} wrote
   */
  public static fromJSON(json: HistogramJson): LogHistogram {
    return new LogHistogram().merge(json);
  }
}

/** Bucket index of a value ≥ 0. */
function bucketOf(value: number): number {
  const v = Math.floor(Math.min(value, MAX_VALUE));
  if (v < EXACT_LIMIT) return v;
  if (v < TWO_32) {
    const shift = 31 - Math.clz32(v) - SUB_BITS;
    return SUB_COUNT * shift + (v >>> shift);
  }
  const shift = 63 - Math.clz32(Math.floor(v / TWO_32)) - SUB_BITS;
  return SUB_COUNT * shift + Math.floor(v / 2 ** shift);
}

/** Middle of a bucket's value range. */
function bucketMiddle(index: number): number {
  if (index < EXACT_LIMIT) return index;
  const shift = Math.floor(index / SUB_COUNT) - 1;
  const mantissa = index - SUB_COUNT * shift;
  const width = 2 ** shift;
  return mantissa * width + (width - 1) / 2;
}
