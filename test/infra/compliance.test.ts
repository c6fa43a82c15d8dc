import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyFindingPatterns,
  GridstreamNagChecks,
  IAM_WILDCARD_ALLOW_LIST,
  NAG_FINDING_PATTERNS,
} from '../../infra/lib/compliance.js';
import { REPO_ROOT } from '../../infra/lib/constants.js';
import { eventOf } from '../helpers/events.js';
import { firehoseTransformationEvent } from '../helpers/lambdaEvents.js';
import { type CfnJson, removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

// One synthesis with real esbuild bundling, checked by cdk-nag, cfn-lint, checkov and the IAM scan: the
// defaults plus the load-worker stack (off by default), so that its template is checked too.
const VENV_BIN = join(REPO_ROOT, '.venv-iac', 'bin');
let app: SynthesizedApp;
let templates: string[];
beforeAll(() => {
  app = synthApp({ 'gridstream.loadtest.enabled': 'true' }, true);
  templates = readdirSync(app.outdir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => join(app.outdir, f));
}, 240_000);
afterAll(removeSynthOutputs);

/** Acknowledgements recorded on the construct tree: rule id → reasons. */
function acknowledgements(root: IConstruct): { id: string; reason: string; path: string }[] {
  const out: { id: string; reason: string; path: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ id: id.replace(/^annotation::/i, ''), reason, path: c.node.path });
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged (errors and warnings)', () => {
    const report = new GridstreamNagChecks(app.app).validateScope(app.app);
    const summary = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(summary).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges every finding with a reason, and every acknowledgement pattern still matches something', () => {
    const acks = acknowledgements(app.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.trim().length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(20);
    const raw = new AwsSolutionsChecks(app.app).validateScope(app.app).violations;
    const { acknowledged } = applyFindingPatterns(raw);
    for (const p of NAG_FINDING_PATTERNS) expect(acknowledged.get(p) ?? 0, p.id.source).toBeGreaterThan(0);
    const rules = new Set(acks.map((a) => a.id));
    process.stdout.write(
      `cdk-nag: ${acks.length} acknowledgements on constructs (${rules.size} distinct: ${[...rules].sort().join(', ')}), ` +
        `${[...acknowledged.values()].reduce((a, b) => a + b, 0)} findings acknowledged by ${NAG_FINDING_PATTERNS.length} patterns\n`,
    );
  });
});

describe('bundled Lambda code', () => {
  it('bundles every function with esbuild into an ESM file that loads and handles an event', async () => {
    const functions = Object.values(app.stacks)
      .flatMap((s: Stack) => s.node.findAll())
      .filter(
        (c): c is CfnResource =>
          CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function',
      );
    expect(functions.length).toBe(4);
    const bundles = readdirSync(app.outdir)
      .map((d) => join(app.outdir, d, 'index.mjs'))
      .filter((f) => existsSync(f));
    expect(bundles.length).toBe(functions.length);
    for (const b of bundles) expect(statSync(b).size).toBeGreaterThan(50_000);
    // The transformation bundle has no external import: load it as Lambda would and run it.
    const transformFn = app.stacks.ingestion.transform!.function.node.defaultChild as CfnResource;
    const code = app.stacks.ingestion.resolve(
      (transformFn as unknown as { code: { s3Key: string } }).code.s3Key,
    ) as string;
    const transform = join(app.outdir, `asset.${code.replace(/\.zip$/, '')}`, 'index.mjs');
    expect(bundles).toContain(transform);
    process.env.GRIDSTREAM_DELIVERY_STREAMS = JSON.stringify({ 'bundle-grid': 'grid' });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    try {
      const mod = (await import(pathToFileURL(transform).href)) as {
        handler: (e: unknown) => Promise<{ records: { result: string }[] }>;
      };
      const result = await mod.handler(
        firehoseTransformationEvent('bundle-grid', [eventOf('grid'), { not: 'grid' }]),
      );
      expect(result.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed']);
    } finally {
      delete process.env.GRIDSTREAM_DELIVERY_STREAMS;
      delete process.env.POWERTOOLS_METRICS_DISABLED;
      delete process.env.POWERTOOLS_LOG_LEVEL;
    }
  });
});

describe('Glue assets', () => {
  it("ships exactly the gridstream_glue package (with its resources) as the jobs' --extra-py-files", () => {
    const libraries = readdirSync(app.outdir)
      .map((d) => join(app.outdir, d))
      .filter((d) => existsSync(join(d, 'gridstream_glue', '__init__.py')));
    expect(libraries).toHaveLength(1);
    expect(readdirSync(libraries[0]!)).toEqual(['gridstream_glue']);
    expect(existsSync(join(libraries[0]!, 'gridstream_glue', 'resources', 'pipeline_bundle.json'))).toBe(
      true,
    );
    const files = readdirSync(join(libraries[0]!, 'gridstream_glue'), { recursive: true }) as string[];
    expect(files.filter((f) => f.endsWith('.pyc') || f.includes('__pycache__'))).toEqual([]);
    // The package data is the repository's rendered pipeline, staged at synth time (the package
    // folder in the repository has no resources/).
    expect(
      readFileSync(join(libraries[0]!, 'gridstream_glue', 'resources', 'pipeline_bundle.json'), 'utf8'),
    ).toBe(readFileSync(join(REPO_ROOT, 'sql', 'curated', 'pipeline.rendered.json'), 'utf8'));
    expect(existsSync(join(REPO_ROOT, 'glue', 'gridstream_glue', 'resources'))).toBe(false);
  });
});

describe('cfn-lint', () => {
  it('finds no error in any template (warnings: only W3005, the CDK DependsOn on function roles)', () => {
    const r = spawnSync(join(VENV_BIN, 'cfn-lint'), ['--format', 'json', ...templates], { encoding: 'utf8' });
    expect(r.error, 'cfn-lint missing: run node scripts/setup.mjs --test').toBeUndefined();
    const matches = JSON.parse(r.stdout || '[]') as {
      Rule: { Id: string };
      Level: string;
      Message: string;
      Filename: string;
    }[];
    const unexpected = matches.filter((m) => m.Level === 'Error' || m.Rule.Id !== 'W3005');
    expect(unexpected.map((m) => `${m.Rule.Id} ${m.Filename.split('/').pop()}: ${m.Message}`)).toEqual([]);
    expect(templates.length).toBeGreaterThanOrEqual(11);
  });
});

describe('checkov', () => {
  it('passes every check except those listed with a reason in .checkov.yaml, and each listed skip is still needed', () => {
    const config = readFileSync(join(REPO_ROOT, '.checkov.yaml'), 'utf8');
    const skips = [...config.matchAll(/^\s*-\s*(CKV2?_\w+)\s*#\s*(.+)$/gm)].map((m) => ({
      id: m[1]!,
      reason: m[2]!,
    }));
    const listed = [...config.matchAll(/^\s*-\s*(CKV2?_\w+)/gm)].map((m) => m[1]);
    expect(listed).toEqual(skips.map((s) => s.id));
    for (const s of skips) expect(s.reason.length, s.id).toBeGreaterThan(30);

    // Run without the skips (outside the repository, where checkov would load .checkov.yaml) so the test sees
    // what they hide: every failure must be listed, every listing must still be needed.
    const r = spawnSync(
      join(VENV_BIN, 'checkov'),
      [
        '--framework',
        'cloudformation',
        '--quiet',
        '--compact',
        '-o',
        'json',
        ...templates.flatMap((t) => ['-f', t]),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: app.outdir },
    );
    expect(r.error, 'checkov missing: run node scripts/setup.mjs --test').toBeUndefined();
    const parsed = JSON.parse(r.stdout) as unknown;
    const reports = (Array.isArray(parsed) ? parsed : [parsed]) as {
      results: { failed_checks?: { check_id: string; resource: string; file_path: string }[] };
      summary: { passed: number; failed: number };
    }[];
    const failed = reports.flatMap((x) => x.results.failed_checks ?? []);
    const skipIds = new Set(skips.map((s) => s.id));
    const unlisted = failed.filter((f) => !skipIds.has(f.check_id));
    expect(unlisted.map((f) => `${f.check_id} ${f.file_path.split('/').pop()} ${f.resource}`)).toEqual([]);
    const failedIds = new Set(failed.map((f) => f.check_id));
    for (const s of skips) expect(failedIds, `stale skip ${s.id}`).toContain(s.id);
    const passed = reports.reduce((a, x) => a + x.summary.passed, 0);
    expect(passed).toBeGreaterThan(200);
    const skipped = { size: failed.length };
    process.stdout.write(
      `checkov: ${passed} passed, ${skipped.size} failures all covered by ${skips.length} skips with reasons\n`,
    );
  });
});

describe('IAM least privilege', () => {
  type Statement = { Action?: string | string[]; Resource?: unknown; NotAction?: unknown; Effect: string };

  function render(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if ('Fn::Join' in v) return (v['Fn::Join'] as [string, unknown[]])[1].map(render).join('');
      if ('Ref' in v) return `<${String(v.Ref)}>`;
      if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
      if ('Fn::ImportValue' in v) return `<${render(v['Fn::ImportValue'])}>`;
    }
    return JSON.stringify(value);
  }

  it('has no wildcard action anywhere, and wildcard resources only where the allow-list says why', () => {
    const violations: string[] = [];
    const used = new Set<string>();
    let statements = 0;
    for (const file of templates) {
      const stack = file.split('/').pop()!.replace('.template.json', '');
      const t = JSON.parse(readFileSync(file, 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, CfnJson> }>;
      };
      for (const [id, r] of Object.entries(t.Resources)) {
        const docs: { Statement: Statement[] }[] = [];
        if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
          docs.push(r.Properties.PolicyDocument);
        if (r.Type === 'AWS::IAM::Role')
          for (const p of r.Properties.Policies ?? []) docs.push(p.PolicyDocument);
        for (const doc of docs) {
          for (const st of doc.Statement) {
            statements++;
            const where = `${stack}/${id}`;
            expect(st.NotAction, where).toBeUndefined();
            const actions = ([] as string[]).concat(st.Action ?? []);
            for (const a of actions.filter((x) => x.includes('*')))
              violations.push(`${where}: wildcard action ${a}`);
            const resources = ([] as unknown[])
              .concat(st.Resource ?? [])
              .map(render)
              .filter((x) => x.includes('*'));
            for (const res of resources) {
              const entry = IAM_WILDCARD_ALLOW_LIST.find(
                (e) =>
                  actions.every((a) => e.actions.test(a)) &&
                  e.resource.test(res) &&
                  (!e.policy || e.policy.test(where)),
              );
              if (entry) used.add(entry.name);
              else violations.push(`${where}: ${actions.join(',')} on ${res}`);
            }
          }
        }
      }
    }
    expect(violations).toEqual([]);
    expect(statements).toBeGreaterThan(50);
    for (const e of IAM_WILDCARD_ALLOW_LIST) {
      expect(e.reason.length, e.name).toBeGreaterThan(30);
      expect(used, `allow-list entry "${e.name}" matches nothing any more`).toContain(e.name);
    }
  });
});
