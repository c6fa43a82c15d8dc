import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the CLI (dist/) when a source changed since its last build; see test/globalSetup.ts.
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // A failed test runs once more. The suites drive real processes (emulator, broker, Spark, delivery)
    // on a shared 2-core machine, where a stall of other work can break a test that is right; a test
    // that then passes is not hidden: `npm test` lists it under "passed on a retry" in its summary,
    // with the first failure, so it gets fixed.
    retry: 1,
    // One test file at a time: the integration suites start servers and child processes (emulator,
    // moto, Spark, cdk synth, checkov) that already use both cores of the 2-core machines we run on; two
    // forks starved vitest's own worker RPC under load ("Timeout calling onTaskUpdate").
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    reporters: ['default'],
  },
});
