/**
 * Orders two Kinesis sequence numbers (decimal strings of up to 56 digits) numerically, without BigInt:
 * the longer one is larger, else the string order decides. Also orders the emulator's store keys of one
 * shard (`<shardHex>/<sequenceNumber>`), whose prefixes are equal.
 *
 * @param a - a sequence number (or store key)
 * @param b - another of the same shard
 * @returns negative when `a` comes first, 0 when equal, positive when `a` comes after `b`
 */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
