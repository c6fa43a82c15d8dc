// Entry of the child process a compaction runs in when its task asks for process isolation
// (`lakeCompactionTask({ isolation: 'process' })`, as `gridstream up` does): DuckDB's memory goes back to
// the system when this process exits.
import { serveChildTask } from '../../common/childTask.js';
import { compactRaw } from './compactRaw.js';
import type { CompactionOptions, CompactionSummary } from './types.js';

/** What crosses the process boundary: {@link CompactionOptions} without functions, plus a fixed clock. */
export type CompactionChildInput = Omit<CompactionOptions, 'now' | 'onProgress'> & {
  readonly nowMs?: number;
};

serveChildTask<CompactionChildInput, CompactionSummary>(({ nowMs, ...options }) =>
  compactRaw({ ...options, ...(nowMs !== undefined ? { now: () => nowMs } : {}) }),
);
