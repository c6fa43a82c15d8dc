/**
 * UTF-8 length of a string, as `Buffer.byteLength` counts it, without a native call for short ASCII
 * strings (partition keys): the call costs more than scanning a few characters in JavaScript.
 *
 * @param text - any string
 */
export function utf8Length(text: string): number {
  if (text.length > 64) return Buffer.byteLength(text);
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text);
  }
  return text.length;
}
