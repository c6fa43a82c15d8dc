import type { ParseArgsConfig } from 'node:util';
import { GridstreamError } from '../common/errors.js';
import { DEFAULT_LAKE } from '../datalake/storage/constants.js';

/** One option of a subcommand, as parseArgs takes it plus the text `--help` prints. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** What the option does, shown by `--help`. */
  readonly description: string;
  /** Placeholder shown by `--help`, e.g. `N` or `DIR`. */
  readonly valueName?: string;
};

/** `--lake` of the commands that read or write a lake: a folder or an S3 location. */
export const LAKE_OPTION: OptionSpec = {
  type: 'string',
  description: 'Lake directory or s3://bucket/prefix',
  valueName: 'DIR',
  default: DEFAULT_LAKE,
};

/** A `gridstream` subcommand. */
export interface Command {
  /** Name typed after `gridstream` (may contain a space for nested commands, e.g. `schemas check`). */
  readonly name: string;
  /** One line shown in `gridstream --help`. */
  readonly summary: string;
  /** Usage line(s) after the command name, e.g. `[--lake DIR] "<SQL>"`. */
  readonly usage: string;
  /** Longer text shown by `--help` after the options. */
  readonly details?: string;
  /** Options, by long name. */
  readonly options: Record<string, OptionSpec>;
  /** Whether positional arguments are accepted. @default false */
  readonly allowPositionals?: boolean;
  /**
   * Runs the command.
   *
   * @returns the process exit code
   */
  run(
    values: Record<string, string | boolean | string[] | boolean[] | undefined>,
    positionals: string[],
  ): Promise<number> | number;
}

/** A command-line argument is missing or malformed: exit code 2 with the message. */
export class UsageError extends GridstreamError {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses a positive integer option, naming the option and the value received on error.
 *
 * @param name - option name for the message
 * @param value - raw value
 * @param fallback - value when the option is absent
 */
export function intOption(name: string, value: unknown, fallback: number): number;
export function intOption(name: string, value: unknown, fallback?: number): number | undefined;
export function intOption(name: string, value: unknown, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return n;
}
