import { EXIT_CODES } from '../common/abortOnSignals.js';
import { GridstreamError } from '../common/errors.js';

/** Base error of the load-test harness. */
export class LoadtestError extends GridstreamError {
  public constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'LoadtestError';
  }
}

/**
 * A scenario file is unreadable or invalid (exit code 2). The message names the file, the key (a
 * dotted path such as `datasets.grid.profile[1].to`, with its line when known) and the value received.
 */
export class ScenarioError extends LoadtestError {
  /** The scenario file (as given, or the shipped scenario's path). */
  public readonly file: string;
  /** Dotted path of the offending key, `''` for the whole document. */
  public readonly key: string;
  /** The offending value (undefined when a key is missing). */
  public readonly value: unknown;
  /** Exit code of a command failing on it: usage (2), as for any bad scenario or argument. */
  public readonly exitCode = EXIT_CODES.usage;

  /**
   * @param file - scenario file
   * @param key - dotted path of the offending key
   * @param value - value received
   * @param reason - what is wrong or expected
   * @param line - 1-based line of the key in the file, when known
   */
  public constructor(file: string, key: string, value: unknown, reason: string, line?: number) {
    const where = `${file}${line === undefined ? '' : `:${line}`}`;
    const shown = value === undefined ? '' : ` = ${describeValue(value)}`;
    super(`${where}: ${key === '' ? '(document)' : key}${shown}: ${reason}`);
    this.name = 'ScenarioError';
    this.file = file;
    this.key = key;
    this.value = value;
  }
}

/** A value as shown in an error: JSON, cut to 80 characters. */
function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
