import { fmix32, hashString } from './prng.js';

// Hot-path bindings: some loaders (tsx, vite-node) turn imports into property getters that cost a
// call per use; reading each import once into a local constant keeps per-event work low.
const L_fmix32 = fmix32;

/** The four 32-bit lanes an id stream is keyed by, derived once per (seed, producer, dataset). */
export interface EventIdKey {
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
}

// The id is written byte by byte into one scratch buffer and decoded once: a flat string, without
// the intermediate strings (and the cons-string flattening in JSON.stringify) of concatenation.
const ID_BUFFER = Buffer.alloc(36, 0x2d); // '-' at 8, 13, 18, 23 stay put
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

function writeHex(w: number, at: number, digits: number): void {
  for (let i = 0; i < digits; i++) ID_BUFFER[at + i] = HEX_DIGITS[(w >>> (4 * (digits - 1 - i))) & 15]!;
}

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
  const w0 = L_fmix32(lo ^ key.k0);
  const w1 = L_fmix32((hi ^ key.k1 ^ w0) | 0);
  const w2 = L_fmix32((key.k2 + w1) | 0);
  const w3 = L_fmix32((key.k3 ^ w2 ^ lo) | 0);
  // Layout: w0 | w1 hi 16 | w1 lo 16 (version nibble 8) | w2 hi 16 (variant 10xx) | w2 lo 16 + w3
  const b = ((w1 & 0xffff0fff) | 0x00008000) >>> 0;
  const c = ((w2 & 0x3fffffff) | 0x80000000) >>> 0;
  writeHex(w0, 0, 8);
  writeHex(b >>> 16, 9, 4);
  writeHex(b & 0xffff, 14, 4);
  writeHex(c >>> 16, 19, 4);
  writeHex(c & 0xffff, 24, 4);
  writeHex(w3, 28, 8);
  return ID_BUFFER.toString('latin1', 0, 36);
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
