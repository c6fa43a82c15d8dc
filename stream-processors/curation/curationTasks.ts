import { runChildTask, siblingModule } from '../../common/childTask.js';
import type { ScheduledTask } from '../../common/scheduleTasks.js';
import type { CompactionChildInput } from './compactionChild.js';
import { compactionCandidates, compactRaw } from './compactRaw.js';
import { runCuration } from './runCuration.js';
import type { CompactionSummary, CurationOptions, CurationSummary } from './types.js';

/** Options of {@link lakeCurationTask}. */
export interface CurationTaskOptions extends Omit<CurationOptions, 'skipIfLocked' | 'since' | 'full'> {
  /** Time between the end of one run and the start of the next. @default 60 000 (every minute) */
  readonly intervalMs?: number;
  /** Called with every run's summary. */
  readonly onSummary?: (summary: CurationSummary) => void;
}

/**
 * Curation of a local lake as a {@link ScheduledTask}: each run curates the raw partitions that
 * changed since the last run, and is skipped while another run (a manual `gridstream curate`) holds
 * the lake's lock.
 *
 * @param options - curation options (lake, datasets, tuning) and the interval
 */
export function lakeCurationTask(options: CurationTaskOptions): ScheduledTask {
  return {
    name: 'curation',
    everyMs: options.intervalMs ?? 60_000,
    async run() {
      const summary = await runCuration({ ...options, skipIfLocked: true });
      options.onSummary?.(summary);
      if (summary.locked) return 'skipped: another curation holds the lake';
      return `${Object.keys(summary.tables).length} tables published`;
    },
  };
}

/** Options of {@link lakeCompactionTask}. */
export interface CompactionTaskOptions
  extends Pick<CurationOptions, 'lake' | 'datasets' | 'targetFileSizeBytes' | 'threads' | 'memoryLimit'> {
  /** Time between the end of one compaction and the start of the next. */
  readonly everyMs: number;
  /** How long after an hour ends its raw partition counts as closed (late flushes land meanwhile). */
  readonly graceMs: number;
  /** Clock of the "closed" decision. @default Date.now */
  readonly now?: () => number;
  /**
   * Where each compaction runs: `process` = in a short-lived child process, so the memory DuckDB's
   * allocator keeps after a compaction (~70 MiB measured) is given back when the child exits — what a
   * process that runs for days (`gridstream up`) needs; `inline` = in this process. @default 'inline'
   */
  readonly isolation?: 'inline' | 'process';
  /** Called with every compaction's summary. */
  readonly onCompaction?: (summary: CompactionSummary) => void;
}

/**
 * Compaction of closed raw hours as a {@link ScheduledTask}: every raw partition whose hour ended
 * `graceMs` ago and that holds files not yet compacted is rewritten into a few files of the target
 * size (see {@link compactRaw}: under the lake's lock, so a curation run sees the partition either
 * before or after, never both copies or neither). A partition that receives a late file after its
 * compaction is compacted again, with the late file, on a later run. Skipped while a curation run
 * holds the lake (the next run catches up). With `isolation: 'process'` each run is a child process.
 *
 * @param options - lake, interval, grace, file size, isolation
 */
export function lakeCompactionTask(options: CompactionTaskOptions): ScheduledTask {
  // Candidate partitions as the last child run left them (files it could not merge): unchanged, they are
  // no reason to start another child.
  let settled = new Set<string>();
  return {
    name: 'compaction',
    everyMs: options.everyMs,
    async run() {
      const input: CompactionChildInput = {
        lake: options.lake,
        datasets: options.datasets,
        latenessMs: options.graceMs,
        targetFileSizeBytes: options.targetFileSizeBytes,
        threads: options.threads,
        memoryLimit: options.memoryLimit,
        skipIfLocked: true,
      };
      // A child process costs a Node start and a DuckDB load: start one only when a candidate partition
      // changed since the last run.
      const clock = options.now ? { now: options.now } : {};
      let due = new Set<string>();
      if (options.isolation === 'process') {
        due = new Set(await compactionCandidates({ ...input, ...clock }));
        if ([...due].every((sig) => settled.has(sig))) return 'nothing to compact';
      }
      const c =
        options.isolation === 'process'
          ? await runChildTask<CompactionChildInput, CompactionSummary>(
              siblingModule(import.meta.url, 'compactionChild'),
              { ...input, ...(options.now ? { nowMs: options.now() } : {}) },
              'compaction',
            )
          : await compactRaw({ ...input, ...clock });
      // Settled: what the child saw and left exactly as it was. A partition that changed during the run
      // (a late file arrived) has another signature, so the next run looks at it; a run skipped because
      // curation held the lake settles nothing.
      if (options.isolation === 'process') {
        const after = c.locked ? [] : await compactionCandidates({ ...input, ...clock });
        settled = new Set(after.filter((sig) => due.has(sig)));
      }
      options.onCompaction?.(c);
      return formatCompaction(c);
    },
  };
}

/**
 * One status line for a compaction run: "3 closed hours, 9,600 → 3 files", "nothing to compact", or
 * "skipped: a curation run holds the lake".
 *
 * @param c - a compaction summary
 */
export function formatCompaction(c: CompactionSummary): string {
  if (c.locked) return 'skipped: a curation run holds the lake';
  if (c.partitions === 0) return 'nothing to compact';
  return (
    `${c.partitions} closed hour partition(s), ${c.filesBefore.toLocaleString('en-US')} → ` +
    `${c.filesAfter.toLocaleString('en-US')} files in ${(c.durationMs / 1000).toFixed(1)} s`
  );
}
