import { EXIT_CODES } from '../../common/abortOnSignals.js';
import { LoadtestError } from '../errors.js';

/**
 * A run folder cannot be reconciled: run.json or a worker file is missing or not of its format
 * (exit code 2, as for any bad argument). The message names the file and what is wrong.
 */
export class RunFolderError extends LoadtestError {
  /** The offending file. */
  public readonly file: string;
  /** Exit code of a command failing on it: usage (2). */
  public readonly exitCode = EXIT_CODES.usage;

  /**
   * @param file - the file (path as read)
   * @param reason - what is wrong or expected
   * @param cause - the underlying error, when any
   */
  public constructor(file: string, reason: string, cause?: unknown) {
    super(`${file}: ${reason}`, { cause });
    this.name = 'RunFolderError';
    this.file = file;
  }
}

/** The lake's lock stayed held longer than reconciliation waits for it (retriable: run it again). */
export class LakeBusyError extends LoadtestError {
  /**
   * @param lake - the lake
   * @param waitedMs - how long it waited
   * @param holder - the lock file's content
   */
  public constructor(lake: string, waitedMs: number, holder: string) {
    super(
      `the lake ${lake} stayed locked for ${Math.round(waitedMs / 1000)} s (held by ${holder}): ` +
        'a compaction or curation run is still changing raw; reconcile again when it ends',
      { retriable: true },
    );
    this.name = 'LakeBusyError';
  }
}
