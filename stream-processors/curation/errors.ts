import { GridstreamError } from '../../common/errors.js';
/** Base error of curation. `retriable` tells a scheduler whether the same run may succeed later. */
export class CurationError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CurationError';
  }
}

/** pipeline.json, a SQL file, quality_rules.json or dialects.json is wrong: a code defect, never retried. */
export class PipelineDefinitionError extends CurationError {
  public constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'PipelineDefinitionError';
  }
}

/** A `{{placeholder}}` cannot be rendered. */
export class SqlTemplateError extends PipelineDefinitionError {
  public constructor(message: string) {
    super(message);
    this.name = 'SqlTemplateError';
  }
}

/** Another curation or compaction run holds the lake's lock. */
export class CurationLockedError extends CurationError {
  /** What the lock file says about its holder. */
  public readonly holder: string;
  public constructor(lockPath: string, holder: string) {
    super(`curation lock ${lockPath} is held by ${holder}`, { retriable: true });
    this.name = 'CurationLockedError';
    this.holder = holder;
  }
}

/** A step of the pipeline failed on the engine. */
export class StepFailedError extends CurationError {
  /** Name of the step. */
  public readonly step: string;
  public constructor(step: string, detail: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(`step ${step} failed: ${detail}`, options);
    this.name = 'StepFailedError';
    this.step = step;
  }
}

/** A table manifest cannot be read or does not describe the table. */
export class ManifestError extends CurationError {
  public constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

/** An option of runCuration/compactRaw is invalid (checked before anything is read or written). */
export class CurationOptionError extends CurationError {
  public constructor(option: string, value: unknown, expected: string) {
    super(`${option} must be ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'CurationOptionError';
  }
}
