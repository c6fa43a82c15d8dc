import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lib/constants.js';

describe('the CDK app entry point (what cdk.json runs)', () => {
  it('`cdk synth` with the pinned CLI synthesizes every stack with cdk-nag and without AWS credentials', () => {
    // Prepare: no credentials of any kind, no metadata service.
    const outdir = mkdtempSync(join(tmpdir(), 'gridstream-bin-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: outdir,
      CDK_OUTDIR: outdir,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const app = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).app as string;
    expect(app).toBe('npx tsx infra/bin/gridstream.ts');
    // Act: the pinned CDK CLI runs the command cdk.json names (this also proves the CLI reads the
    // cloud-assembly schema aws-cdk-lib writes).
    const cdk = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const r = spawnSync(process.execPath, [cdk, 'synth', '--quiet', '--output', outdir, '-c', 'env=dev'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    // Assess
    expect(r.status, r.stderr).toBe(0);
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates).toHaveLength(11);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { environment?: string }>;
    };
    const stacks = Object.values(manifest.artifacts).filter((a) => a.environment);
    for (const s of stacks) expect(s.environment).toBe('aws://unknown-account/unknown-region');
    expect(existsSync(join(outdir, 'validation-report.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { summary: { status: string } }[];
    };
    for (const p of report.pluginReports) expect(p.summary.status).not.toBe('failure');
    rmSync(outdir, { recursive: true, force: true });
  }, 300_000);
});
