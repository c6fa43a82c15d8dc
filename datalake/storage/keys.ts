import { InvalidObjectKeyError } from './errors.js';

/**
 * Checks a lake-relative key: non-empty, relative, `/`-separated, no `.`/`..`/empty segments.
 *
 * @param key - the key
 * @throws InvalidObjectKeyError naming the key
 */
export function assertValidKey(key: string): void {
  if (key.length === 0 || key.startsWith('/') || key.includes('\\') || key.includes('\0')) {
    throw new InvalidObjectKeyError(key);
  }
  const segments = key.endsWith('/') ? key.slice(0, -1).split('/') : key.split('/');
  for (const s of segments) if (s === '' || s === '.' || s === '..') throw new InvalidObjectKeyError(key);
}

/**
 * Checks a listing prefix: `''` or a valid key ending with `/`.
 *
 * @param prefix - the prefix
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  if (!prefix.endsWith('/')) throw new InvalidObjectKeyError(prefix);
  assertValidKey(prefix);
}
