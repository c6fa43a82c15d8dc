import { compactRaw } from './compactRaw.js';
import { CURATION_DEFAULTS } from './constants.js';
import { runCuration } from './runCuration.js';
import type { CompactionSummary, CurationOptions, CurationSummary } from './types.js';

/** Options of {@link scheduleCuration}. */
export interface CurationScheduleOptions extends Omit<CurationOptions, 'skipIfLocked' | 'since' | 'full'> {
  /** Time between the end of one run and the start of the next. @default 60 000 (every minute) */
  readonly intervalMs?: number;
  /** Also compact closed raw partitions every this many ms (0: never). @default 3 600 000 */
  readonly compactionIntervalMs?: number;
  /** Called with every run's summary. */
  readonly onSummary?: (summary: CurationSummary) => void;
  /** Called with every compaction's summary. */
  readonly onCompaction?: (summary: CompactionSummary) => void;
  /** Called when a run fails; the schedule goes on (the next run redoes the same work). */
  readonly onError?: (error: unknown) => void;
}

/** A running schedule. */
export interface CurationSchedule {
  /** Stops the schedule; resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs {@link runCuration} on a timer for `gridstream up`: one run at a time (a run that finds the
 * lake locked by a manual `gridstream curate` is skipped), the next starting `intervalMs` after the
 * previous ended; hourly compaction of closed raw partitions between runs.
 *
 * @param options - lake, interval and callbacks (plus every runCuration option)
 * @example
 * ```ts
 * const schedule = scheduleCuration({ lake: './lake', onSummary: (s) => log.info('curation', s) });
 * process.on('SIGINT', () => void schedule.stop());
 * ```
 */
export function scheduleCuration(options: CurationScheduleOptions): CurationSchedule {
  const interval = options.intervalMs ?? 60_000;
  const compactEvery = options.compactionIntervalMs ?? 3_600_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastCompaction = Date.now();
  const tick = async () => {
    try {
      if (compactEvery > 0 && Date.now() - lastCompaction >= compactEvery) {
        lastCompaction = Date.now();
        const c = await compactRaw({
          lake: options.lake,
          datasets: options.datasets,
          latenessMs: options.latenessMs ?? CURATION_DEFAULTS.latenessMs,
          targetFileSizeBytes: options.targetFileSizeBytes,
        });
        options.onCompaction?.(c);
      }
      const summary = await runCuration({ ...options, skipIfLocked: true });
      options.onSummary?.(summary);
    } catch (err) {
      options.onError?.(err);
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, interval);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
