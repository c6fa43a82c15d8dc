import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRIC_SERVICES } from '../../common/metrics.js';
import { DEFAULT_CONFIG } from '../../infra/lib/config/index.js';
import { REPO_ROOT } from '../../infra/lib/constants.js';
import { GLUE_JOBS } from '../../infra/lib/lake/glueJobs.js';
import { partitionKeyQuery } from '../../infra/lib/lake/layout.js';
import { ATHENA_SQL_DIR, athenaSqlFiles, renderNamedQuery } from '../../infra/lib/stacks/AnalyticsStack.js';
import { DATASETS, type Dataset } from '../../schemas/index.js';
import { athenaTableDefinition } from '../../stream-processors/curation/athenaDdl.js';
import { loadPipeline } from '../../stream-processors/curation/pipeline.js';
import { gridstreamAlarmMetrics, gridstreamDashboardMetrics } from './monitoring.js';
import { removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

// One synthesis with every default (no config file, no context), shared by the whole file.
let app: SynthesizedApp;
beforeAll(() => {
  app = synthApp();
});
afterAll(removeSynthOutputs);

describe('app', () => {
  it('creates the stacks of the dev environment, environment-agnostic', () => {
    const names = app.app.node.children.filter((c): c is Stack => Stack.isStack(c)).map((s) => s.stackName);
    expect(names.sort()).toEqual(
      [
        'Alerts',
        'Analytics',
        'Foundation',
        'Governance',
        'Ingestion',
        'Lake',
        'Monitoring',
        'Network',
        'Processing',
        'Producers',
        'Streams',
      ].map((p) => `Gridstream-Dev-${p}`),
    );
    for (const stack of Object.values(app.stacks)) {
      expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    }
    expect(app.config).toEqual(DEFAULT_CONFIG);
  });

  it('deploys the Lake Formation settings before the stacks that grant permissions', () => {
    for (const s of [app.stacks.ingestion, app.stacks.processing, app.stacks.analytics]) {
      expect(s.dependencies).toContain(app.stacks.governance);
    }
  });
});

describe('Foundation stack', () => {
  it('has a rotated operations key that CloudWatch Logs, alarms and EventBridge may use', () => {
    const t = app.template(app.stacks.foundation);
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchLogs',
            Principal: { Service: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
          }),
          Match.objectLike({
            Sid: 'AlarmAndEventPublishers',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
          }),
        ]),
      }),
    });
  });

  it('has an encrypted, TLS-only alarm topic without subscription by default', () => {
    const t = app.template(app.stacks.foundation);
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'gridstream-dev-alarms',
      KmsMasterKeyId: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('Streams stack', () => {
  it('creates one on-demand stream per dataset with 24 h retention, encrypted with a rotated key', () => {
    const t = app.template(app.stacks.streams);
    t.resourceCountIs('AWS::Kinesis::Stream', DATASETS.length);
    for (const d of DATASETS) {
      t.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: `gridstream-dev-${d}`,
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
        ShardCount: Match.absent(),
      });
    }
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
  });
});

describe('Lake stack', () => {
  it('blocks public access, enforces TLS, versions and encrypts every bucket; data buckets with the KMS key', () => {
    const t = app.template(app.stacks.lake);
    t.resourceCountIs('AWS::S3::Bucket', 4);
    t.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const kmsBuckets = t.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
              BucketKeyEnabled: true,
            }),
          ],
        },
      },
    });
    expect(Object.keys(kmsBuckets)).toHaveLength(3);
    const policies = t.findResources('AWS::S3::BucketPolicy');
    const tlsDenies = Object.values(policies).filter((p) =>
      JSON.stringify(p).includes('"aws:SecureTransport":"false"'),
    );
    expect(tlsDenies).toHaveLength(4);
  });

  it('logs access of the data buckets to the access-log bucket', () => {
    const t = app.template(app.stacks.lake);
    for (const prefix of ['raw/', 'curated/', 'athena-results/']) {
      t.hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: prefix },
      });
    }
  });

  it('moves raw objects to Standard-IA after 30 days, expires them after 730, aborts multipart uploads', () => {
    const t = app.template(app.stacks.lake);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'baseline',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          }),
          Match.objectLike({
            Id: 'raw-tiering',
            Prefix: 'raw/',
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
            ExpirationInDays: 730,
          }),
          Match.objectLike({ Id: 'expire-errors', Prefix: 'errors/', ExpirationInDays: 90 }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-results', ExpirationInDays: 30 })]),
      },
    });
  });

  it('retains buckets and keys by default', () => {
    const t = app.template(app.stacks.lake);
    for (const [, r] of Object.entries(t.findResources('AWS::S3::Bucket')))
      expect(r.DeletionPolicy).toBe('Retain');
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('creates one Glue database governed by Lake Formation only', () => {
    const t = app.template(app.stacks.lake);
    t.resourceCountIs('AWS::Glue::Database', 1);
    t.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'gridstream_dev', CreateTableDefaultPermissions: [] },
    });
  });

  it('creates a raw table per dataset with partition projection and a raw/<dataset> location', () => {
    const t = app.template(app.stacks.lake);
    for (const d of DATASETS) {
      t.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: 'gridstream_dev',
        TableInput: Match.objectLike({
          Name: `raw_${d}`,
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: [
            Match.objectLike({ Name: 'dt', Type: 'date' }),
            Match.objectLike({ Name: 'hr', Type: 'string' }),
          ],
          Parameters: Match.objectLike({
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': Match.stringLikeRegexp('^2024-01-01,NOW\\+\\d+DAYS$'),
            'projection.hr.type': 'integer',
            'projection.hr.range': '0,23',
            'projection.hr.digits': '2',
            'storage.location.template': Match.anyValue(),
          }),
          StorageDescriptor: Match.objectLike({
            SerdeInfo: Match.objectLike({
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            }),
          }),
        }),
      });
    }
  });

  it('creates the curated and gold tables of the curation pipeline, with catalog partitions (no projection)', () => {
    const t = app.template(app.stacks.lake);
    const published = { tables: loadPipeline().tables };
    expect(Object.keys(published.tables).length).toBeGreaterThan(0);
    for (const [name, spec] of Object.entries(published.tables)) {
      t.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: name,
          // dt is a DATE in the catalog (every zone); the pipeline keeps it as the folder's text.
          PartitionKeys: spec.partitionKeys.map((k) =>
            Match.objectLike({ Name: k.name, Type: k.name === 'dt' ? 'date' : k.type }),
          ),
          StorageDescriptor: Match.objectLike({
            Columns: spec.columns.map((c) => Match.objectLike({ Name: c.name, Type: c.type })),
          }),
          Parameters: Match.objectLike({ 'projection.enabled': Match.absent() }),
        }),
      });
    }
    t.resourceCountIs('AWS::Glue::Table', DATASETS.length + Object.keys(published.tables).length);
  });

  it('creates exactly the tables of the Athena DDL (same definition function, locations in the lake buckets)', () => {
    const tables = Object.values(app.template(app.stacks.lake).findResources('AWS::Glue::Table'));
    for (const t of tables) {
      const input = t.Properties.TableInput;
      const [zone, ...rest] = (input.Name as string).split('_');
      const expected = athenaTableDefinition(rest.join('_'), zone as 'raw', 's3://BUCKET/x/').tableInput;
      const strip = (x: typeof expected) => ({
        ...x,
        parameters: { ...x.parameters, 'storage.location.template': '' },
        storageDescriptor: { ...x.storageDescriptor, location: '' },
      });
      const actual = JSON.parse(JSON.stringify(input), (_k, v) => v) as Record<string, unknown>;
      expect(actual.Name).toBe(expected.name);
      expect(strip(expected).storageDescriptor.columns.map((c) => c.name)).toEqual(
        (actual.StorageDescriptor as { Columns: { Name: string }[] }).Columns.map((c) => c.Name),
      );
      expect((actual.Parameters as Record<string, string>)['projection.dt.range']).toBe(
        expected.parameters['projection.dt.range'],
      );
    }
  });
});

describe('Governance stack', () => {
  it('appends the CDK execution role to the data lake administrators (never replaces the list)', () => {
    const t = app.template(app.stacks.governance!);
    t.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      MutationType: 'APPEND',
      Admins: [
        {
          DataLakePrincipalIdentifier: {
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':role/cdk-hnb659fds-cfn-exec-role-')])],
          },
        },
      ],
    });
  });

  it('registers the raw and curated buckets with a custom data access role', () => {
    const t = app.template(app.stacks.governance!);
    t.resourceCountIs('AWS::LakeFormation::Resource', 2);
    t.allResourcesProperties('AWS::LakeFormation::Resource', {
      UseServiceLinkedRole: false,
      RoleArn: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lakeformation.amazonaws.com' } })],
      },
    });
  });
});

describe('Ingestion stack', () => {
  it('creates one Firehose per dataset from its Kinesis stream into the raw zone', () => {
    const t = app.template(app.stacks.ingestion);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', DATASETS.length);
    for (const d of DATASETS) {
      t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamName: `gridstream-dev-${d}-raw`,
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: Match.anyValue(), RoleARN: Match.anyValue() },
        ExtendedS3DestinationConfiguration: Match.objectLike({
          Prefix: `raw/${d}/dt=!{partitionKeyFromQuery:dt}/hr=!{partitionKeyFromQuery:hr}/`,
          ErrorOutputPrefix:
            'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/',
          BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 300 },
          CompressionFormat: 'UNCOMPRESSED',
          EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: Match.anyValue() } },
          CloudWatchLoggingOptions: {
            Enabled: true,
            LogGroupName: Match.anyValue(),
            LogStreamName: Match.anyValue(),
          },
          DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 300 } },
          DataFormatConversionConfiguration: {
            Enabled: true,
            InputFormatConfiguration: { Deserializer: { HiveJsonSerDe: { TimestampFormats: ['millis'] } } },
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
            SchemaConfiguration: Match.objectLike({
              DatabaseName: 'gridstream_dev',
              TableName: `raw_${d}`,
              VersionId: 'LATEST',
            }),
          },
        }),
      });
    }
  });

  it('runs the transformation Lambda, then the JQ partition-key extraction (no KPL processor: Firehose de-aggregates a Kinesis source itself)', () => {
    const t = app.template(app.stacks.ingestion);
    const streams = t.findResources('AWS::KinesisFirehose::DeliveryStream');
    for (const s of Object.values(streams)) {
      const processors = s.Properties.ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors;
      expect(processors.map((p: { Type: string }) => p.Type)).toEqual(['Lambda', 'MetadataExtraction']);
      const dataset = /-(grid|weather|transactions)-raw$/.exec(
        s.Properties.DeliveryStreamName,
      )![1] as Dataset;
      expect(processors[1].Parameters).toEqual([
        { ParameterName: 'MetadataExtractionQuery', ParameterValue: partitionKeyQuery(dataset) },
        { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
      ]);
    }
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Environment: {
        Variables: Match.objectLike({
          GRIDSTREAM_DELIVERY_STREAMS: JSON.stringify({
            'gridstream-dev-grid-raw': 'grid',
            'gridstream-dev-weather-raw': 'weather',
            'gridstream-dev-transactions-raw': 'transactions',
          }),
        }),
      },
      KmsKeyArn: Match.anyValue(),
    });
  });

  it('lets each Firehose role write only its own prefixes', () => {
    const t = app.template(app.stacks.ingestion);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'WriteOwnPrefixes',
            Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
            Resource: [
              { 'Fn::Join': ['', [Match.anyValue(), '/errors/*']] },
              { 'Fn::Join': ['', [Match.anyValue(), '/raw/grid/*']] },
            ],
          }),
        ]),
      },
    });
  });

  it('grants each Firehose role SELECT and DESCRIBE on its raw table in Lake Formation', () => {
    const t = app.template(app.stacks.ingestion);
    for (const d of DATASETS) {
      t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
        Permissions: ['SELECT', 'DESCRIBE'],
        PermissionsWithGrantOption: [],
        Resource: {
          Table: { CatalogId: Match.anyValue(), DatabaseName: 'gridstream_dev', Name: `raw_${d}` },
        },
      });
    }
  });
});

describe('Alerts stack', () => {
  it('consumes the grid and transactions streams with partial batch responses and a DLQ', () => {
    const t = app.template(app.stacks.alerts);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    t.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      StartingPosition: 'LATEST',
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('publishes to an encrypted topic and configures the thresholds and stream map', () => {
    const t = app.template(app.stacks.alerts);
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'gridstream-dev-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GRIDSTREAM_STREAMS: JSON.stringify({
            'gridstream-dev-grid': 'grid',
            'gridstream-dev-transactions': 'transactions',
          }),
          GRIDSTREAM_ALERT_TOPIC_ARN: Match.anyValue(),
          GRIDSTREAM_ALERT_PRICE_SPIKE_USD_MWH: '1000',
          GRIDSTREAM_ALERT_LARGE_TRADE_MWH: '5000',
        }),
      },
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 1_209_600,
    });
  });
});

describe('Processing stack', () => {
  it('deploys the Glue 5.0 jobs of glue/jobs with the security configuration', () => {
    const t = app.template(app.stacks.processing);
    t.resourceCountIs('AWS::Glue::Job', GLUE_JOBS.length);
    for (const job of GLUE_JOBS) {
      t.hasResourceProperties('AWS::Glue::Job', {
        Name: `gridstream-dev-${job.name}`,
        GlueVersion: '5.0',
        WorkerType: 'G.1X',
        NumberOfWorkers: 2,
        Timeout: 60,
        Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: Match.anyValue() },
        SecurityConfiguration: 'gridstream-dev-glue',
        ExecutionProperty: { MaxConcurrentRuns: 1 },
        DefaultArguments: Match.objectLike({
          '--raw_bucket': Match.anyValue(),
          '--curated_bucket': Match.anyValue(),
          '--database': 'gridstream_dev',
          '--lateness_days': '2',
          '--extra-py-files': Match.anyValue(),
          '--enable-continuous-cloudwatch-log': 'true',
        }),
      });
    }
  });

  it('encrypts S3 output, CloudWatch logs and bookmarks', () => {
    app.template(app.stacks.processing).hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: Match.anyValue() }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: Match.anyValue() },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: Match.anyValue() },
      },
    });
  });

  it('schedules curation hourly and compaction daily', () => {
    const t = app.template(app.stacks.processing);
    t.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED',
      Schedule: 'cron(15 * * * ? *)',
      StartOnCreation: true,
      Actions: [{ JobName: 'gridstream-dev-curate' }],
    });
    t.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED',
      Schedule: 'cron(30 3 * * ? *)',
      Actions: [{ JobName: 'gridstream-dev-compact' }],
    });
  });

  it('gives only the curation role catalog write access, and only on the published tables', () => {
    const t = app.template(app.stacks.processing);
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const withCatalog = policies.filter((p) => JSON.stringify(p).includes('glue:BatchUpdatePartition'));
    expect(withCatalog).toHaveLength(1);
    expect(JSON.stringify(withCatalog[0])).not.toContain('/raw_grid');
  });
});

describe('Analytics stack', () => {
  it('creates an Athena workgroup with an enforced, encrypted result location and a 10 GiB cutoff', () => {
    app.template(app.stacks.analytics).hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'gridstream-dev',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
          ExpectedBucketOwner: Match.anyValue(),
        },
      },
    });
  });

  it('creates a named query per sql/athena file, in the workgroup and the environment database', () => {
    const files = athenaSqlFiles(join(REPO_ROOT, ATHENA_SQL_DIR));
    const t = app.template(app.stacks.analytics);
    t.resourceCountIs('AWS::Athena::NamedQuery', files.length);
    for (const f of files) {
      t.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: f.replace(/\.sql$/, ''),
        Database: 'gridstream_dev',
        WorkGroup: 'gridstream-dev',
        QueryString: Match.anyValue(),
      });
    }
  });

  it('fills the bucket placeholders of the DDL and leaves projection templates alone', () => {
    const vars = { env: 'dev', database: 'db', RAW_BUCKET: 'raw-b', CURATED_BUCKET: 'cur-b' };
    // Placeholders spelled with a variable so they read as SQL text, not as template literals.
    const p = (name: string) => `$${'{'}${name}}`;
    expect(
      renderNamedQuery(
        `LOCATION 's3://RAW_BUCKET/raw/grid/' 's3://RAW_BUCKET/raw/grid/dt=${p('dt')}/' -- ${p('database')}`,
        vars,
      ),
    ).toBe(`LOCATION 's3://raw-b/raw/grid/' 's3://raw-b/raw/grid/dt=${p('dt')}/' -- db`);
  });

  it('creates Redshift Serverless with a Spectrum/COPY role, private and TLS-only', () => {
    const t = app.template(app.stacks.analytics);
    t.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      NamespaceName: 'gridstream-dev',
      ManageAdminPassword: true,
      KmsKeyId: Match.anyValue(),
      DefaultIamRoleArn: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      BaseCapacity: 8,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      ConfigParameters: Match.arrayWith([{ ParameterKey: 'require_ssl', ParameterValue: 'true' }]),
    });
  });

  it('grants the analyst role SELECT on every raw, curated and gold table', () => {
    const t = app.template(app.stacks.analytics);
    const tables = [...app.stacks.lake.rawTableNames, ...app.stacks.lake.publishedTableNames];
    for (const name of tables) {
      t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
        Principal: {
          DataLakePrincipalIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AnalystRole'), 'Arn'] },
        },
        Resource: { Table: Match.objectLike({ Name: name }) },
        Permissions: ['SELECT', 'DESCRIBE'],
      });
    }
  });
});

describe('Producers stack', () => {
  it('schedules the Open-Meteo and ERCOT pollers', () => {
    const t = app.template(app.stacks.producers);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Name: 'gridstream-dev-openmeteo-poller',
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Name: 'gridstream-dev-ercot-poller',
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'gridstream-dev/ercot-api',
      KmsKeyId: Match.anyValue(),
    });
  });

  it('lets producers put records on their streams only (no read, no wildcard)', () => {
    const t = app.template(app.stacks.producers);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PutRecords',
            Action: [
              'kinesis:DescribeStreamSummary',
              'kinesis:ListShards',
              'kinesis:PutRecord',
              'kinesis:PutRecords',
            ],
          }),
        ]),
      },
    });
  });

  it('runs the continuous producers on Fargate in isolated subnets, read-only root file system', () => {
    const t = app.template(app.stacks.producers);
    t.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 1,
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          ReadonlyRootFilesystem: true,
          Command: Match.arrayWith(['--rate', '20', '--stream', 'gridstream-dev-{dataset}']),
        }),
      ],
    });
  });

  it('has the Fargate producers write their metrics as EMF, for every dataset', () => {
    app.template(app.stacks.producers).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ Environment: [{ Name: 'GRIDSTREAM_METRICS', Value: 'emf' }] }),
      ],
    });
    expect(app.stacks.producers.datasets).toEqual(DATASETS);
  });
});

describe('Monitoring stack', () => {
  it('alarms on every stage and notifies the alarm topic', () => {
    const t = app.template(app.stacks.monitoring);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    const metricNames = new Set(alarms.map((a) => a.Properties.MetricName).filter(Boolean));
    for (const m of [
      'GetRecords.IteratorAgeMilliseconds',
      'WriteProvisionedThroughputExceeded',
      'DeliveryToS3.DataFreshness',
      'DeliveryToS3.Success',
      'FailedConversion.Records',
      'PartitionCountExceeded',
      'ExecuteProcessing.Success',
      'Errors',
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(metricNames, m).toContain(m);
    }
    const putSuccess = alarms.filter((a) => JSON.stringify(a).includes('PutRecords.SuccessfulRecords'));
    expect(putSuccess).toHaveLength(DATASETS.length);
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
  });

  it('forwards Glue job failures to the alarm topic', () => {
    app.template(app.stacks.monitoring).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: {
          jobName: GLUE_JOBS.map((j) => `gridstream-dev-${j.name}`),
          state: ['FAILED', 'TIMEOUT', 'ERROR'],
        },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  it('has a dashboard', () => {
    app
      .template(app.stacks.monitoring)
      .hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'gridstream-dev' });
  });

  it("alarms on gridstream's own metrics in the namespace and dimensions their emitters write", () => {
    // Prepare
    const t = app.template(app.stacks.monitoring);
    // Act
    const byAlarm = gridstreamAlarmMetrics(t);
    // Assess: every reference is in the one namespace with the one dimension set and a known name
    const all = [...byAlarm.values()].flat();
    expect(all.length).toBeGreaterThan(0);
    for (const m of all) {
      expect(m.namespace).toBe('Gridstream');
      expect(Object.keys(m.dimensions).sort()).toEqual(['Dataset', 'Service', 'Stream']);
      expect(m.dimensions.Stream).toBe(`gridstream-dev-${m.dimensions.Dataset}`);
    }
    const { producer, firehoseTransform } = METRIC_NAMES;
    for (const dataset of DATASETS) {
      const D = dataset.charAt(0).toUpperCase() + dataset.slice(1);
      const dims = { Dataset: dataset, Stream: `gridstream-dev-${dataset}` };
      expect(byAlarm.get(`gridstream-dev-${D}ProducerRecordsLost`)).toEqual([
        { namespace: 'Gridstream', name: producer.expired, dimensions: { ...dims, Service: 'producer' } },
        { namespace: 'Gridstream', name: producer.failed, dimensions: { ...dims, Service: 'producer' } },
      ]);
      expect(byAlarm.get(`gridstream-dev-${D}TransformationRejected`)).toEqual([
        {
          namespace: 'Gridstream',
          name: firehoseTransform.recordsRejected,
          dimensions: { ...dims, Service: 'firehose-transform' },
        },
      ]);
    }
  });

  it("graphs every stage's own metrics per dataset on the dashboard, under the same namespace and dimensions", () => {
    const metrics = gridstreamDashboardMetrics(app.template(app.stacks.monitoring));
    for (const m of metrics) {
      expect(m.namespace).toBe('Gridstream');
      expect(Object.keys(m.dimensions).sort()).toEqual(['Dataset', 'Service', 'Stream']);
      const service = Object.entries(METRIC_SERVICES).find(([, s]) => s === m.dimensions.Service);
      expect(service, m.dimensions.Service).toBeDefined();
      expect(Object.values(METRIC_NAMES[service![0] as keyof typeof METRIC_NAMES])).toContain(m.name);
    }
    const seen = (service: string, dataset: Dataset) =>
      metrics.some(
        (m) =>
          m.dimensions.Service === service &&
          m.dimensions.Dataset === dataset &&
          m.dimensions.Stream === `gridstream-dev-${dataset}`,
      );
    for (const dataset of DATASETS) {
      expect(seen('producer', dataset), dataset).toBe(true);
      expect(seen('firehose-transform', dataset), dataset).toBe(true);
      expect(seen('alert-consumer', dataset), dataset).toBe(dataset !== 'weather');
    }
  });

  it("sets the Lambdas' Powertools namespace and service to the ones their metrics use", () => {
    const env = (t: ReturnType<SynthesizedApp['template']>) =>
      Object.values(t.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment.Variables);
    for (const vars of [
      ...env(app.template(app.stacks.alerts)),
      ...env(app.template(app.stacks.ingestion)),
      ...env(app.template(app.stacks.producers)),
    ]) {
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe('Gridstream');
    }
    app.template(app.stacks.alerts).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'alert-consumer' }) },
    });
    app.template(app.stacks.ingestion).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'firehose-transform' }) },
    });
  });
});
