// Types of scripts/build.mjs (plain JavaScript: it runs before anything is compiled), for the tests.
import type { StdioOptions } from 'node:child_process';

/** The repository root. */
export declare const ROOT: string;
/** The build's tsconfig file name. */
export declare const BUILD_CONFIG: string;

/** A build that cannot run or failed; the message says what to do. */
export declare class BuildError extends Error {}

/** State of the compiled CLI against the sources. */
export interface BuildStatus {
  /** fresh: built from the sources as they are; stale: a source changed since; missing: never built. */
  readonly state: 'fresh' | 'stale' | 'missing';
  /** Sources added, removed or edited since the build, sorted (stale only). */
  readonly changed: string[];
  /** TypeScript reported errors when the build emitted the JavaScript. */
  readonly typeErrors: boolean;
  /** The build's output folder, absolute. */
  readonly outDir: string;
}

/** Reads the build's folder list and absolute output folder from tsconfig.build.json. */
export declare function readBuildConfig(root?: string): { include: string[]; outDir: string };

/** A content hash of every build input, whole and per file (by path relative to root). */
export declare function sourceFingerprint(
  root?: string,
  include?: string[],
): { hash: string; files: Record<string, string> };

/** Whether the build in outDir was made from the sources as they are now. */
export declare function buildStatus(root?: string): BuildStatus;

/** Builds (under a lock) when there is no build or a source changed since it. */
export declare function ensureBuild(options?: {
  root?: string;
  log?: (line: string) => void;
  stdio?: StdioOptions;
}): BuildStatus & { readonly built: boolean };

/** Builds now, whatever the stamp says (`npm run build`). */
export declare function build(options?: { root?: string; stdio?: StdioOptions }): BuildStatus;
