import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_LAKE } from './constants.js';
import { InvalidLakeLocationError } from './errors.js';
import { LocalLakeStorage } from './LocalLakeStorage.js';
import { S3LakeStorage } from './S3LakeStorage.js';
import type { LakeStorage } from './types.js';

/**
 * Opens the lake named by a `--lake` value: `s3://bucket[/prefix]` for S3 (endpoint from
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`), anything else is a local directory.
 *
 * @param location - `--lake` value; @default `./lake`
 * @param options - an S3 client to use instead of a new one
 * @throws InvalidLakeLocationError for an `s3://` URL without a bucket
 * @example
 * ```ts
 * const lake = openLakeStorage(process.env.LAKE ?? './lake');
 * ```
 */
export function openLakeStorage(
  location: string = DEFAULT_LAKE,
  options: { readonly s3Client?: S3Client } = {},
): LakeStorage {
  if (location.trim() === '') throw new InvalidLakeLocationError(location, 'empty');
  if (/^s3a?:\/\//i.test(location)) {
    const rest = location.replace(/^s3a?:\/\//i, '');
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new InvalidLakeLocationError(location, `${JSON.stringify(bucket)} is not a valid bucket name`);
    }
    return new S3LakeStorage({
      bucket,
      prefix,
      ...(options.s3Client ? { client: options.s3Client } : {}),
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new InvalidLakeLocationError(location, 'only local directories and s3:// URLs are supported');
  }
  return new LocalLakeStorage(location);
}
