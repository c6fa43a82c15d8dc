import { GridstreamError } from '../../common/errors.js';
/** Base error of the event sources (generators and API adapters). */
export class SourceError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SourceError';
  }
}

/** A source option is invalid; the message names the option and the value received. */
export class InvalidSourceOptionError extends SourceError {
  /** Name of the offending option, e.g. `grid.intervalMinutes`. */
  public readonly option: string;

  public constructor(option: string, value: unknown, expected: string) {
    super(`invalid source option ${option}: expected ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'InvalidSourceOptionError';
    this.option = option;
  }
}

/** A local (US Central) wall-clock time that does not exist or cannot be read. */
export class TimeConversionError extends SourceError {
  public constructor(message: string) {
    super(message);
    this.name = 'TimeConversionError';
  }
}
