import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOAD_WORKER_CONTAINER,
  LOAD_WORKER_SCRATCH_DIR,
  LOAD_WORKER_TAGS,
} from '../../common/loadWorkerTask.js';
import { GridstreamNagChecks } from '../../infra/lib/compliance.js';
import { type CfnJson, removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

// The load-worker stack (loadtest.enabled) with its defaults, and with every option changed; the default
// app has none. cfn-lint, checkov and the IAM scan see it in compliance.test.ts, which enables it.
let on: SynthesizedApp;
let options: SynthesizedApp;
let off: SynthesizedApp;
beforeAll(() => {
  on = synthApp({ 'gridstream.loadtest.enabled': 'true' });
  options = synthApp({
    env: 'lt',
    gridstream: {
      loadtest: {
        enabled: true,
        cpu: 4096,
        memoryMiB: 8192,
        clusterName: 'shared-batch',
        imageRepository: 'team/gridstream-loadworker',
        imageTag: 'v1.2.3',
        resultsExpirationDays: 7,
      },
      msk: { enabled: true },
      redshift: { enabled: false },
      producers: { fargate: false, pollers: false },
    },
  });
  off = synthApp({});
}, 240_000);
afterAll(removeSynthOutputs);

/** The one task definition of an app's load-test stack. */
function taskDefinitionOf(app: SynthesizedApp): CfnJson {
  const defs = Object.values(app.template(app.stacks.loadtest!).findResources('AWS::ECS::TaskDefinition'));
  expect(defs).toHaveLength(1);
  return defs[0]!.Properties;
}

function tagsOf(def: CfnJson): Map<string, unknown> {
  return new Map((def.Tags as { Key: string; Value: unknown }[]).map((t) => [t.Key, t.Value]));
}

describe('load-worker stack (loadtest.enabled)', () => {
  it('is absent by default, with no results bucket in the lake', () => {
    expect(off.stacks.loadtest).toBeUndefined();
    expect(off.stacks.lake.loadtestResultsBucket).toBeUndefined();
    off.template(off.stacks.lake).resourceCountIs('AWS::S3::Bucket', 4);
  });

  it('passes cdk-nag AwsSolutions with its defaults and with every option', () => {
    for (const app of [on, options]) {
      const report = new GridstreamNagChecks(app.app).validateScope(app.app);
      expect(
        report.violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
    }
  });

  it('defines a Fargate task running `loadtest worker` from a read-only root, with scratch, logs and time to stop', () => {
    const def = taskDefinitionOf(on);
    const logGroup = Object.keys(on.template(on.stacks.loadtest!).findResources('AWS::Logs::LogGroup'))[0];
    expect(def).toMatchObject({
      Family: 'gridstream-dev-loadworker',
      Cpu: '1024',
      Memory: '2048',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'scratch' }],
    });
    expect(def.ContainerDefinitions).toHaveLength(1);
    const c = def.ContainerDefinitions[0];
    expect(c).toMatchObject({
      Name: LOAD_WORKER_CONTAINER,
      EntryPoint: ['node', 'dist/cli/run.js', 'loadtest', 'worker'],
      Essential: true,
      ReadonlyRootFilesystem: true,
      StopTimeout: 120,
      MountPoints: [{ ContainerPath: LOAD_WORKER_SCRATCH_DIR, SourceVolume: 'scratch', ReadOnly: false }],
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: {
          'awslogs-group': { Ref: logGroup },
          'awslogs-stream-prefix': 'worker',
          'awslogs-region': { Ref: 'AWS::Region' },
        },
      },
    });
    // No command: each RunTask gives the worker's arguments.
    expect(c.Command).toBeUndefined();
    expect(c.Environment).toEqual(
      expect.arrayContaining([
        { Name: 'TMPDIR', Value: LOAD_WORKER_SCRATCH_DIR },
        { Name: 'AWS_REGION', Value: { Ref: 'AWS::Region' } },
        { Name: 'NODE_OPTIONS', Value: '--max-old-space-size=1536' },
      ]),
    );
    // Built from the repository's Dockerfile at deploy (an asset), never at synth.
    expect(JSON.stringify(c.Image)).toContain('container-assets');
    on.template(on.stacks.loadtest!).hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: Match.anyValue(),
    });
  });

  it('tags the task definition with the cluster, subnets, security group and results prefix the launcher reads', () => {
    const t = on.template(on.stacks.loadtest!);
    const tags = tagsOf(taskDefinitionOf(on));
    const cluster = Object.keys(t.findResources('AWS::ECS::Cluster'))[0];
    const sg = Object.keys(t.findResources('AWS::EC2::SecurityGroup'))[0];
    expect(tags.get(LOAD_WORKER_TAGS.cluster)).toEqual({ Ref: cluster });
    expect(tags.get(LOAD_WORKER_TAGS.securityGroups)).toEqual({ 'Fn::GetAtt': [sg, 'GroupId'] });
    const subnets = tags.get(LOAD_WORKER_TAGS.subnets) as CfnJson;
    expect(subnets['Fn::Join'][0]).toBe(' ');
    expect(subnets['Fn::Join'][1]).toHaveLength(3);
    for (const s of subnets['Fn::Join'][1]) expect(s['Fn::ImportValue']).toMatch(/Network:.*isolatedSubnet/);
    const results = JSON.stringify(tags.get(LOAD_WORKER_TAGS.results));
    expect(results).toContain('s3://');
    expect(results).toMatch(/Lake:ExportsOutputRefLoadtestResultsBucket/);
    expect(results).toContain('/runs');
  });

  it('creates a cluster with Container Insights and a security group without ingress, HTTPS out only', () => {
    const t = on.template(on.stacks.loadtest!);
    t.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'gridstream-dev-loadtest',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const sg = Object.values(t.findResources('AWS::EC2::SecurityGroup'))[0]!.Properties;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress.map((e: CfnJson) => [e.IpProtocol, e.FromPort, e.ToPort])).toEqual([
      ['tcp', 443, 443],
      ['tcp', 443, 443],
    ]);
  });

  it('lets the task role write the three streams and only runs/* of the results bucket; no Kafka without MSK', () => {
    const t = on.template(on.stacks.loadtest!);
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as CfnJson[]);
    const bySid = new Map(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.get('PutRecords').Action).toEqual([
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
      'kinesis:PutRecord',
      'kinesis:PutRecords',
    ]);
    expect(bySid.get('PutRecords').Resource).toHaveLength(3);
    expect(bySid.get('StreamKey').Action).toBe('kms:GenerateDataKey');
    const runFiles = bySid.get('RunFiles');
    expect(runFiles.Action).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(runFiles.Resource)).toMatch(/LoadtestResultsBucket.*"\/runs\/\*"/);
    expect(bySid.get('ListRunFiles').Condition).toEqual({ StringLike: { 's3:prefix': ['runs/*'] } });
    const role = Object.values(t.findResources('AWS::IAM::Role')).find((r) =>
      JSON.stringify(r).includes('ecs-tasks.amazonaws.com'),
    );
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("keeps the results in the lake stack's bucket: runs/ expire, access logs delivered", () => {
    const lake = on.template(on.stacks.lake);
    lake.resourceCountIs('AWS::S3::Bucket', 5);
    const results = on.stacks.lake.resolve(
      (on.stacks.lake.loadtestResultsBucket!.node.defaultChild as CfnJson).logicalId,
    );
    const bucket = lake.findResources('AWS::S3::Bucket')[results]!.Properties;
    expect(bucket.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        { Id: 'expire-runs', Prefix: 'runs/', ExpirationInDays: 30, Status: 'Enabled' },
      ]),
    );
    expect(bucket.LoggingConfiguration.LogFilePrefix).toBe('loadtest-results/');
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
    // The access-log bucket's policy lets S3 logging write this bucket's logs (a bucket in another stack
    // would get no such statement, and its logs would be dropped).
    const policies = JSON.stringify(lake.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toContain(`"${results}","Arn"`);
  });

  it('uses an existing cluster, a prebuilt ECR image, the configured size and expiry, and MSK when on', () => {
    const t = options.template(options.stacks.loadtest!);
    t.resourceCountIs('AWS::ECS::Cluster', 0);
    const def = taskDefinitionOf(options);
    expect(def).toMatchObject({ Family: 'gridstream-lt-loadworker', Cpu: '4096', Memory: '8192' });
    expect(tagsOf(def).get(LOAD_WORKER_TAGS.cluster)).toBe('shared-batch');
    const image = JSON.stringify(def.ContainerDefinitions[0].Image);
    expect(image).toContain('team/gridstream-loadworker:v1.2.3');
    expect(image).not.toContain('container-assets');
    expect(def.ContainerDefinitions[0].Environment).toContainEqual({
      Name: 'NODE_OPTIONS',
      Value: '--max-old-space-size=6144',
    });
    const lake = options.template(options.stacks.lake);
    expect(JSON.stringify(lake.findResources('AWS::S3::Bucket'))).toContain('"ExpirationInDays":7');
    // MSK: the Kafka stack's producer policy on the task role, and the brokers' port open.
    const role = Object.values(t.findResources('AWS::IAM::Role')).find((r) =>
      JSON.stringify(r).includes('ecs-tasks.amazonaws.com'),
    );
    expect(JSON.stringify(role?.Properties.ManagedPolicyArns)).toMatch(
      /Kafka:ExportsOutputRefProducerPolicy/,
    );
    const sg = Object.values(t.findResources('AWS::EC2::SecurityGroup'))[0]!.Properties;
    expect(sg.SecurityGroupEgress.map((e: CfnJson) => e.FromPort).sort()).toEqual([443, 443, 9098]);
  });
});

describe('load-worker image', () => {
  it('stages the Dockerfile, the CLI sources and the harness files at synth, without node_modules or tests', () => {
    const def = taskDefinitionOf(on);
    const tag = /:([0-9a-f]{64})$/.exec(def.ContainerDefinitions[0].Image['Fn::Sub'])?.[1];
    expect(tag).toBeDefined();
    const dir = join(on.outdir, `asset.${tag}`);
    expect(existsSync(dir)).toBe(true);
    for (const f of [
      'infra/docker/loadworker.Dockerfile',
      'package.json',
      'package-lock.json',
      'scripts/build.mjs',
      'tsconfig.build.json',
      'loadtest/scenarios/smoke.yaml',
      'loadtest/scenario/scenario.schema.json',
      'loadtest/prices.json',
      'loadtest/ecs/workerArgs.ts',
      'sql/curated/pipeline.rendered.json',
      'cli/run.ts',
      'common/loadWorkerTask.ts',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const all = readdirSync(dir, { recursive: true }) as string[];
    expect(all.filter((f) => f.split('/').includes('node_modules'))).toEqual([]);
    expect(all.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
    expect(all.filter((f) => f.startsWith('test/') || f.startsWith('.venv'))).toEqual([]);
    const dockerfile = readFileSync(join(dir, 'infra/docker/loadworker.Dockerfile'), 'utf8');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "dist/cli/run.js", "loadtest", "worker"]');
  });
});
