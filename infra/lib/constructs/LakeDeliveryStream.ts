import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Dataset } from '../../../schemas/index.js';
import { InfraValidationError } from '../errors.js';
import { ERRORS_ZONE, FIREHOSE_ERROR_PREFIX, firehosePrefix, partitionKeyQuery } from '../lake/layout.js';
import { acknowledge } from '../nag.js';
import { type BufferingHints, bufferingHintProblems } from './bufferingHints.js';

/** Firehose reads an MSK topic from its first record: records written before the stream existed are delivered too. */
export const READ_FROM_EARLIEST = '1970-01-01T00:00:00Z';

/** The Glue table whose schema Firehose converts records with. */
export interface GlueTableRef {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
}

/** One MSK topic read through Firehose's private connectivity with IAM authentication. */
export interface MskTopicSource {
  /** ARN of the cluster (Serverless or provisioned). */
  readonly clusterArn: string;
  /** Topic name. */
  readonly topicName: string;
  /** ARN of the topic (`arn:…:topic/<cluster name>/<cluster uuid>/<topic>`), for the role's policy. */
  readonly topicArn: string;
  /**
   * First record time read (UTC, ISO 8601); the epoch reads the topic from its earliest offset.
   * @default '1970-01-01T00:00:00Z'
   */
  readonly readFromTimestamp?: string;
}

/** Props of {@link LakeDeliveryStream}. */
export interface LakeDeliveryStreamProps {
  /** Dataset delivered (names the prefixes). */
  readonly dataset: Dataset;
  /** Physical name of the delivery stream. */
  readonly deliveryStreamName: string;
  /**
   * Kinesis data stream read from. KPL aggregates are de-aggregated by Firehose for this source type.
   * Exactly one of `sourceStream` and `mskSource` is given.
   * @default none (then `mskSource`)
   */
  readonly sourceStream?: kinesis.IStream;
  /**
   * MSK topic read from instead of a Kinesis stream (Firehose's MSK source: private connectivity, IAM).
   * @default none (then `sourceStream`)
   */
  readonly mskSource?: MskTopicSource;
  /** Destination bucket (the raw zone). */
  readonly bucket: s3.IBucket;
  /** Key the Parquet objects are encrypted with (the bucket's key). */
  readonly dataKey: kms.IKey;
  /** Glue table providing the schema for JSON → Parquet conversion. */
  readonly table: GlueTableRef;
  /** Log group for Firehose's delivery error logs. */
  readonly logGroup: logs.ILogGroup;
  /**
   * Buffering hints; validated at synth time against Firehose's rules (with format conversion and dynamic
   * partitioning: 64..128 MiB and 60..900 s).
   * @default 128 MiB and 300 s
   */
  readonly bufferingHints?: BufferingHints;
  /**
   * Transformation Lambda run before partitioning and conversion (contract validation).
   * @default no transformation
   */
  readonly transformFunction?: lambda.IFunction;
  /**
   * How long Firehose retries delivery to a dynamic partition before writing the data under the error prefix.
   * @default Duration.seconds(300)
   */
  readonly partitioningRetry?: Duration;
}

/** Default buffering: the largest files Firehose writes (good Parquet row groups), at most 5 minutes late. */
export const DEFAULT_BUFFERING_HINTS: BufferingHints = { sizeMiB: 128, intervalSeconds: 300 };

/**
 * A Firehose delivery stream from a Kinesis data stream or an MSK topic into the raw zone: records converted from JSON to
 * Parquet (Snappy) with the dataset's Glue table (Hive JSON SerDe reading epoch-millisecond timestamps),
 * dynamically partitioned on event time (weather forecasts: issue time) with a JQ query into `raw/<dataset>/dt=.../hr=.../` (the layout the
 * local delivery writes), failures under `errors/<error-type>/dt=/hr=/` like the local delivery's, SSE-KMS, error logging to
 * CloudWatch Logs. Its role can read only its stream (or topic), write only its prefixes and read only its
 * table. Both sources get the same destination configuration: only the source block and the read grant differ.
 */
export class LakeDeliveryStream extends Construct {
  /** The CloudFormation resource. */
  public readonly resource: firehose.CfnDeliveryStream;
  /** The role Firehose assumes. */
  public readonly role: iam.Role;
  /** Name of the delivery stream. */
  public readonly deliveryStreamName: string;
  /** What the stream reads from. */
  public readonly sourceKind: 'kinesis' | 'msk';

  public constructor(scope: Construct, id: string, props: LakeDeliveryStreamProps) {
    super(scope, id);
    const hints = props.bufferingHints ?? DEFAULT_BUFFERING_HINTS;
    const problems = bufferingHintProblems(hints, { formatConversion: true, dynamicPartitioning: true });
    if (problems.length > 0) throw new InfraValidationError(this.node.path, problems.join('; '));
    const retry = props.partitioningRetry ?? Duration.seconds(300);
    const retrySeconds = retry.toSeconds();
    if (retrySeconds > 7200) {
      throw new InfraValidationError(
        this.node.path,
        `partitioningRetry must be <= 7200 s, got ${retrySeconds} s`,
      );
    }

    if ((props.sourceStream === undefined) === (props.mskSource === undefined)) {
      throw new InfraValidationError(
        this.node.path,
        `exactly one of sourceStream and mskSource must be given, got ${props.sourceStream ? 'both' : 'neither'}`,
      );
    }
    const readFrom = props.mskSource?.readFromTimestamp ?? READ_FROM_EARLIEST;
    if (props.mskSource && !Token.isUnresolved(readFrom) && Number.isNaN(Date.parse(readFrom))) {
      throw new InfraValidationError(
        this.node.path,
        `mskSource.readFromTimestamp must be an ISO 8601 time, got ${JSON.stringify(readFrom)}`,
      );
    }

    const stack = Stack.of(this);
    this.deliveryStreamName = props.deliveryStreamName;
    this.sourceKind = props.mskSource ? 'msk' : 'kinesis';
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': stack.account } },
      }),
      description: `Firehose ${props.deliveryStreamName}: read ${props.dataset} ${props.mskSource ? 'topic' : 'stream'}, write the raw zone`,
    });
    props.sourceStream?.grantRead(this.role);
    if (props.mskSource) {
      // The actions Firehose's MSK source needs: find the brokers, connect with IAM, read the one topic.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'MskCluster',
          actions: [
            'kafka:GetBootstrapBrokers',
            'kafka:DescribeCluster',
            'kafka:DescribeClusterV2',
            'kafka-cluster:Connect',
          ],
          resources: [props.mskSource.clusterArn],
        }),
      );
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'MskTopic',
          actions: [
            'kafka-cluster:DescribeTopic',
            'kafka-cluster:DescribeTopicDynamicConfiguration',
            'kafka-cluster:ReadData',
          ],
          resources: [props.mskSource.topicArn],
        }),
      );
    }

    const dataPrefix = `raw/${props.dataset}/`;
    const errorPrefix = `${ERRORS_ZONE}/`;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnPrefixes',
        actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        resources: [
          props.bucket.arnForObjects(`${dataPrefix}*`),
          props.bucket.arnForObjects(`${errorPrefix}*`),
        ],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'Bucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [props.bucket.bucketArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptObjects',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    const catalogArn = (resource: string) =>
      stack.formatArn({ service: 'glue', resource, account: props.table.catalogId });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSchema',
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          catalogArn('catalog'),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.table.databaseName }),
          stack.formatArn({
            service: 'glue',
            resource: 'table',
            resourceName: `${props.table.databaseName}/${props.table.tableName}`,
          }),
        ],
      }),
    );
    const logStream = new logs.LogStream(this, 'DeliveryLogStream', {
      logGroup: props.logGroup,
      logStreamName: `${props.deliveryStreamName}/delivery`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ErrorLogs',
        actions: ['logs:PutLogEvents'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${props.logGroup.logGroupName}:log-stream:${logStream.logStreamName}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    if (props.transformFunction) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'Transform',
          actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
          resources: [props.transformFunction.functionArn],
        }),
      );
    }

    const processors: firehose.CfnDeliveryStream.ProcessorProperty[] = [];
    if (props.transformFunction) {
      processors.push({
        type: 'Lambda',
        parameters: [
          { parameterName: 'LambdaArn', parameterValue: props.transformFunction.functionArn },
          { parameterName: 'NumberOfRetries', parameterValue: '3' },
          { parameterName: 'BufferSizeInMBs', parameterValue: '1' },
          { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
        ],
      });
    }
    processors.push({
      type: 'MetadataExtraction',
      parameters: [
        { parameterName: 'MetadataExtractionQuery', parameterValue: partitionKeyQuery(props.dataset) },
        { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
      ],
    });

    this.resource = new firehose.CfnDeliveryStream(this, 'Resource', {
      deliveryStreamName: props.deliveryStreamName,
      ...(props.mskSource
        ? {
            deliveryStreamType: 'MSKAsSource',
            mskSourceConfiguration: {
              mskClusterArn: props.mskSource.clusterArn,
              topicName: props.mskSource.topicName,
              authenticationConfiguration: { connectivity: 'PRIVATE', roleArn: this.role.roleArn },
              readFromTimestamp: readFrom,
            },
          }
        : {
            deliveryStreamType: 'KinesisStreamAsSource',
            kinesisStreamSourceConfiguration: {
              kinesisStreamArn: props.sourceStream!.streamArn,
              roleArn: this.role.roleArn,
            },
          }),
      extendedS3DestinationConfiguration: {
        bucketArn: props.bucket.bucketArn,
        roleArn: this.role.roleArn,
        prefix: firehosePrefix(props.dataset),
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        bufferingHints: { sizeInMBs: hints.sizeMiB, intervalInSeconds: hints.intervalSeconds },
        // Parquet compresses its pages itself (Snappy); the file must not be compressed again.
        compressionFormat: 'UNCOMPRESSED',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.dataKey.keyArn } },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: props.logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
        dynamicPartitioningConfiguration: {
          enabled: true,
          retryOptions: { durationInSeconds: retrySeconds },
        },
        processingConfiguration: { enabled: true, processors },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: ['millis'] } } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
          schemaConfiguration: {
            catalogId: props.table.catalogId,
            databaseName: props.table.databaseName,
            tableName: props.table.tableName,
            region: stack.region,
            roleArn: this.role.roleArn,
            versionId: 'LATEST',
          },
        },
        s3BackupMode: 'Disabled',
      },
    });
    acknowledge(
      this.resource,
      'AwsSolutions-KDF1',
      'A delivery stream with a Kinesis data stream or MSK source cannot set server-side encryption (Direct PUT only): the data is encrypted in the source (KMS) and the S3 objects with the data key (SSE-KMS).',
    );
    // Firehose checks its permissions on creation: the role's policy must exist first.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) this.resource.node.addDependency(policy);
  }

  /** ARN of the delivery stream. */
  public get deliveryStreamArn(): string {
    return this.resource.attrArn;
  }

  /**
   * A metric of this delivery stream in the `AWS/Firehose` namespace.
   *
   * @param metricName - e.g. `DeliveryToS3.DataFreshness`
   * @param props - statistic, period, ...
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName },
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Age of the oldest record not yet delivered to S3, seconds (maximum). */
  public metricDataFreshness(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', ...props });
  }

  /** Share of successful S3 PUTs (1 = all succeeded; average). */
  public metricDeliverySuccess(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('DeliveryToS3.Success', { statistic: 'Average', ...props });
  }

  /** Records that failed JSON → Parquet conversion (sum). */
  public metricFailedConversionRecords(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('FailedConversion.Records', { statistic: 'Sum', ...props });
  }

  /** Share of successful transformation Lambda invocations (average). */
  public metricProcessingSuccess(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecuteProcessing.Success', { statistic: 'Average', ...props });
  }

  /** Whether the dynamic-partition limit was exceeded (maximum; 1 = exceeded). */
  public metricPartitionCountExceeded(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('PartitionCountExceeded', { statistic: 'Maximum', ...props });
  }

  /** Records read from the source stream or topic (sum). */
  public metricIncomingRecords(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const name =
      this.sourceKind === 'msk' ? 'DataReadFromSource.Records' : 'DataReadFromKinesisStream.Records';
    return this.metric(name, { statistic: 'Sum', ...props });
  }

  /** MSK source: records between the newest offset of the topic and the newest Firehose read (maximum). */
  public metricKafkaOffsetLag(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('KafkaOffsetLag', { statistic: 'Maximum', ...props });
  }

  /**
   * MSK source: 1 while reading is held back, by the per-partition read limit (`BytesPerSecondLimit`) or by slow
   * delivery (maximum).
   */
  public metricSourceBackpressured(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('DataReadFromSource.Backpressured', { statistic: 'Maximum', ...props });
  }

  /** MSK source: records that failed Firehose's record validation (sum). */
  public metricFailedValidationRecords(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('FailedValidation.Records', { statistic: 'Sum', ...props });
  }

  /** MSK source: how long the cluster takes to return records, milliseconds (maximum). */
  public metricSourceThrottledDelay(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('SourceThrottled.Delay', { statistic: 'Maximum', ...props });
  }

  /** How far behind the source stream's tip Firehose reads, milliseconds (maximum). */
  public metricKinesisMillisBehindLatest(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('KinesisMillisBehindLatest', { statistic: 'Maximum', ...props });
  }
}
