import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../infra/lib/config/index.js';
import { FEATURE_FLAGS, SKIP_BUNDLING_CONTEXT_KEY } from '../../infra/lib/constants.js';
import {
  bufferingHintProblems,
  FIREHOSE_BUFFERING_LIMITS,
} from '../../infra/lib/constructs/bufferingHints.js';
import { GridstreamFunction } from '../../infra/lib/constructs/GridstreamFunction.js';
import { LakeBucket } from '../../infra/lib/constructs/LakeBucket.js';
import {
  DEFAULT_BUFFERING_HINTS,
  LakeDeliveryStream,
  type LakeDeliveryStreamProps,
} from '../../infra/lib/constructs/LakeDeliveryStream.js';
import { InfraValidationError } from '../../infra/lib/errors.js';
import { requiredJobArguments } from '../../infra/lib/lake/glueJobs.js';
import { LakeStack } from '../../infra/lib/stacks/LakeStack.js';
import { ProcessingStack } from '../../infra/lib/stacks/ProcessingStack.js';
import { ProducersStack } from '../../infra/lib/stacks/ProducersStack.js';
import { StreamsStack } from '../../infra/lib/stacks/StreamsStack.js';
import { tempDir } from '../helpers/tempDir.js';

function newApp(context: Record<string, unknown> = {}): App {
  return new App({
    outdir: tempDir('cdk'),
    builtinCloudFormationValidation: false,
    context: { ...FEATURE_FLAGS, ...context },
  });
}

function newStack(): Stack {
  const app = newApp({ 'aws:cdk:bundling-stacks': [], [SKIP_BUNDLING_CONTEXT_KEY]: true });
  return new Stack(app, 'Test');
}

function deliveryProps(
  stack: Stack,
  overrides: Partial<LakeDeliveryStreamProps> = {},
): LakeDeliveryStreamProps {
  const key = new kms.Key(stack, `Key${stack.node.children.length}`);
  return {
    dataset: 'grid',
    deliveryStreamName: 'test-grid-raw',
    sourceStream: new kinesis.Stream(stack, `Stream${stack.node.children.length}`),
    bucket: new s3.Bucket(stack, `Bucket${stack.node.children.length}`),
    dataKey: key,
    table: { catalogId: '123456789012', databaseName: 'db', tableName: 'raw_grid' },
    logGroup: new logs.LogGroup(stack, `Logs${stack.node.children.length}`),
    ...overrides,
  };
}

describe('buffering hints', () => {
  const both = { formatConversion: true, dynamicPartitioning: true };
  const neither = { formatConversion: false, dynamicPartitioning: false };

  it('accepts the limits themselves', () => {
    expect(bufferingHintProblems({ sizeMiB: 64, intervalSeconds: 60 }, both)).toEqual([]);
    expect(bufferingHintProblems({ sizeMiB: 128, intervalSeconds: 900 }, both)).toEqual([]);
    expect(bufferingHintProblems({ sizeMiB: 1, intervalSeconds: 0 }, neither)).toEqual([]);
  });

  it.each([
    [
      { sizeMiB: 63, intervalSeconds: 300 },
      both,
      'buffer size must be >= 64 MiB with record format conversion and dynamic partitioning, got 63 MiB',
    ],
    [
      { sizeMiB: 32, intervalSeconds: 300 },
      { formatConversion: true, dynamicPartitioning: false },
      'buffer size must be >= 64 MiB with record format conversion, got 32 MiB',
    ],
    [{ sizeMiB: 129, intervalSeconds: 300 }, both, 'buffer size must be <= 128 MiB, got 129 MiB'],
    [{ sizeMiB: 0, intervalSeconds: 300 }, neither, 'buffer size must be >= 1 MiB, got 0 MiB'],
    [{ sizeMiB: 64.5, intervalSeconds: 300 }, both, 'buffer size must be a whole number of MiB, got 64.5'],
    [
      { sizeMiB: 128, intervalSeconds: 59 },
      { formatConversion: false, dynamicPartitioning: true },
      'buffer interval must be >= 60 s with dynamic partitioning, got 59 s',
    ],
    [{ sizeMiB: 128, intervalSeconds: 901 }, both, 'buffer interval must be <= 900 s, got 901 s'],
    [{ sizeMiB: 5, intervalSeconds: -1 }, neither, 'buffer interval must be >= 0 s, got -1 s'],
    [
      { sizeMiB: 128, intervalSeconds: 1.5 },
      both,
      'buffer interval must be a whole number of seconds, got 1.5',
    ],
  ])('rejects %j (%j), naming the value', (hints, features, message) => {
    expect(bufferingHintProblems(hints, features)).toEqual([message]);
  });

  it('skips unresolved tokens (checked by the service at deploy time)', () => {
    const size = Token.asNumber({ Ref: 'Size' });
    expect(
      bufferingHintProblems({ sizeMiB: size, intervalSeconds: Token.asNumber({ Ref: 'I' }) }, both),
    ).toEqual([]);
  });

  it('publishes the limits it enforces', () => {
    expect(FIREHOSE_BUFFERING_LIMITS).toMatchObject({
      maxSizeMiB: 128,
      minSizeMiBConvertedOrPartitioned: 64,
      maxIntervalSeconds: 900,
    });
  });
});

describe('LakeDeliveryStream', () => {
  it('defaults to 128 MiB / 300 s, no transformation, 300 s partitioning retry', () => {
    const stack = newStack();
    new LakeDeliveryStream(stack, 'Delivery', deliveryProps(stack));
    expect(DEFAULT_BUFFERING_HINTS).toEqual({ sizeMiB: 128, intervalSeconds: 300 });
    Template.fromStack(stack).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 300 },
        DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 300 } },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [Match.objectLike({ Type: 'MetadataExtraction' })],
        },
      }),
    });
  });

  it('invokes the transformation Lambda when given one, and may invoke only it', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    new LakeDeliveryStream(stack, 'Delivery', deliveryProps(stack, { transformFunction: fn }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'Transform',
            Action: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it.each([
    [
      { bufferingHints: { sizeMiB: 32, intervalSeconds: 300 } },
      'buffer size must be >= 64 MiB with record format conversion and dynamic partitioning, got 32 MiB',
    ],
    [
      { bufferingHints: { sizeMiB: 256, intervalSeconds: 300 } },
      'buffer size must be <= 128 MiB, got 256 MiB',
    ],
    [
      { bufferingHints: { sizeMiB: 128, intervalSeconds: 10 } },
      'buffer interval must be >= 60 s with record format conversion and dynamic partitioning, got 10 s',
    ],
    [
      { bufferingHints: { sizeMiB: 128, intervalSeconds: 3600 } },
      'buffer interval must be <= 900 s, got 3600 s',
    ],
    [{ partitioningRetry: Duration.hours(3) }, 'partitioningRetry must be <= 7200 s, got 10800 s'],
  ])('rejects %j at synth time, naming the value', (overrides, message) => {
    const stack = newStack();
    expect(() => new LakeDeliveryStream(stack, 'Delivery', deliveryProps(stack, overrides))).toThrow(message);
    expect(() => new LakeDeliveryStream(stack, 'Delivery2', deliveryProps(stack, overrides))).toThrow(
      InfraValidationError,
    );
  });
});

describe('LakeDeliveryStream with an MSK source', () => {
  const MSK = {
    clusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/c/0d1f-uuid',
    topicName: 'grid',
    topicArn: 'arn:aws:kafka:us-east-1:123456789012:topic/c/0d1f-uuid/grid',
  };
  const mskProps = (stack: Stack, overrides: Partial<LakeDeliveryStreamProps> = {}) => {
    const { sourceStream: _kinesis, ...rest } = deliveryProps(stack);
    return { ...rest, mskSource: MSK, ...overrides };
  };

  it('reads the topic privately with IAM from its first record by default, and reports MSK metrics', () => {
    const stack = newStack();
    const d = new LakeDeliveryStream(stack, 'Delivery', mskProps(stack));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'MSKAsSource',
      KinesisStreamSourceConfiguration: Match.absent(),
      MSKSourceConfiguration: {
        MSKClusterARN: MSK.clusterArn,
        TopicName: 'grid',
        ReadFromTimestamp: '1970-01-01T00:00:00Z',
        AuthenticationConfiguration: { Connectivity: 'PRIVATE', RoleARN: Match.anyValue() },
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'MskCluster', Resource: MSK.clusterArn }),
          Match.objectLike({ Sid: 'MskTopic', Resource: MSK.topicArn }),
        ]),
      },
    });
    expect(d.sourceKind).toBe('msk');
    expect(d.metricIncomingRecords().metricName).toBe('DataReadFromSource.Records');
    expect(d.metricKafkaOffsetLag().metricName).toBe('KafkaOffsetLag');
    expect(d.metricSourceBackpressured().metricName).toBe('DataReadFromSource.Backpressured');
  });

  it('reads from a given time', () => {
    const stack = newStack();
    new LakeDeliveryStream(
      stack,
      'Delivery',
      mskProps(stack, { mskSource: { ...MSK, readFromTimestamp: '2026-01-01T00:00:00Z' } }),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      MSKSourceConfiguration: Match.objectLike({ ReadFromTimestamp: '2026-01-01T00:00:00Z' }),
    });
  });

  it.each([
    ['both sources', (stack: Stack) => ({ ...deliveryProps(stack), mskSource: MSK }), 'got both'],
    [
      'neither source',
      (stack: Stack) => {
        const { sourceStream: _kinesis, ...rest } = deliveryProps(stack);
        return rest;
      },
      'got neither',
    ],
    [
      'a bad start time',
      (stack: Stack) => mskProps(stack, { mskSource: { ...MSK, readFromTimestamp: 'yesterday' } }),
      'mskSource.readFromTimestamp must be an ISO 8601 time, got "yesterday"',
    ],
  ])('rejects %s at synth time, naming it', (_label, props, message) => {
    const stack = newStack();
    expect(() => new LakeDeliveryStream(stack, 'Delivery', props(stack))).toThrow(message);
  });
});

describe('LakeBucket', () => {
  it('defaults to SSE-S3, versioning, retention, 30-day non-current expiry and no access logging', () => {
    const stack = newStack();
    new LakeBucket(stack, 'B');
    const t = Template.fromStack(stack);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: Match.absent(),
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            }),
          ],
        },
      }),
    });
  });

  it('uses SSE-KMS with a bucket key and logs to the given bucket under <id>/ by default', () => {
    const stack = newStack();
    const logsBucket = new s3.Bucket(stack, 'Logs');
    new LakeBucket(stack, 'Data', {
      encryptionKey: new kms.Key(stack, 'K'),
      accessLogsBucket: logsBucket,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
            }),
          ],
        },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'Data/' },
      }),
    });
  });
});

describe('GridstreamFunction', () => {
  it('defaults to 256 MiB, 60 s, a one-month retained encrypted log group and its own role without managed policies', () => {
    const stack = newStack();
    new GridstreamFunction(stack, 'F', {
      entry: 'lambda/firehoseTransform.ts',
      description: 'test',
      encryptionKey: new kms.Key(stack, 'K'),
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 256,
      Timeout: 60,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
    });
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 30, KmsKeyId: Match.anyValue() },
    });
    t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });
});

describe('stack validation', () => {
  const config = resolveConfig();

  function processing(jobs: Parameters<typeof newProcessing>[0], root: string) {
    return newProcessing(jobs, root);
  }
  function newProcessing(
    jobs: ConstructorParameters<typeof ProcessingStack>[2]['jobs'],
    root: string,
  ): ProcessingStack {
    const app = newApp();
    const lake = new LakeStack(app, 'Lake', { config });
    const key = new kms.Key(new Stack(app, 'Keys'), 'K');
    return new ProcessingStack(app, 'Processing', { config, lake, opsKey: key, jobs, sourceRoot: root });
  }
  function scriptRoot(script: string): string {
    const root = tempDir('glue');
    mkdirSync(join(root, 'glue', 'jobs'), { recursive: true });
    writeFileSync(join(root, 'glue', 'jobs', 'x.py'), script);
    return root;
  }
  const job = {
    name: 'x',
    script: 'glue/jobs/x.py',
    description: 'x',
    bookmarks: false,
    reads: [],
    writes: [{ bucket: 'raw' as const, prefixes: ['raw/*'] }],
    catalogWrite: false,
  };

  it('rejects a Glue job whose script does not exist, naming it', () => {
    expect(() => processing([{ ...job, script: 'glue/jobs/missing.py' }], scriptRoot(''))).toThrow(
      'Glue job x: script glue/jobs/missing.py does not exist',
    );
  });

  it('rejects a Glue job whose script requires an argument the stack does not pass', () => {
    const script = 'args = getResolvedOptions(sys.argv, ["JOB_NAME", "raw_bucket", "warehouse"])\n';
    expect(() => processing([job], scriptRoot(script))).toThrow(
      'Glue job x: glue/jobs/x.py requires arguments the stack does not pass: warehouse',
    );
  });

  it('rejects a Glue package without the rendered pipeline it must ship, naming the file', () => {
    const root = scriptRoot('');
    mkdirSync(join(root, 'glue', 'gridstream_glue'), { recursive: true });
    writeFileSync(join(root, 'glue', 'gridstream_glue', '__init__.py'), '');
    expect(() => processing([job], root)).toThrow(
      'sql/curated/pipeline.rendered.json does not exist: generate it with npx tsx stream-processors/curation/writeGenerated.ts',
    );
  });

  it('reads the required arguments of every getResolvedOptions(sys.argv, [...]) call', () => {
    expect(
      requiredJobArguments(
        "a = getResolvedOptions(sys.argv, ['JOB_NAME', 'b', \"c\"])\nx = getResolvedOptions(argv, present)",
      ),
    ).toEqual(['b', 'c']);
  });

  it('rejects a poller whose handler does not exist, and Fargate producers without a network', () => {
    const app = newApp({ 'aws:cdk:bundling-stacks': [] });
    const streams = new StreamsStack(app, 'Streams', { config });
    const key = new kms.Key(new Stack(app, 'Keys'), 'K');
    expect(
      () =>
        new ProducersStack(app, 'P1', {
          config,
          streams,
          opsKey: key,
          pollers: [{ name: 'Nope', entry: 'lambda/nope.ts', dataset: 'grid', description: 'x' }],
        }),
    ).toThrow('poller Nope: handler lambda/nope.ts does not exist');
    expect(
      () =>
        new ProducersStack(app, 'P2', {
          config: { ...config, producers: { ...config.producers, pollers: false } },
          streams,
          opsKey: key,
        }),
    ).toThrow('the Fargate producers need the network stack');
  });
});
