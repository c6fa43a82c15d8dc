import { runPython } from '../helpers/python.js';

/**
 * Runs the Glue curation job locally (glue/local_runner.py) on a lake and returns its JSON summary.
 *
 * @param lake - lake folder
 * @param extra - more job arguments
 */
export async function runSparkCuration(
  lake: string,
  extra: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const out = await runPython([
    'glue/local_runner.py',
    'curate',
    '--lake',
    lake,
    '--small_data',
    '--json',
    '--target_file_size_bytes',
    String(1024 * 1024),
    ...extra,
  ]);
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON summary in:\n${out}`);
  return JSON.parse(line) as Record<string, unknown>;
}
