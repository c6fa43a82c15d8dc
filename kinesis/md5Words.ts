/** Bytes of a message that fits one block with its padding (0x80 and the 8-byte length). */
export const MD5_ONE_BLOCK_MAX = 55;

/** The one 64-byte block of a short message, as 16 little-endian words. */
const X = new Int32Array(16);

/**
 * MD5's compression of one block (RFC 1321), its 64 steps unrolled once here with `new Function`:
 * straight-line code with constant operands, several times faster than the looped form.
 */
const compress = ((): ((x: Int32Array, out: Uint32Array) => void) => {
  const rotations = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const lines: string[] = [
    'let a = 0x67452301, b = 0xefcdab89 | 0, c = 0x98badcfe | 0, d = 0x10325476, t = 0;',
  ];
  let [va, vb, vc, vd] = ['a', 'b', 'c', 'd'];
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    const f = [
      `(${vb} & ${vc}) | (~${vb} & ${vd})`,
      `(${vd} & ${vb}) | (~${vd} & ${vc})`,
      `${vb} ^ ${vc} ^ ${vd}`,
      `${vc} ^ (${vb} | ~${vd})`,
    ][round]!;
    const g = [i, (5 * i + 1) & 15, (3 * i + 5) & 15, (7 * i) & 15][round]!;
    const k = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;
    const s = rotations[(round << 2) + (i & 3)]!;
    lines.push(
      `t = (${va} + (${f}) + ${k} + x[${g}]) | 0; ${va} = (${vb} + ((t << ${s}) | (t >>> ${32 - s}))) | 0;`,
    );
    [va, vb, vc, vd] = [vd, va, vb, vc];
  }
  // The digest is the four state words, each little-endian; read as one big-endian 128-bit number.
  const swap = (w: string) =>
    `((${w} & 0xff) << 24) | ((${w} & 0xff00) << 8) | ((${w} >>> 8) & 0xff00) | (${w} >>> 24)`;
  lines.push(
    'a = (a + 0x67452301) | 0; b = (b + 0xefcdab89) | 0; c = (c + 0x98badcfe) | 0; d = (d + 0x10325476) | 0;',
    `out[0] = ${swap('a')}; out[1] = ${swap('b')}; out[2] = ${swap('c')}; out[3] = ${swap('d')};`,
  );
  return new Function('x', 'out', lines.join('\n')) as (x: Int32Array, out: Uint32Array) => void;
})();

/**
 * MD5 of a short ASCII string (at most {@link MD5_ONE_BLOCK_MAX} characters, all below 0x80), as the
 * 128-bit number Kinesis reads a digest as: four unsigned 32-bit words, most significant first. For
 * keys this short (partition keys) one block of MD5 in JavaScript is cheaper than a call into the
 * native hash, and gives the same digest.
 *
 * @param text - the string
 * @param out - receives the four words
 * @returns false (and `out` untouched) when the string is too long or not ASCII: use the native hash
 */
export function md5Words(text: string, out: Uint32Array): boolean {
  const n = text.length;
  if (n > MD5_ONE_BLOCK_MAX) return false;
  X.fill(0);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return false;
    X[i >> 2]! |= c << ((i & 3) << 3);
  }
  X[n >> 2]! |= 0x80 << ((n & 3) << 3);
  X[14] = n << 3; // the length in bits, a little-endian 64-bit number whose high word stays 0
  compress(X, out);
  return true;
}
