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
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

/**
 * Aborts `controller` on the first SIGINT/SIGTERM so a producer loop stops and its sinks flush with a
 * deadline; a second signal ends the process at once.
 *
 * @param controller - aborted on the first signal
 * @param options - signals and hooks
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
  const handler = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      controller.abort(new Error(`received ${signal}`));
      options.onFirst?.(signal);
      return;
    }
    if (options.onSecond) options.onSecond(signal);
    else process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 1));
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
