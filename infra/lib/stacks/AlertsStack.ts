import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC_SERVICES, METRICS_NAMESPACE } from '../../../common/metrics.js';
import { ENV } from '../../../lambda/constants.js';
import { THRESHOLD_ENV_VARS } from '../../../stream-processors/alerts/index.js';
import { GridstreamFunction } from '../constructs/GridstreamFunction.js';
import { acknowledge } from '../nag.js';
import { kinesisStreamName, resourcePrefix } from '../naming.js';
import type { StreamsStack } from './StreamsStack.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** Props of {@link AlertsStack}. */
export interface AlertsStackProps extends GridstreamStackProps {
  readonly streams: StreamsStack;
  /** Key of the topic, queue, log group and Lambda environment. */
  readonly opsKey: kms.IKey;
}

/**
 * An SQS on-failure destination for an event source mapping whose grant names exact actions
 * (`sqs:SendMessage`, `kms:GenerateDataKey`, `kms:Decrypt`) instead of the wildcard grant of `SqsDlq`.
 */
class QueueDestination implements lambda.IEventSourceDlq {
  public constructor(
    private readonly queue: sqs.IQueue,
    private readonly key: kms.IKey,
  ) {}

  public bind(
    _target: lambda.IEventSourceMapping,
    targetHandler: lambda.IFunction,
  ): lambda.DlqDestinationConfig {
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeadLetterKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
      }),
    );
    return { destination: this.queue.queueArn };
  }
}

/** Datasets the alert consumer reads (weather raises no alerts). */
export const ALERT_DATASETS = ['grid', 'transactions'] as const;

/**
 * Real-time alerts: a Lambda consuming the grid and transactions streams (KPL aggregates de-aggregated in the
 * function), evaluating `evaluateAlerts` and publishing to an SNS topic. Partial batch failures are reported
 * (`ReportBatchItemFailures`); records still failing after the retries go to an SQS dead-letter queue.
 */
export class AlertsStack extends Stack {
  /** Topic alerts are published to (subscribers filter on the `kind`, `severity`, `dataset` attributes). */
  public readonly alertTopic: sns.Topic;
  /** Where records that keep failing end up (their shard/sequence metadata, not the payload). */
  public readonly deadLetterQueue: sqs.Queue;
  /** The consumer. */
  public readonly consumer: GridstreamFunction;

  public constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    const { config, streams, opsKey } = props;
    const prefix = resourcePrefix(config.envName);
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      topicName: `${prefix}-alerts`,
      displayName: `gridstream ${config.envName} real-time alerts`,
      masterKey: opsKey,
      enforceSSL: true,
    });
    new CfnOutput(this, 'AlertTopicArn', {
      value: this.alertTopic.topicArn,
      description: 'Subscribe here for real-time alerts',
    });
    this.deadLetterQueue = new sqs.Queue(this, 'ConsumerDlq', {
      queueName: `${prefix}-alert-consumer-dlq`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: opsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: removalPolicyOf(config),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination of the alert consumer; it needs no DLQ of its own.',
    );

    const thresholds = Object.fromEntries(
      Object.entries(THRESHOLD_ENV_VARS).map(([k, v]) => [
        v,
        String(config.alerts[k as keyof typeof config.alerts]),
      ]),
    );
    this.consumer = new GridstreamFunction(this, 'Consumer', {
      entry: 'lambda/alertConsumer.ts',
      description: `gridstream ${config.envName}: real-time price-spike and large-trade alerts`,
      encryptionKey: opsKey,
      memorySize: 256,
      timeout: Duration.seconds(60),
      environment: {
        [ENV.streams]: JSON.stringify(
          Object.fromEntries(ALERT_DATASETS.map((d) => [kinesisStreamName(config.envName, d), d])),
        ),
        [ENV.alertTopicArn]: this.alertTopic.topicArn,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_SERVICE_NAME: METRIC_SERVICES.alertConsumer,
        ...thresholds,
      },
      removalPolicy: removalPolicyOf(config),
    });
    this.consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
      }),
    );
    this.consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TopicKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [opsKey.keyArn],
      }),
    );
    for (const dataset of ALERT_DATASETS) {
      this.consumer.function.addEventSource(
        new KinesisEventSource(streams.streams[dataset], {
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(5),
          bisectBatchOnError: true,
          retryAttempts: 3,
          maxRecordAge: Duration.hours(1),
          reportBatchItemFailures: true,
          onFailure: new QueueDestination(this.deadLetterQueue, opsKey),
          parallelizationFactor: 1,
        }),
      );
    }
  }
}
