import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureBuild } from '../scripts/build.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's shared Kafka broker is recorded (test/helpers/kafka.ts starts it on first use). */
    kafkaStateFile: string;
  }
}

const kafkaStateFile = join(process.cwd(), '.tmp', `kafka-broker-${process.pid}.json`);

/**
 * Vitest global setup: tests spawn `bin/gridstream.js`, which runs the compiled CLI in dist/. Building a
 * stale dist/ once here, before any test starts, keeps the rebuild out of the tests' own time limits.
 * It also names the run's Kafka broker state file: the first suite that needs a broker starts one, every
 * later suite reuses it, and the teardown stops it.
 */
export function setup(project: TestProject): () => void {
  ensureBuild({ log: (line) => process.stderr.write(`vitest global setup: ${line}\n`) });
  project.provide('kafkaStateFile', kafkaStateFile);
  return () => {
    if (!existsSync(kafkaStateFile)) return;
    try {
      const { pid } = JSON.parse(readFileSync(kafkaStateFile, 'utf8')) as { pid: number };
      // The broker's own process group (started detached): gridstream kafka and its JVM.
      process.kill(-pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    rmSync(kafkaStateFile, { force: true });
    rmSync(`${kafkaStateFile}.log`, { force: true });
  };
}
