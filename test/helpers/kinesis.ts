import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { EmbeddedKinesis } from '../../local/index.js';
import { tempDir } from './tempDir.js';

let streamCounter = 0;

/**
 * A stream name unique to this process and call.
 *
 * @param label - readable part of the name
 */
export function uniqueStream(label: string): string {
  streamCounter += 1;
  return `${label}-${process.pid}-${streamCounter}`;
}

/**
 * Starts the Kinesis emulator before the suite's tests and stops it after them.
 *
 * @param onStart - receives the running emulator (assign it to the suite's variable)
 * @example
 * ```ts
 * let kinesis: EmbeddedKinesis;
 * useEmbeddedKinesis((k) => { kinesis = k; });
 * ```
 */
export function useEmbeddedKinesis(onStart: (kinesis: EmbeddedKinesis) => void): void {
  let kinesis: EmbeddedKinesis | undefined;
  beforeAll(async () => {
    // Records stay for the stream's retention, as on Kinesis: the emulator's default window trims records
    // a killed reader had read once a grace period passes, which a restart on a loaded machine can exceed.
    kinesis = await EmbeddedKinesis.start({ retention: false });
    onStart(kinesis);
  });
  afterAll(async () => {
    await kinesis?.stop();
  });
}

/**
 * Starts the Kinesis emulator and makes a temp dir before the suite's tests; stops and removes them
 * after.
 *
 * @param prefix - readable part of the temp dir's name
 * @param onStart - receives the running emulator and the dir (assign them to the suite's variables)
 * @example
 * ```ts
 * let kinesis: EmbeddedKinesis;
 * let dir: string;
 * useKinesisAndTempDir('delivery', (k, d) => {
 *   kinesis = k;
 *   dir = d;
 * });
 * ```
 */
export function useKinesisAndTempDir(
  prefix: string,
  onStart: (kinesis: EmbeddedKinesis, dir: string) => void,
): void {
  let dir: string | undefined;
  useEmbeddedKinesis((kinesis) => {
    dir = tempDir(prefix);
    onStart(kinesis, dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}
