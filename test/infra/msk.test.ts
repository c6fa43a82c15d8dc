import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridstreamNagChecks } from '../../infra/lib/compliance.js';
import { resolveConfig } from '../../infra/lib/config/index.js';
import { FEATURE_FLAGS, REPO_ROOT } from '../../infra/lib/constants.js';
import { InfraValidationError } from '../../infra/lib/errors.js';
import { partitionKeyQuery } from '../../infra/lib/lake/layout.js';
import { IngestionStack } from '../../infra/lib/stacks/IngestionStack.js';
import { LakeStack } from '../../infra/lib/stacks/LakeStack.js';
import { StreamsStack } from '../../infra/lib/stacks/StreamsStack.js';
import { DATASETS, type Dataset } from '../../schemas/index.js';
import { type CfnJson, removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

// Firehose reading MSK instead of Kinesis, with every toggle the MSK source needs.
const MSK_SOURCE = {
  'gridstream.msk.enabled': 'true',
  'gridstream.firehose.source': 'MSK',
  'gridstream.firehose.transformLambda': 'false',
  'gridstream.producers.pollers': 'false',
  'gridstream.producers.fargate': 'false',
  'gridstream.redshift.enabled': 'false',
  'gridstream.msk.consumerGroups': 'gridstream-delivery',
};
/** The topic each dataset has in the provisioned app (grid renamed). */
const PROVISIONED_TOPICS: Record<Dataset, string> = {
  grid: 'ercot.prices',
  weather: 'weather',
  transactions: 'transactions',
};

let serverless: SynthesizedApp;
let provisioned: SynthesizedApp;
let kinesis: SynthesizedApp;
beforeAll(() => {
  serverless = synthApp({ env: 'msk', ...MSK_SOURCE });
  provisioned = synthApp({
    env: 'mskp',
    ...MSK_SOURCE,
    'gridstream.msk.mode': 'PROVISIONED',
    'gridstream.msk.brokersPerAz': '2',
    // The contract-checking Lambda reads MSK records too (payload in kafkaRecordValue).
    'gridstream.firehose.transformLambda': 'true',
    'gridstream.msk.topics.grid': PROVISIONED_TOPICS.grid,
  });
  // The same environment with the Kinesis source: the control for "same conversion and partitioning".
  kinesis = synthApp({ env: 'msk', ...MSK_SOURCE, 'gridstream.firehose.source': 'KINESIS' });
});
afterAll(removeSynthOutputs);

const deliveryStreams = (app: SynthesizedApp): Record<string, CfnJson> =>
  Object.fromEntries(
    Object.values(
      app.template(app.stacks.ingestion).findResources('AWS::KinesisFirehose::DeliveryStream'),
    ).map((r) => [r.Properties.DeliveryStreamName, r.Properties]),
  );

/** The export of the Kafka stack's cluster ARN, as the ingestion stack imports it. */
const clusterArnImport = (app: SynthesizedApp) => ({
  'Fn::ImportValue': Match.stringLikeRegexp(
    `^${app.stacks.kafka!.stackName}:ExportsOutputFnGetAttClusterArn`,
  ),
});

/** Renders an ARN made of Fn::Join, refs and imports as text, tokens as `<...>`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) return (v['Fn::Join'] as [string, unknown[]])[1].map(render).join('');
  if ('Ref' in v) return `<${String(v.Ref)}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::ImportValue' in v) return '<cluster-arn>';
  if ('Fn::Select' in v) return '<cluster-uuid>';
  return JSON.stringify(value);
}

/** Every statement of every IAM policy (inline, managed, role) of a template. */
function statementsOf(app: SynthesizedApp, stack: keyof SynthesizedApp['stacks']): CfnJson[] {
  const t = app.template(app.stacks[stack]!).toJSON() as { Resources: Record<string, CfnJson> };
  return Object.values(t.Resources).flatMap((r) => {
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      return r.Properties.PolicyDocument.Statement;
    if (r.Type === 'AWS::IAM::Role')
      return (r.Properties.Policies ?? []).flatMap((p: CfnJson) => p.PolicyDocument.Statement);
    return [];
  });
}

describe('Firehose with the MSK source', () => {
  it.each([
    ['Serverless', () => serverless, { grid: 'grid', weather: 'weather', transactions: 'transactions' }],
    ['provisioned', () => provisioned, PROVISIONED_TOPICS],
  ] as const)(
    'reads each dataset topic of the %s cluster privately with IAM, from its first record',
    (_mode, get, topics) => {
      const app = get();
      const streams = deliveryStreams(app);
      expect(Object.keys(streams)).toHaveLength(DATASETS.length);
      for (const d of DATASETS) {
        const s = streams[`gridstream-${app.config.envName}-${d}-raw`];
        expect(s.DeliveryStreamType).toBe('MSKAsSource');
        expect(s.KinesisStreamSourceConfiguration).toBeUndefined();
        expect(s.MSKSourceConfiguration).toMatchObject({
          TopicName: topics[d],
          ReadFromTimestamp: '1970-01-01T00:00:00Z',
          AuthenticationConfiguration: {
            Connectivity: 'PRIVATE',
            RoleARN: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
          },
        });
        expect(s.MSKSourceConfiguration.AuthenticationConfiguration.RoleARN).toEqual(
          s.ExtendedS3DestinationConfiguration.RoleARN,
        );
      }
      app.template(app.stacks.ingestion).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        MSKSourceConfiguration: Match.objectLike({ MSKClusterARN: clusterArnImport(app) }),
      });
    },
  );

  it('runs the contract-checking Lambda on MSK records when firehose.transformLambda is on', () => {
    const lambdaProcessors = (app: SynthesizedApp): number[] =>
      Object.values(deliveryStreams(app)).map(
        (s) =>
          (
            (s.ExtendedS3DestinationConfiguration.ProcessingConfiguration?.Processors ?? []) as CfnJson[]
          ).filter((p) => p.Type === 'Lambda').length,
      );
    expect(lambdaProcessors(provisioned)).toEqual(DATASETS.map(() => 1));
    expect(lambdaProcessors(serverless)).toEqual(DATASETS.map(() => 0));
  });

  it('converts to Parquet with the Glue table and partitions on event time exactly like the Kinesis path', () => {
    // Prepare: the same environment once per source
    const msk = deliveryStreams(serverless);
    const control = deliveryStreams(kinesis);
    for (const name of Object.keys(control)) {
      expect(control[name].DeliveryStreamType).toBe('KinesisStreamAsSource');
      // Assess: the destination (prefixes, JQ partition keys, schema, buffering, SSE, logging) is identical
      expect(msk[name].ExtendedS3DestinationConfiguration).toEqual(
        control[name].ExtendedS3DestinationConfiguration,
      );
    }
    for (const d of DATASETS) {
      const c = msk[`gridstream-msk-${d}-raw`].ExtendedS3DestinationConfiguration;
      expect(c.Prefix).toBe(`raw/${d}/dt=!{partitionKeyFromQuery:dt}/hr=!{partitionKeyFromQuery:hr}/`);
      expect(c.ProcessingConfiguration.Processors[0].Parameters).toContainEqual({
        ParameterName: 'MetadataExtractionQuery',
        ParameterValue: partitionKeyQuery(d),
      });
      expect(c.DataFormatConversionConfiguration.SchemaConfiguration.TableName).toBe(`raw_${d}`);
      expect(c.DataFormatConversionConfiguration.OutputFormatConfiguration.Serializer).toEqual({
        ParquetSerDe: { Compression: 'SNAPPY' },
      });
    }
  });

  it('gives each Firehose role its own topic to read and the cluster to connect to, and no Kinesis', () => {
    for (const [app, topics] of [
      [serverless, { grid: 'grid', weather: 'weather', transactions: 'transactions' }],
      [provisioned, PROVISIONED_TOPICS],
    ] as const) {
      const t = app.template(app.stacks.ingestion);
      const policies = Object.values(t.findResources('AWS::IAM::Policy'));
      const kafkaTopics: string[] = [];
      for (const p of policies) {
        const statements: CfnJson[] = p.Properties.PolicyDocument.Statement;
        for (const s of statements) {
          for (const a of [s.Action].flat()) expect(a).not.toMatch(/^kinesis:/);
        }
        const cluster = statements.find((s) => s.Sid === 'MskCluster');
        const topic = statements.find((s) => s.Sid === 'MskTopic');
        if (!cluster) continue;
        expect(cluster.Action).toEqual([
          'kafka-cluster:Connect',
          'kafka:DescribeCluster',
          'kafka:DescribeClusterV2',
          'kafka:GetBootstrapBrokers',
        ]);
        expect(cluster.Resource).toEqual({ 'Fn::ImportValue': expect.stringMatching(/ClusterArn/) });
        expect(topic.Action).toEqual([
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:ReadData',
        ]);
        kafkaTopics.push(render(topic.Resource));
      }
      // One role per dataset, each reading exactly its topic of this cluster.
      expect(kafkaTopics.sort()).toEqual(
        DATASETS.map(
          (d) =>
            `arn:<AWS::Partition>:kafka:<AWS::Region>:<AWS::AccountId>:topic/gridstream-${app.config.envName}-kafka/<cluster-uuid>/${topics[d]}`,
        ).sort(),
      );
    }
  });

  it('lets only this account’s Firehose open its private connection to the cluster', () => {
    for (const app of [serverless, provisioned]) {
      const t = app.template(app.stacks.kafka!);
      t.resourceCountIs('AWS::MSK::ClusterPolicy', 1);
      t.hasResourceProperties('AWS::MSK::ClusterPolicy', {
        ClusterArn: { 'Fn::GetAtt': ['Cluster', 'Arn'] },
        Policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'FirehosePrivateConnectivity',
              Effect: 'Allow',
              Principal: { Service: 'firehose.amazonaws.com' },
              Action: [
                'kafka:CreateVpcConnection',
                'kafka:GetBootstrapBrokers',
                'kafka:DescribeCluster',
                'kafka:DescribeClusterV2',
              ],
              Resource: { 'Fn::GetAtt': ['Cluster', 'Arn'] },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      });
      // The delivery streams are created after the policy (Firehose checks its access on creation).
      expect(app.stacks.ingestion.dependencies).toContain(app.stacks.kafka);
    }
  });

  it('admits IAM clients (9098) and the multi-VPC private connectivity ports from the VPC only', () => {
    const t = serverless.template(serverless.stacks.kafka!);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ FromPort: 9098, ToPort: 9098, CidrIp: Match.anyValue() }),
        Match.objectLike({ FromPort: 14001, ToPort: 14100, CidrIp: Match.anyValue() }),
      ],
    });
  });
});

describe('MSK source without a cluster', () => {
  it('refuses to build the ingestion stack with the MSK source and no Kafka stack, naming it', () => {
    // Prepare: a configuration that passed validation, handed to the stack without its cluster
    const config = resolveConfig([
      {
        msk: { enabled: true },
        firehose: { source: 'MSK', transformLambda: false },
        producers: { pollers: false, fargate: false },
      },
    ]);
    const app = new App({ context: { ...FEATURE_FLAGS } });
    const keys = new Stack(app, 'Keys');
    // Act + Assess
    expect(
      () =>
        new IngestionStack(app, 'Ingestion', {
          config,
          streams: new StreamsStack(app, 'Streams', { config }),
          lake: new LakeStack(app, 'Lake', { config }),
          opsKey: new kms.Key(keys, 'Ops'),
        }),
    ).toThrow(new InfraValidationError('Ingestion', 'firehose.source MSK needs the Kafka stack, got none'));
  });
});

describe('MSK clusters', () => {
  it('creates MSK Serverless with IAM authentication in the isolated subnets by default', () => {
    const t = serverless.template(serverless.stacks.kafka!);
    t.resourceCountIs('AWS::MSK::Cluster', 0);
    t.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClusterName: 'gridstream-msk-kafka',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });

  it('creates a provisioned cluster when msk.mode is PROVISIONED: IAM only, TLS, multi-VPC IAM, encrypted volumes, broker logs', () => {
    const t = provisioned.template(provisioned.stacks.kafka!);
    t.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    t.hasResourceProperties('AWS::MSK::Cluster', {
      ClusterName: 'gridstream-mskp-kafka',
      KafkaVersion: '3.9.x',
      NumberOfBrokerNodes: 6,
      BrokerNodeGroupInfo: {
        InstanceType: 'kafka.m7g.large',
        ClientSubnets: Match.anyValue(),
        SecurityGroups: [Match.anyValue()],
        StorageInfo: { EBSStorageInfo: { VolumeSize: 100 } },
        ConnectivityInfo: {
          PublicAccess: { Type: 'DISABLED' },
          VpcConnectivity: { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } },
        },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: Match.anyValue() },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
      EnhancedMonitoring: 'DEFAULT',
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: Match.anyValue() } } },
    });
    expect(
      provisioned.template(provisioned.stacks.kafka!).findResources('AWS::MSK::Cluster').Cluster!.Properties
        .BrokerNodeGroupInfo.ClientSubnets,
    ).toHaveLength(3);
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('producer access to MSK', () => {
  it.each([
    ['Serverless', () => serverless, ['grid', 'weather', 'transactions']],
    ['provisioned', () => provisioned, Object.values(PROVISIONED_TOPICS)],
  ] as const)(
    'lets producers (%s) connect, write idempotently and describe the dataset topics, nothing more',
    (_m, get, topics) => {
      const app = get();
      const t = app.template(app.stacks.kafka!);
      const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy'));
      expect(policies).toHaveLength(1);
      const policy = policies[0]!;
      const statements: CfnJson[] = policy.Properties.PolicyDocument.Statement;
      expect(statements).toHaveLength(2);
      const [cluster, topic] = statements;
      expect(cluster.Action).toEqual([
        'kafka-cluster:Connect',
        'kafka-cluster:WriteDataIdempotently',
        'kafka:GetBootstrapBrokers',
      ]);
      expect(cluster.Resource).toEqual({ 'Fn::GetAtt': ['Cluster', 'Arn'] });
      expect(topic.Action).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
      expect(topic.Resource.map(render).sort()).toEqual(
        topics
          .map(
            (name) =>
              `arn:<AWS::Partition>:kafka:<AWS::Region>:<AWS::AccountId>:topic/gridstream-${app.config.envName}-kafka/<cluster-uuid>/${name}`,
          )
          .sort(),
      );
      expect(policy.Properties.ManagedPolicyName).toBe(`gridstream-${app.config.envName}-kafka-producer`);
    },
  );

  it('puts the producer policy on a role ECS tasks (of this account) and principals of this account can assume', () => {
    const t = serverless.template(serverless.stacks.kafka!);
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'gridstream-msk-kafka-producer',
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^ProducerPolicy') }],
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
          Match.objectLike({ Principal: { AWS: Match.anyValue() } }),
        ]),
      },
    });
    t.hasOutput('ProducerRoleArn', {});
    t.hasOutput('ClusterArn', {});
  });

  it('has no wildcard action or resource in any Kafka or ingestion policy', () => {
    for (const app of [serverless, provisioned]) {
      const statements = [...statementsOf(app, 'kafka'), ...statementsOf(app, 'ingestion')];
      const kafkaStatements = statements.filter((s) =>
        [s.Action].flat().some((a: string) => a.startsWith('kafka')),
      );
      expect(kafkaStatements.length).toBe(2 + 2 * DATASETS.length);
      for (const s of kafkaStatements) {
        for (const a of [s.Action].flat()) expect(a).not.toContain('*');
        for (const r of [s.Resource].flat()) expect(render(r)).not.toContain('*');
      }
    }
  });
});

describe('MSK alarms', () => {
  type Alarm = {
    name: string;
    metric: string;
    stat: string;
    threshold: number;
    dims: Record<string, unknown>;
  };
  const alarmsOf = (app: SynthesizedApp): Alarm[] =>
    Object.values(app.template(app.stacks.monitoring).findResources('AWS::CloudWatch::Alarm')).map((a) => ({
      name: a.Properties.AlarmName,
      metric: a.Properties.MetricName,
      stat: a.Properties.Statistic,
      threshold: a.Properties.Threshold,
      dims: Object.fromEntries(
        (a.Properties.Dimensions ?? []).map((d: { Name: string; Value: unknown }) => [d.Name, d.Value]),
      ),
    }));

  it("alarms on Firehose's MSK source metrics of each delivery stream", () => {
    const alarms = alarmsOf(serverless);
    for (const d of DATASETS) {
      const stream = `gridstream-msk-${d}-raw`;
      const of = (metric: string) =>
        alarms.find((a) => a.metric === metric && a.dims.DeliveryStreamName === stream);
      expect(of('KafkaOffsetLag')).toMatchObject({ stat: 'Maximum', threshold: 100_000 });
      expect(of('DataReadFromSource.Backpressured')).toMatchObject({ stat: 'Maximum', threshold: 0 });
      expect(of('FailedValidation.Records')).toMatchObject({ stat: 'Sum', threshold: 0 });
    }
    // The Kinesis source has none of them.
    const control = alarmsOf(kinesis).map((a) => a.metric);
    for (const m of ['KafkaOffsetLag', 'DataReadFromSource.Backpressured', 'FailedValidation.Records'])
      expect(control).not.toContain(m);
  });

  it.each([
    ['Serverless', () => serverless, false],
    ['provisioned', () => provisioned, true],
  ] as const)(
    'alarms on the lag of each configured consumer group on each dataset topic (%s)',
    (_m, get, timeLag) => {
      const app = get();
      const topics = Object.values(app.stacks.kafka!.topics);
      const lagAlarms = alarmsOf(app).filter((a) => a.dims['Consumer Group'] !== undefined);
      const expected = topics.flatMap((topic) => [
        { metric: 'MaxOffsetLag', threshold: 100_000, topic },
        ...(timeLag ? [{ metric: 'EstimatedMaxTimeLag', threshold: 600, topic }] : []),
      ]);
      expect(
        lagAlarms
          .map((a) => ({ metric: a.metric, threshold: a.threshold, topic: a.dims.Topic as string }))
          .sort((x, y) => `${x.metric}${x.topic}`.localeCompare(`${y.metric}${y.topic}`)),
      ).toEqual(expected.sort((x, y) => `${x.metric}${x.topic}`.localeCompare(`${y.metric}${y.topic}`)));
      for (const a of lagAlarms) {
        expect(a.stat).toBe('Maximum');
        expect(a.dims).toEqual({
          'Cluster Name': `gridstream-${app.config.envName}-kafka`,
          'Consumer Group': 'gridstream-delivery',
          Topic: a.dims.Topic,
        });
      }
    },
  );
});

describe('compliance of the MSK path', () => {
  it('passes cdk-nag AwsSolutions, Serverless and provisioned', () => {
    for (const app of [serverless, provisioned]) {
      const report = new GridstreamNagChecks(app.app).validateScope(app.app);
      expect(
        report.violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
    }
  });

  it('passes cfn-lint (errors; warnings only W3005) on the Kafka, ingestion and monitoring templates', () => {
    const files = [serverless, provisioned].flatMap((app) =>
      [app.stacks.kafka!, app.stacks.ingestion, app.stacks.monitoring].map((s) =>
        join(app.outdir, `${s.artifactId}.template.json`),
      ),
    );
    for (const f of files) expect(readdirSync(join(f, '..'))).toContain(f.split('/').pop());
    const r = spawnSync(join(REPO_ROOT, '.venv-iac', 'bin', 'cfn-lint'), ['--format', 'json', ...files], {
      encoding: 'utf8',
    });
    expect(r.error, 'cfn-lint missing: run node scripts/setup.mjs --test').toBeUndefined();
    const matches = JSON.parse(r.stdout || '[]') as {
      Rule: { Id: string };
      Level: string;
      Message: string;
    }[];
    expect(
      matches
        .filter((m) => m.Level === 'Error' || m.Rule.Id !== 'W3005')
        .map((m) => `${m.Rule.Id}: ${m.Message}`),
    ).toEqual([]);
  });

  it('passes checkov on the Kafka, ingestion and monitoring templates (skips of .checkov.yaml aside)', () => {
    const skips = new Set(
      [...readFileSync(join(REPO_ROOT, '.checkov.yaml'), 'utf8').matchAll(/^\s*-\s*(CKV2?_\w+)/gm)].map(
        (m) => m[1],
      ),
    );
    for (const app of [serverless, provisioned]) {
      const files = [app.stacks.kafka!, app.stacks.ingestion, app.stacks.monitoring].map(
        (s) => `${s.artifactId}.template.json`,
      );
      // Run where checkov would not load .checkov.yaml, so the skips are applied here, visibly.
      const r = spawnSync(
        join(REPO_ROOT, '.venv-iac', 'bin', 'checkov'),
        [
          '--framework',
          'cloudformation',
          '--quiet',
          '--compact',
          '-o',
          'json',
          ...files.flatMap((f) => ['-f', f]),
        ],
        { encoding: 'utf8', cwd: app.outdir, maxBuffer: 64 * 1024 * 1024 },
      );
      expect(r.error, 'checkov missing: run node scripts/setup.mjs --test').toBeUndefined();
      const parsed = JSON.parse(r.stdout) as unknown;
      const reports = (Array.isArray(parsed) ? parsed : [parsed]) as {
        results: { failed_checks?: { check_id: string; resource: string }[] };
        summary: { passed: number };
      }[];
      const failed = reports
        .flatMap((x) => x.results.failed_checks ?? [])
        .filter((f) => !skips.has(f.check_id));
      expect(failed.map((f) => `${f.check_id} ${f.resource}`)).toEqual([]);
      expect(reports.reduce((a, x) => a + x.summary.passed, 0)).toBeGreaterThan(30);
    }
  }, 120_000);
});
