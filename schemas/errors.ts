import { GridstreamError } from '../common/errors.js';
/** Base error of the contracts module. */
export class ContractError extends GridstreamError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContractError';
  }
}

/** An event does not satisfy its dataset's schema. */
export class ContractViolationError extends ContractError {
  /** Dataset whose contract was violated. */
  public readonly dataset: string;
  /** `event_id` of the offending event when it had one. */
  public readonly eventId: string | undefined;
  /** Every violation found, each with the field path (e.g. `lmp_usd_mwh`) and the reason. */
  public readonly violations: readonly ContractViolation[];
  public constructor(dataset: string, eventId: string | undefined, violations: readonly ContractViolation[]) {
    const first = violations[0];
    const what = first ? `${first.path || '<root>'}: ${first.reason}` : 'invalid';
    const more = violations.length > 1 ? ` (+${violations.length - 1} more)` : '';
    super(`${dataset} event ${eventId ?? '<no event_id>'} violates its contract at ${what}${more}`);
    this.name = 'ContractViolationError';
    this.dataset = dataset;
    this.eventId = eventId;
    this.violations = violations;
  }
}

/** A schema change would break readers or writers of an earlier version. */
export class IncompatibleSchemaError extends ContractError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IncompatibleSchemaError';
  }
}

/** One failed check of an event against its contract. */
export interface ContractViolation {
  /** Dotted field path, e.g. `status` or `lmp_usd_mwh`; empty for the whole value. */
  readonly path: string;
  /** Why the value is invalid, e.g. `expected double, got "abc"`. */
  readonly reason: string;
}
