import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
 * The pipeline the curation job runs, every step already rendered for Spark: generated from sql/curated
 * by stream-processors/curation/writeGenerated.ts (a test fails while it is stale).
 */
export const GLUE_PIPELINE_FILE = 'sql/curated/pipeline.rendered.json';

/** Where the shipped package holds {@link GLUE_PIPELINE_FILE}: package data that gridstream_glue/bundle.py reads. */
export const GLUE_PIPELINE_RESOURCE = 'gridstream_glue/resources/pipeline_bundle.json';

/**
 * Lays out the library the jobs get as `--extra-py-files` in `outDir`: the `gridstream_glue` package
 * (without byte code) plus the rendered pipeline as its package data. Done at synth time into the
 * asset's staging folder, so the repository's package folder is never written to.
 *
 * @param repoRoot - repository root
 * @param outDir - an empty folder (the asset bundling output)
 */
export function stageGlueLibrary(repoRoot: string, outDir: string): void {
  cpSync(join(repoRoot, GLUE_LIBRARY_DIR), join(outDir, basename(GLUE_LIBRARY_DIR)), {
    recursive: true,
    filter: (src) => basename(src) !== '__pycache__' && !src.endsWith('.pyc'),
  });
  const resource = join(outDir, GLUE_PIPELINE_RESOURCE);
  mkdirSync(dirname(resource), { recursive: true });
  copyFileSync(join(repoRoot, GLUE_PIPELINE_FILE), resource);
}

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
