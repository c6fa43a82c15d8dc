import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { resourcePrefix } from '../naming.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/**
 * What every other stack shares: the operations key (CloudWatch Logs, Lambda environment variables, SNS topics,
 * SQS dead-letter queues) and the alarm topic.
 */
export class FoundationStack extends Stack {
  /** Customer-managed key (rotated yearly) for operational data: logs, topics, queues, Lambda environments. */
  public readonly opsKey: kms.Key;
  /** Topic every alarm and Glue job failure notifies. */
  public readonly alarmTopic: sns.Topic;

  public constructor(scope: Construct, id: string, props: GridstreamStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = resourcePrefix(config.envName);
    this.opsKey = new kms.Key(this, 'OpsKey', {
      alias: `alias/${prefix}-ops`,
      description: `gridstream ${config.envName}: CloudWatch Logs, SNS, SQS and Lambda environment encryption`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyOf(config),
    });
    // CloudWatch Logs encrypts log groups of this account and region only.
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms and EventBridge rules publish to the encrypted topics.
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmAndEventPublishers',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      displayName: `gridstream ${config.envName} alarms`,
      masterKey: this.opsKey,
      enforceSSL: true,
    });
    if (config.alarmEmail !== '') {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
  }
}
