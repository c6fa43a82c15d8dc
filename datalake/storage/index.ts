export { renameDurably, writeFileAtomic } from './atomicWrite.js';
export { checkLakeWritable } from './checkLakeWritable.js';
export { DEFAULT_LAKE, LAKE_SYSTEM_PREFIXES } from './constants.js';
export {
  InvalidLakeLocationError,
  InvalidObjectKeyError,
  LakeNotWritableError,
  StorageError,
} from './errors.js';
export { lakeFsError, makeDirs } from './fsErrors.js';
export { fsyncPath } from './fsyncPath.js';
export { isProcessAlive } from './isProcessAlive.js';
export { LocalLakeStorage } from './LocalLakeStorage.js';
export { openLakeStorage } from './openLakeStorage.js';
export {
  createS3Client,
  S3LakeStorage,
  type S3LakeStorageOptions,
  s3EndpointFromEnv,
} from './S3LakeStorage.js';
export type { LakeStorage, VersionedBytes } from './types.js';
