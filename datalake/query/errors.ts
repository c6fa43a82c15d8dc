import { GridstreamError } from '../../common/errors.js';
/** Base error of the query unit. */
export class QueryError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'QueryError';
  }
}

/** DuckDB cannot read an `s3://` lake here (its httpfs extension is missing and cannot be installed). */
export class RemoteLakeUnsupportedError extends QueryError {
  public constructor(location: string, cause: unknown) {
    super(
      `querying ${location} needs DuckDB's httpfs extension, which could not be loaded ` +
        `(${(cause as Error).message.split('\n')[0]}); run with network access once so DuckDB can install it, ` +
        'or copy the lake to a local directory',
      { retriable: false, cause },
    );
    this.name = 'RemoteLakeUnsupportedError';
  }
}

/** A local `--lake` path that holds no lake: neither a `raw/` zone nor delivery's `_checkpoints/`. */
export class NoLakeError extends QueryError {
  /** The path given. */
  public readonly location: string;
  public constructor(location: string, detail: string) {
    super(
      `${JSON.stringify(location)} holds no lake (${detail}): check --lake, or create a lake there with ` +
        '`gridstream up` or `gridstream deliver`',
      { retriable: false },
    );
    this.name = 'NoLakeError';
    this.location = location;
  }
}
