import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Object access of a job in one lake bucket: key prefixes (each ending in `*`). */
export interface GlueBucketAccess {
  readonly bucket: 'raw' | 'curated';
  readonly prefixes: readonly string[];
}

/** A Glue job the Processing stack deploys. */
export interface GlueJobSpec {
  /** Short name: the job is `gridstream-<env>-<name>`. */
  readonly name: string;
  /** Entry script, relative to the repository root. */
  readonly script: string;
  readonly description: string;
  /** Whether job bookmarks track processed raw files (incremental runs). */
  readonly bookmarks: boolean;
  /** Prefixes the job reads. */
  readonly reads: readonly GlueBucketAccess[];
  /** Prefixes the job writes and deletes in (reads included). */
  readonly writes: readonly GlueBucketAccess[];
  /** Whether the job repoints the partitions of the curated and gold tables. */
  readonly catalogWrite: boolean;
}

/** The Glue jobs: entry scripts in `glue/jobs/`, shared code in the `glue/gridstream_glue` package. */
export const GLUE_JOBS: readonly GlueJobSpec[] = [
  {
    name: 'curate',
    script: 'glue/jobs/curate.py',
    description: 'Raw → curated (validated, de-duplicated) and gold aggregates, re-reading late partitions.',
    // Incremental state lives in curated/_state/ (shared with the DuckDB runner), not in bookmarks.
    bookmarks: false,
    reads: [{ bucket: 'raw', prefixes: ['raw/*'] }],
    // curated/ holds the tables, curated/_state/ the incremental state and lock, curated/_tmp/ scratch.
    writes: [{ bucket: 'curated', prefixes: ['curated/*', 'gold/*'] }],
    catalogWrite: true,
  },
  {
    name: 'compact',
    script: 'glue/jobs/compact.py',
    description: 'Rewrites the small Parquet files of closed raw partitions into larger ones.',
    bookmarks: false,
    reads: [],
    // Raw partitions are rewritten in place; staging under _tmp/, the lake lock under curated/_state/.
    writes: [{ bucket: 'raw', prefixes: ['raw/*', '_tmp/*', 'curated/_state/*'] }],
    catalogWrite: false,
  },
];

/** Folder of the shared Python package shipped to every job as `--extra-py-files`. */
export const GLUE_LIBRARY_DIR = 'glue/gridstream_glue';

/**
 * The job arguments a script requires: the names in its `getResolvedOptions(sys.argv, [...])` call(s),
 * without Glue's own `JOB_NAME`. Used to check at synth time that the stack passes every argument.
 *
 * @param scriptText - the Python source
 */
export function requiredJobArguments(scriptText: string): string[] {
  const names = new Set<string>();
  for (const call of scriptText.matchAll(/getResolvedOptions\s*\(\s*sys\.argv\s*,\s*\[([^\]]*)\]/g)) {
    for (const m of (call[1] ?? '').matchAll(/['"]([A-Za-z0-9_-]+)['"]/g)) names.add(m[1]!);
  }
  names.delete('JOB_NAME');
  return [...names].sort();
}

/**
 * Reads a job script, failing with the path when it is missing.
 *
 * @param repoRoot - repository root
 * @param spec - the job
 */
export function readJobScript(repoRoot: string, spec: GlueJobSpec): string | undefined {
  const path = join(repoRoot, spec.script);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
