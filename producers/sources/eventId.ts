import { fmix32, hashString } from './prng.js';

/** The four 32-bit lanes an id stream is keyed by, derived once per (seed, producer, dataset). */
export interface EventIdKey {
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
}

// The id is built by one String.fromCharCode call: a flat string, without the intermediate strings
// (and the cons-string flattening in JSON.stringify) of concatenation, and without a native call.
const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]; // 0-9 a-f
const DASH = 0x2d;

/**
 * Keys an id stream.
 *
 * @param seed - generator seed
 * @param producerId - producer id
 * @param dataset - dataset name
 */
export function eventIdKey(seed: number, producerId: string, dataset: string): EventIdKey {
  const text = `${seed}\u0000${producerId}\u0000${dataset}`;
  return {
    k0: hashString(text, 0x1b873593),
    k1: hashString(text, 0x2545f491),
    k2: hashString(text, 0x68e31da4),
    k3: hashString(text, 0x0b4611a5),
  };
}

/**
 * A UUID-formatted id (RFC 9562 version 8, custom) of one event, a pure function of the key and the
 * sequence number: the same event gets the same id on every retry and rerun.
 *
 * The first 32 bits are a bijection of the low 32 bits of the sequence, so ids of one stream never
 * collide within 2^32 events; the other bits separate streams.
 *
 * @param key - stream key from {@link eventIdKey}
 * @param sequence - 0-based event number in the stream (a safe integer)
 */
export function eventIdFor(key: EventIdKey, sequence: number): string {
  const lo = sequence >>> 0;
  const hi = Math.floor(sequence / 4294967296) >>> 0;
  const w0 = fmix32(lo ^ key.k0);
  const w1 = fmix32((hi ^ key.k1 ^ w0) | 0);
  const w2 = fmix32((key.k2 + w1) | 0);
  const w3 = fmix32((key.k3 ^ w2 ^ lo) | 0);
  // Layout: w0 | w1 hi 16 | w1 lo 16 (version nibble 8) | w2 hi 16 (variant 10xx) | w2 lo 16 + w3
  const b = ((w1 & 0xffff0fff) | 0x00008000) >>> 0;
  const c = ((w2 & 0x3fffffff) | 0x80000000) >>> 0;
  const h = HEX;
  return String.fromCharCode(
    h[w0 >>> 28]!,
    h[(w0 >>> 24) & 15]!,
    h[(w0 >>> 20) & 15]!,
    h[(w0 >>> 16) & 15]!,
    h[(w0 >>> 12) & 15]!,
    h[(w0 >>> 8) & 15]!,
    h[(w0 >>> 4) & 15]!,
    h[w0 & 15]!,
    DASH,
    h[b >>> 28]!,
    h[(b >>> 24) & 15]!,
    h[(b >>> 20) & 15]!,
    h[(b >>> 16) & 15]!,
    DASH,
    h[(b >>> 12) & 15]!,
    h[(b >>> 8) & 15]!,
    h[(b >>> 4) & 15]!,
    h[b & 15]!,
    DASH,
    h[c >>> 28]!,
    h[(c >>> 24) & 15]!,
    h[(c >>> 20) & 15]!,
    h[(c >>> 16) & 15]!,
    DASH,
    h[(c >>> 12) & 15]!,
    h[(c >>> 8) & 15]!,
    h[(c >>> 4) & 15]!,
    h[c & 15]!,
    h[w3 >>> 28]!,
    h[(w3 >>> 24) & 15]!,
    h[(w3 >>> 20) & 15]!,
    h[(w3 >>> 16) & 15]!,
    h[(w3 >>> 12) & 15]!,
    h[(w3 >>> 8) & 15]!,
    h[(w3 >>> 4) & 15]!,
    h[w3 & 15]!,
  );
}

/**
 * A UUID-formatted id derived from a natural key, for adapters: polling the same upstream record
 * again yields the same id, so downstream de-duplication drops the repeat.
 *
 * @param naturalKey - a string identifying the upstream record, e.g. `ercot|rtm|HB_NORTH|2024-07-01|14|2|N`
 */
export function eventIdFromKey(naturalKey: string): string {
  return eventIdFor(eventIdKey(0, naturalKey, ''), 0);
}
