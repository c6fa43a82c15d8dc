import { GridstreamError } from '../../common/errors.js';
/** Base error of the alerts module. */
export class AlertError extends GridstreamError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlertError';
  }
}

/** A threshold is missing, not a finite number, or inconsistent with another threshold. */
export class InvalidThresholdError extends AlertError {
  /** Name of the offending threshold. */
  public readonly threshold: string;
  public constructor(threshold: string, message: string) {
    super(message);
    this.name = 'InvalidThresholdError';
    this.threshold = threshold;
  }
}
