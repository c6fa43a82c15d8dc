import { Duration, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRIC_SERVICES, METRICS_NAMESPACE } from '../../../common/metrics.js';
import { ENV } from '../../../lambda/constants.js';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import { GridstreamFunction } from '../constructs/GridstreamFunction.js';
import { LakeDeliveryStream } from '../constructs/LakeDeliveryStream.js';
import { LakeFormationGrants, TABLE_READ } from '../constructs/lakeFormation.js';
import { InfraValidationError } from '../errors.js';
import { catalogTableName, deliveryStreamName, resourcePrefix } from '../naming.js';
import type { KafkaStack } from './KafkaStack.js';
import type { LakeStack } from './LakeStack.js';
import type { StreamsStack } from './StreamsStack.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** Props of {@link IngestionStack}. */
export interface IngestionStackProps extends GridstreamStackProps {
  readonly streams: StreamsStack;
  readonly lake: LakeStack;
  /** Key of the log groups and Lambda environments. */
  readonly opsKey: kms.IKey;
  /**
   * The MSK cluster the delivery streams read from when `firehose.source` is `MSK`.
   * @default none (required with the MSK source)
   */
  readonly kafka?: KafkaStack;
}

/**
 * Kinesis (or MSK, `firehose.source`) → Firehose → raw zone, one delivery stream per dataset, plus the contract-validating transformation
 * Lambda (on by default, `firehose.transformLambda`): bad records are written under
 * `errors/processing-failed/` with the reason in the function's log, instead of failing Parquet
 * conversion without one.
 */
export class IngestionStack extends Stack {
  /** The delivery stream of each dataset. */
  public readonly deliveryStreams: { readonly [D in Dataset]: LakeDeliveryStream };
  /** The transformation Lambda, when enabled. */
  public readonly transform?: GridstreamFunction;

  public constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);
    const { config, streams, lake, opsKey, kafka } = props;
    if (config.firehose.source === 'MSK' && !kafka) {
      throw new InfraValidationError(this.node.path, 'firehose.source MSK needs the Kafka stack, got none');
    }
    // Firehose checks on creation that it may open its private connection (the cluster policy is there).
    if (config.firehose.source === 'MSK' && kafka)
      this.addStackDependency(kafka, 'cluster policy for Firehose');
    const removalPolicy = removalPolicyOf(config);
    const logGroup = new logs.LogGroup(this, 'FirehoseLogs', {
      logGroupName: `/aws/kinesisfirehose/${resourcePrefix(config.envName)}`,
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: opsKey,
      removalPolicy,
    });
    const names = Object.fromEntries(DATASETS.map((d) => [deliveryStreamName(config.envName, d), d]));
    if (config.firehose.transformLambda) {
      this.transform = new GridstreamFunction(this, 'Transform', {
        entry: 'lambda/firehoseTransform.ts',
        description: `gridstream ${config.envName}: validates Firehose records against their contract`,
        encryptionKey: opsKey,
        memorySize: 512,
        // Firehose waits up to 5 minutes for a transformation; a 1 MiB batch validates in well under a second.
        timeout: Duration.minutes(1),
        environment: {
          [ENV.deliveryStreams]: JSON.stringify(names),
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_SERVICE_NAME: METRIC_SERVICES.firehoseTransform,
        },
        removalPolicy,
      });
    }
    const make = (dataset: Dataset) => {
      const stream = new LakeDeliveryStream(this, `${dataset[0]!.toUpperCase()}${dataset.slice(1)}Delivery`, {
        dataset,
        deliveryStreamName: deliveryStreamName(config.envName, dataset),
        ...(config.firehose.source === 'MSK' && kafka
          ? {
              mskSource: {
                clusterArn: kafka.clusterArn,
                topicName: kafka.topics[dataset],
                topicArn: kafka.topicArns[dataset],
              },
            }
          : { sourceStream: streams.streams[dataset] }),
        bucket: lake.rawBucket,
        dataKey: lake.dataKey,
        table: {
          catalogId: this.account,
          databaseName: lake.databaseName,
          tableName: catalogTableName('raw', dataset),
        },
        logGroup,
        bufferingHints: {
          sizeMiB: config.firehose.bufferSizeMiB,
          intervalSeconds: config.firehose.bufferIntervalSeconds,
        },
        ...(this.transform ? { transformFunction: this.transform.function } : {}),
      });
      if (config.lakeFormation.enabled) {
        const lf = new LakeFormationGrants(this, `${dataset}FirehoseLf`, {
          role: stream.role,
          databaseName: lake.databaseName,
          tables: { [catalogTableName('raw', dataset)]: TABLE_READ },
        });
        for (const grant of lf.grants) stream.resource.addResourceDependency(grant);
      }
      return stream;
    };
    this.deliveryStreams = Object.fromEntries(
      DATASETS.map((d) => [d, make(d)]),
    ) as IngestionStack['deliveryStreams'];
  }
}
