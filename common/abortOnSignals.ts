/**
 * Exit codes of the long-running commands (`produce`, `deliver`, `up`), one policy for all:
 * - `ok` (0): the run ended as asked — its count or duration reached, caught up, or stopped by a first
 *   Ctrl-C/SIGTERM after everything read or buffered was flushed;
 * - `failed` (1): it stopped on an error (a lake it cannot write, Kinesis unreachable past the limit,
 *   events expired or refused, delivery not caught up by the drain deadline); the cause is on stderr;
 * - `usage` (2): bad options or configuration (nothing was done);
 * - 128 + the signal's number (130 for SIGINT, 143 for SIGTERM): a second signal ended it at once,
 *   without flushing, as a shell expects of an interrupted program.
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;

/** Options of {@link abortOnSignals}. */
export interface AbortOnSignalsOptions {
  /** Signals that stop the work. @default ['SIGINT', 'SIGTERM'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called on the first signal (e.g. to print "flushing…"). */
  readonly onFirst?: (signal: NodeJS.Signals) => void;
  /**
   * Called on a second signal while shutting down; the default exits at once with 128 + signal number,
   * the way a shell expects an interrupted program to end.
   */
  readonly onSecond?: (signal: NodeJS.Signals) => void;
  /**
   * Streams whose broken pipe (`EPIPE`, e.g. `gridstream up | tee` when Ctrl-C also ended `tee`) must not
   * end the process: their broken-pipe errors are ignored from now on (also after the handlers are
   * removed: the summary written last fails asynchronously), so the flush and the summary still happen.
   * @default [process.stdout, process.stderr]
   */
  readonly statusStreams?: readonly NodeJS.EventEmitter[];
}

/** Streams already guarded against broken pipes (the guard is installed once and stays). */
const guarded = new WeakSet<NodeJS.EventEmitter>();

/** A reader that went away must not take the flush down with it; other write errors still surface. */
function ignoreBrokenPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
  throw err;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

/**
 * The exit code of a process ended by `signal`: 128 + its number.
 *
 * @param signal - the signal
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 1);
}

/**
 * The one signal helper of the CLI: aborts `controller` on the first SIGINT/SIGTERM so the work stops
 * and flushes with a deadline; a second signal ends the process at once ({@link signalExitCode}).
 * A broken pipe on stdout/stderr (`EPIPE`) is ignored from then on instead of crashing the process
 * before its flush. See {@link EXIT_CODES} for the exit-code policy.
 *
 * @param controller - aborted on the first signal
 * @param options - signals, hooks and status streams
 * @returns a function removing the handlers
 * @example
 * ```ts
 * const controller = new AbortController();
 * const dispose = abortOnSignals(controller);
 * try { await runProducer({ generator, sink, signal: controller.signal }); } finally { dispose(); }
 * ```
 */
export function abortOnSignals(controller: AbortController, options: AbortOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const streams = options.statusStreams ?? [process.stdout, process.stderr];
  const handler = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      controller.abort(new Error(`received ${signal}`));
      options.onFirst?.(signal);
      return;
    }
    if (options.onSecond) options.onSecond(signal);
    else process.exit(signalExitCode(signal));
  };
  for (const s of signals) process.on(s, handler);
  for (const s of streams) {
    if (guarded.has(s)) continue;
    guarded.add(s);
    s.on('error', ignoreBrokenPipe);
  }
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
