import { GridstreamError } from '../common/errors.js';
/** Base error of the producer loop. */
export class ProducerError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ProducerError';
  }
}

/** A producer option is out of range; names the option and the value received. */
export class ProducerOptionError extends ProducerError {
  public constructor(option: string, value: unknown, expected: string) {
    super(`${option} must be ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'ProducerOptionError';
  }
}

/** The sink rejected every event for a long run: the source is broken, producing more is pointless. */
export class TooManyRejectsError extends ProducerError {
  /** Consecutive rejected events. */
  public readonly consecutive: number;
  public constructor(dataset: string, consecutive: number, cause: unknown) {
    super(`${dataset}: the sink rejected ${consecutive} events in a row; stopping (see the reject file)`, {
      cause,
    });
    this.name = 'TooManyRejectsError';
    this.consecutive = consecutive;
  }
}
