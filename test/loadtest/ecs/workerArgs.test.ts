import { describe, expect, it } from 'vitest';
import {
  formatWorkerArgs,
  parseWorkerArgs,
  type WorkerArgs,
  WorkerArgsError,
  workerResultKey,
} from '../../../loadtest/ecs/index.js';

const ARGS: WorkerArgs = {
  index: 2,
  of: 4,
  runId: 'smoke-20261205T030000Z',
  scenario: 's3://gridstream-dev-loadtest/runs/smoke-20261205T030000Z/scenario/smoke.yaml',
  results: 's3://gridstream-dev-loadtest/runs/smoke-20261205T030000Z',
  startAt: '2026-12-05T03:03:00.000Z',
};

describe('load worker arguments (gridstream loadtest worker …)', () => {
  it('round-trips: parse(format(args)) equals args, with and without --start-at', () => {
    expect(parseWorkerArgs(formatWorkerArgs(ARGS))).toEqual(ARGS);
    const { startAt: _, ...local } = { ...ARGS, scenario: 'smoke', results: 'loadtest-runs/smoke-1' };
    expect(parseWorkerArgs(formatWorkerArgs(local))).toEqual(local);
    expect(formatWorkerArgs(local)).not.toContain('--start-at');
  });

  it('reads --flag=value as well as --flag value, in any order', () => {
    expect(
      parseWorkerArgs(['--results=runs/x', '--of', '1', '--scenario=smoke', '--index=0', '--run', 'x']),
    ).toEqual({ index: 0, of: 1, runId: 'x', scenario: 'smoke', results: 'runs/x' });
  });

  it('names the result file after the index', () => {
    expect(workerResultKey(3)).toBe('workers/w3.json');
  });

  it.each([
    [
      'a missing flag',
      ['--index', '0', '--of', '1', '--scenario', 'smoke', '--results', 'r'],
      '--run is required',
    ],
    [
      'an index not below the count',
      ['--index', '2', '--of', '2', '--run', 'r', '--scenario', 's', '--results', 'r'],
      '--index must be below --of (2), got "2"',
    ],
    [
      'a count that is no integer',
      ['--index', '0', '--of', '1.5', '--run', 'r', '--scenario', 's', '--results', 'r'],
      '--of must be an integer in 1..1000, got "1.5"',
    ],
    [
      'a negative index',
      ['--index', '-1', '--of', '2', '--run', 'r', '--scenario', 's', '--results', 'r'],
      '--index must be an integer in 0..999, got "-1"',
    ],
    [
      'an unknown flag',
      ['--index', '0', '--of', '1', '--workers', '3'],
      'unknown argument "--workers" (expected --index, --of, --run, --scenario, --results, --start-at)',
    ],
    ['a flag given twice', ['--index', '0', '--index', '1'], '--index given twice'],
    ['a flag without a value', ['--index', '0', '--of'], '--of needs a value'],
    [
      'a run id with a slash',
      ['--index', '0', '--of', '1', '--run', 'a/b', '--scenario', 's', '--results', 'r'],
      '--run must be 1-128 of [A-Za-z0-9._-] starting with a letter or digit, got "a/b"',
    ],
    [
      'results on another scheme',
      ['--index', '0', '--of', '1', '--run', 'r', '--scenario', 's', '--results', 'http://x/y'],
      '--results must be a directory or s3://bucket/prefix, got "http://x/y"',
    ],
    [
      'a start that is not ISO UTC',
      ['--index', '0', '--of', '1', '--run', 'r', '--scenario', 's', '--results', 'r', '--start-at', 'now'],
      '--start-at must be an ISO-8601 UTC instant like 2026-12-05T03:10:00Z, got "now"',
    ],
  ])('rejects %s with a usage error naming the flag and value', (_label, argv, message) => {
    let error: unknown;
    try {
      parseWorkerArgs(argv);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkerArgsError);
    expect((error as WorkerArgsError).exitCode).toBe(2);
    expect((error as Error).message).toBe(`loadtest worker: ${message}`);
  });
});
