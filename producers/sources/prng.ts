/**
 * Seeded randomness without dependencies: a mulberry32 stream for stateful choices (trades) and
 * stateless integer hashes for the models, so that a value at (seed, key, time) never depends on
 * how many events were generated before it.
 */

/** A stream of uniform numbers in [0, 1). */
export type RandomStream = () => number;

/**
 * The murmur3 32-bit finaliser: a bijection on 32-bit integers with full avalanche.
 *
 * @param x - any 32-bit integer
 */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash of three integers to an unsigned 32-bit integer.
 *
 * @param a - first integer (usually the seed)
 * @param b - second integer (usually a key)
 * @param c - third integer (usually a time index)
 */
export function hash3(a: number, b: number, c: number): number {
  let h = fmix32((a ^ 0x9e3779b9) | 0);
  h = fmix32((h ^ Math.imul(b | 0, 0x27d4eb2f)) | 0);
  return fmix32((h + Math.imul(c | 0, 0x165667b1)) | 0);
}

/**
 * Uniform number in [0, 1) from three integers.
 *
 * @param a - first integer (usually the seed)
 * @param b - second integer (usually a key)
 * @param c - third integer (usually a time index)
 */
export function hashUnit(a: number, b: number, c: number): number {
  return hash3(a, b, c) / 4294967296;
}

/**
 * Approximately standard-normal number from three integers (sum of four uniforms, scaled):
 * bounded to ±3.46, which keeps model values inside physical limits.
 *
 * @param a - first integer
 * @param b - second integer
 * @param c - third integer
 */
export function hashNormal(a: number, b: number, c: number): number {
  const h1 = hash3(a, b, c);
  const h2 = fmix32(h1 ^ 0x5bd1e995);
  const s = (h1 & 0xffff) + (h1 >>> 16) + (h2 & 0xffff) + (h2 >>> 16);
  return (s / 65536 - 2) * 1.7320508075688772;
}

/**
 * FNV-1a hash of a string, mixed with a salt.
 *
 * @param text - the string
 * @param salt - a 32-bit salt giving independent hashes of the same string
 */
export function hashString(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * Smooth value noise in [-1, 1]: random values at knots `periodMs` apart, joined by smoothstep.
 * Stateless: the value at a time depends only on (seed, key, time).
 *
 * @param seed - generator seed
 * @param key - independent stream key (location × variable)
 * @param timeMs - epoch milliseconds
 * @param periodMs - spacing of the knots
 */
export function smoothNoise(seed: number, key: number, timeMs: number, periodMs: number): number {
  const x = timeMs / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  const v0 = hashUnit(seed, key, k);
  const v1 = hashUnit(seed, key, k + 1);
  const w = f * f * (3 - 2 * f);
  return 2 * (v0 + (v1 - v0) * w) - 1;
}

/**
 * A mulberry32 generator: fast, 32-bit state, good enough for synthetic data.
 *
 * @param seed - 32-bit seed
 * @example
 * ```ts
 * const random = mulberry32(42);
 * const u = random(); // 0 <= u < 1, same sequence for the same seed
 * ```
 */
export function mulberry32(seed: number): RandomStream {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
