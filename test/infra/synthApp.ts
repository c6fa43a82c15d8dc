import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp, type GridstreamApp } from '../../infra/lib/app.js';
import { SKIP_BUNDLING_CONTEXT_KEY } from '../../infra/lib/constants.js';

const outdirs: string[] = [];

/** Deletes the assemblies {@link synthApp} wrote (bundled ones are megabytes); call it in `afterAll`. */
export function removeSynthOutputs(): void {
  for (const d of outdirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A synthesized app and the templates of its stacks. */
export interface SynthesizedApp extends GridstreamApp {
  /** Cloud assembly directory (a fresh temporary directory). */
  readonly outdir: string;
  /** The template of a stack. */
  template(stack: Stack): Template;
}

/**
 * Creates and synthesizes the app into a temporary directory. Lambda bundling is skipped unless `bundle`
 * (then esbuild runs for real); the config file is never read (tests pass their configuration as context).
 *
 * @param context - context values, e.g. `{ 'gridstream.redshift.enabled': 'false' }`
 * @param bundle - run esbuild for the Lambda assets
 */
export function synthApp(context: Record<string, unknown> = {}, bundle = false): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'gridstream-cdk-'));
  outdirs.push(outdir);
  const created = createApp({
    outdir,
    builtinValidation: false,
    context: {
      configFile: fileURLToPath(new URL('./fixtures/empty.config.json', import.meta.url)),
      ...(bundle ? {} : { [SKIP_BUNDLING_CONTEXT_KEY]: true }),
      ...context,
    },
  });
  created.app.synth();
  const cache = new Map<Stack, Template>();
  return {
    ...created,
    outdir,
    template(stack) {
      let t = cache.get(stack);
      if (!t) {
        t = Template.fromStack(stack);
        cache.set(stack, t);
      }
      return t;
    },
  };
}

/** CloudFormation JSON, navigated freely in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static shape; the assertions check it.
export type CfnJson = any;
