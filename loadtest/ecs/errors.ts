import { EXIT_CODES } from '../../common/abortOnSignals.js';
import { LoadtestError } from '../errors.js';

/**
 * The arguments of `gridstream loadtest worker` are wrong (exit code 2): the message names the flag and the
 * value received.
 */
export class WorkerArgsError extends LoadtestError {
  /** Exit code of a command failing on it: usage (2). */
  public readonly exitCode = EXIT_CODES.usage;

  /** @param message - the flag, the value received and what is expected */
  public constructor(message: string) {
    super(message);
    this.name = 'WorkerArgsError';
  }
}

/**
 * Load workers on ECS could not be started, watched or collected: a missing task definition, a RunTask
 * failure, a results location that is not S3. Raised before any load where it can be.
 */
export class EcsLaunchError extends LoadtestError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'EcsLaunchError';
  }
}
