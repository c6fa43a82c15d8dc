import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridstreamNagChecks } from '../../infra/lib/compliance.js';
import { DATASETS } from '../../schemas/index.js';
import { gridstreamAlarmMetrics } from './monitoring.js';
import { removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

// The toggles the defaults leave on, turned off (and the off ones on), in two syntheses.
let lean: SynthesizedApp;
let kafka: SynthesizedApp;
let pollersOnly: SynthesizedApp;
beforeAll(() => {
  lean = synthApp({
    env: 'prod',
    gridstream: {
      streams: { mode: 'PROVISIONED', shardCount: 3, retentionHours: 168 },
      firehose: { transformLambda: false, bufferSizeMiB: 64, bufferIntervalSeconds: 60 },
      lake: { rawExpirationDays: 0 },
      redshift: { enabled: false },
      producers: { fargate: false, pollers: false },
      lakeFormation: { enabled: false },
      alarmEmail: 'oncall@example.com',
      removalPolicy: 'destroy',
    },
  });
  kafka = synthApp({
    env: 'kafka',
    'gridstream.msk.enabled': 'true',
    'gridstream.redshift.enabled': 'false',
    'gridstream.producers.fargate': 'false',
    'gridstream.producers.pollers': 'false',
  });
  pollersOnly = synthApp({
    env: 'pollers',
    'gridstream.producers.fargate': 'false',
    'gridstream.redshift.enabled': 'false',
  });
});
afterAll(removeSynthOutputs);

describe('toggles and options', () => {
  it('passes cdk-nag AwsSolutions with the other toggles too', () => {
    for (const app of [lean, kafka]) {
      const report = new GridstreamNagChecks(app.app).validateScope(app.app);
      expect(
        report.violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
    }
  });

  it('names every stack and resource after the environment', () => {
    expect(lean.stacks.streams.stackName).toBe('Gridstream-Prod-Streams');
    lean
      .template(lean.stacks.streams)
      .hasResourceProperties('AWS::Kinesis::Stream', { Name: 'gridstream-prod-grid' });
    lean.template(lean.stacks.lake).hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: 'gridstream_prod' }),
    });
  });

  it('creates provisioned streams with the configured shard count and retention', () => {
    const t = lean.template(lean.stacks.streams);
    for (const d of DATASETS) {
      t.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: `gridstream-prod-${d}`,
        ShardCount: 3,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: 168,
      });
    }
  });

  it('runs no transformation Lambda when transformLambda is off: JQ partitioning only', () => {
    const t = lean.template(lean.stacks.ingestion);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    for (const s of Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream'))) {
      const c = s.Properties.ExtendedS3DestinationConfiguration;
      expect(c.ProcessingConfiguration.Processors.map((p: { Type: string }) => p.Type)).toEqual([
        'MetadataExtraction',
      ]);
      expect(c.BufferingHints).toEqual({ SizeInMBs: 64, IntervalInSeconds: 60 });
    }
    const alarms = Object.values(
      lean.template(lean.stacks.monitoring).findResources('AWS::CloudWatch::Alarm'),
    );
    expect(alarms.some((a) => a.Properties.MetricName === 'ExecuteProcessing.Success')).toBe(false);
    expect(alarms.some((a) => a.Properties.MetricName === 'RecordsRejected')).toBe(false);
  });

  it("alarms on the producers' metrics only for datasets a producer of the deployment writes", () => {
    const alarmsOf = (app: SynthesizedApp) => [
      ...gridstreamAlarmMetrics(app.template(app.stacks.monitoring)),
    ];
    // Prepare + Act: no producers (lean); the pollers only (grid from ERCOT, weather from Open-Meteo)
    const none = alarmsOf(lean).filter(([, refs]) => refs.some((r) => r.dimensions.Service === 'producer'));
    const polled = alarmsOf(pollersOnly).filter(([, refs]) =>
      refs.some((r) => r.dimensions.Service === 'producer'),
    );
    // Assess
    expect(none).toEqual([]);
    expect(polled.map(([name]) => name).sort()).toEqual([
      'gridstream-pollers-GridProducerRecordsLost',
      'gridstream-pollers-WeatherProducerRecordsLost',
    ]);
    for (const [, refs] of polled) {
      for (const r of refs) {
        expect(r.namespace).toBe('Gridstream');
        expect(r.dimensions.Stream).toBe(`gridstream-pollers-${r.dimensions.Dataset}`);
      }
    }
    expect(lean.stacks.producers.datasets).toEqual([]);
    expect(pollersOnly.stacks.producers.datasets).toEqual(['grid', 'weather']);
  });

  it('keeps raw data forever when rawExpirationDays is 0', () => {
    const rules = Object.values(lean.template(lean.stacks.lake).findResources('AWS::S3::Bucket')).flatMap(
      (b) => b.Properties.LifecycleConfiguration?.Rules ?? [],
    );
    const tiering = rules.find((r: { Id: string }) => r.Id === 'raw-tiering');
    expect(tiering.ExpirationInDays).toBeUndefined();
    expect(tiering.Transitions).toEqual([{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }]);
  });

  it('deletes stateful resources with the stack when removalPolicy is destroy', () => {
    const t = lean.template(lean.stacks.streams);
    t.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('omits the network, governance, Redshift, pollers and Fargate when they are off', () => {
    expect(lean.stacks.network).toBeUndefined();
    expect(lean.stacks.governance).toBeUndefined();
    expect(lean.stacks.kafka).toBeUndefined();
    const analytics = lean.template(lean.stacks.analytics);
    analytics.resourceCountIs('AWS::RedshiftServerless::Workgroup', 0);
    analytics.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 0);
    const producers = lean.template(lean.stacks.producers);
    producers.resourceCountIs('AWS::Lambda::Function', 0);
    producers.resourceCountIs('AWS::ECS::Service', 0);
  });

  it('leaves IAM in charge of the tables when Lake Formation is off', () => {
    lean.template(lean.stacks.lake).hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ CreateTableDefaultPermissions: Match.absent() }),
    });
    lean.template(lean.stacks.ingestion).resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 0);
    lean.template(lean.stacks.analytics).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadLake', Action: 's3:GetObject' })]),
      },
    });
  });

  it('subscribes the alarm e-mail to the alarm topic', () => {
    lean.template(lean.stacks.foundation).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('creates MSK Serverless with IAM authentication in the VPC when msk is on, Firehose still reading Kinesis', () => {
    expect(kafka.stacks.kafka).toBeDefined();
    const t = kafka.template(kafka.stacks.kafka!);
    t.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClusterName: 'gridstream-kafka-kafka',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [{ SubnetIds: Match.anyValue(), SecurityGroups: Match.anyValue() }],
    });
    // msk.enabled alone adds the cluster; the delivery streams switch only with firehose.source.
    kafka.template(kafka.stacks.ingestion).allResourcesProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ FromPort: 9098, ToPort: 9098 }),
        Match.objectLike({ FromPort: 14001, ToPort: 14100 }),
      ],
    });
  });

  it('builds the network when only MSK needs it: three isolated subnets and the endpoints', () => {
    const t = kafka.template(kafka.stacks.network!);
    t.resourceCountIs('AWS::EC2::Subnet', 3);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 6);
    const interfaces = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).filter(
      (e) => e.Properties.VpcEndpointType === 'Interface',
    );
    expect(interfaces).toHaveLength(5);
    for (const e of interfaces) expect(e.Properties.SubnetIds).toHaveLength(2);
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });
});
