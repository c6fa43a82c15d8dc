export { RUN_FORMAT, WORKER_FORMAT } from '../constants.js';

/** Format id of reconciliation.json. */
export const RECONCILIATION_FORMAT = 'gridstream-loadtest-reconciliation/1';

/** Files and folders of a run folder that reconciliation reads and writes. */
export const RECONCILE_FILES = {
  run: 'run.json',
  workers: 'workers',
  reconciliation: 'reconciliation.json',
} as const;

/** Defaults of {@link reconcileRun}'s options. */
export const RECONCILE_DEFAULTS = {
  /** Expected event ids appended to DuckDB per chunk (bounds the JS side's memory). */
  appendChunk: 200_000,
  /** Raw files read per DuckDB statement (and downloaded at a time from an s3:// lake). */
  filesPerRead: 256,
  /** Parallel downloads from an s3:// lake. */
  downloadConcurrency: 8,
  /** DuckDB's memory limit; past it joins and aggregations spill to the temp folder. */
  memoryLimit: '1GB',
  /** DuckDB worker threads. */
  threads: 2,
  /** How long to wait for the lake's lock while a compaction or curation run holds it. */
  lockWaitMs: 10 * 60_000,
  /** Poll interval while waiting for the lock. */
  lockPollMs: 200,
  /** Event ids listed per kind (lost, duplicated) for the user to look up. */
  samples: 10,
  /**
   * Raw partitions read around the run's simulated time: every event's partition time lies inside the
   * workers' `simulated_from_ms`..`simulated_to_ms` (late events keep their event time; a forecast is
   * partitioned by its issue time), so only the hours of that span, widened by this much each side, are
   * read. A long-lived lake is not downloaded whole; a row placed further off than this counts as lost,
   * not misplaced (both fail the run).
   */
  partitionMarginMs: 6 * 3_600_000,
} as const;
