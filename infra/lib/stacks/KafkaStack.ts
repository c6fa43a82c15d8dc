import { ArnFormat, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import type { Construct } from 'constructs';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import { acknowledge } from '../nag.js';
import { kafkaClusterName, resourcePrefix } from '../naming.js';
import type { NetworkStack } from './NetworkStack.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** Props of {@link KafkaStack}. */
export interface KafkaStackProps extends GridstreamStackProps {
  readonly network: NetworkStack;
  /** Key of the broker log group (provisioned clusters). */
  readonly opsKey: kms.IKey;
}

/** Port of IAM-authenticated clients inside the VPC (TLS). */
export const MSK_IAM_PORT = 9098;
/** Ports of multi-VPC private connectivity with IAM: Firehose's private connection reaches the brokers here. */
export const MSK_MULTI_VPC_IAM_PORTS = { from: 14001, to: 14100 } as const;

/**
 * Amazon MSK (`msk.enabled`), Serverless or provisioned (`msk.mode`): IAM authentication only, TLS in transit,
 * reachable from inside the VPC, and from Firehose through multi-VPC private connectivity (a cluster policy
 * lets the Firehose service create its VPC connection; no public access). Holds the producer policy and role:
 * connect, idempotent writes and topic description on the dataset topics (`msk.topics`), nothing else.
 */
export class KafkaStack extends Stack {
  /** The cluster (Serverless or provisioned). */
  public readonly cluster: msk.CfnServerlessCluster | msk.CfnCluster;
  /** ARN of the cluster. */
  public readonly clusterArn: string;
  /** Name of the cluster (the `Cluster Name` dimension of MSK's metrics). */
  public readonly clusterName: string;
  /** Topic of each dataset. */
  public readonly topics: { readonly [D in Dataset]: string };
  /** ARN of each dataset's topic, for IAM (`arn:…:topic/<cluster name>/<cluster uuid>/<topic>`). */
  public readonly topicArns: { readonly [D in Dataset]: string };
  /** Security group clients must be in (or allowed by). */
  public readonly clientSecurityGroup: ec2.SecurityGroup;
  /** What a producer needs: connect, idempotent writes and describe on the dataset topics. */
  public readonly producerPolicy: iam.ManagedPolicy;
  /** A role with {@link producerPolicy}, assumable by ECS tasks and by principals of this account. */
  public readonly producerRole: iam.Role;
  /** The policy letting Firehose open its private connection to the cluster. */
  public readonly clusterPolicy: msk.CfnClusterPolicy;

  public constructor(scope: Construct, id: string, props: KafkaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const vpc = props.network.vpc;
    const prefix = resourcePrefix(config.envName);
    this.clusterName = kafkaClusterName(config.envName);
    this.topics = { ...config.msk.topics };

    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc,
      description: `MSK ${config.msk.mode.toLowerCase()}: IAM-authenticated Kafka from inside the VPC`,
      allowAllOutbound: false,
    });
    this.clientSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(vpc.vpcCidrBlock),
      ec2.Port.tcp(MSK_IAM_PORT),
      'Kafka clients (IAM auth)',
    );
    // Firehose's private connection is a PrivateLink endpoint whose load balancer sits in this VPC.
    this.clientSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(vpc.vpcCidrBlock),
      ec2.Port.tcpRange(MSK_MULTI_VPC_IAM_PORTS.from, MSK_MULTI_VPC_IAM_PORTS.to),
      'Multi-VPC private connectivity (IAM auth): Firehose',
    );
    acknowledge(
      this.clientSecurityGroup,
      'AwsSolutions-EC23',
      'Ingress is from the VPC CIDR only; cdk-nag cannot resolve the CIDR token and reports it as open.',
    );
    const subnetIds = vpc.isolatedSubnets.map((s) => s.subnetId);

    if (config.msk.mode === 'PROVISIONED') {
      const key = new kms.Key(this, 'DataKey', {
        description: `${prefix}: MSK broker volumes`,
        enableKeyRotation: true,
        removalPolicy: removalPolicyOf(config),
      });
      const brokerLogs = new logs.LogGroup(this, 'BrokerLogs', {
        logGroupName: `/aws/msk/${this.clusterName}`,
        retention: logs.RetentionDays.ONE_MONTH,
        encryptionKey: props.opsKey,
        removalPolicy: removalPolicyOf(config),
      });
      const cluster = new msk.CfnCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        kafkaVersion: config.msk.kafkaVersion,
        numberOfBrokerNodes: config.msk.brokersPerAz * subnetIds.length,
        brokerNodeGroupInfo: {
          instanceType: config.msk.brokerInstanceType,
          clientSubnets: subnetIds,
          securityGroups: [this.clientSecurityGroup.securityGroupId],
          storageInfo: { ebsStorageInfo: { volumeSize: config.msk.volumeSizeGiB } },
          connectivityInfo: {
            publicAccess: { type: 'DISABLED' },
            vpcConnectivity: { clientAuthentication: { sasl: { iam: { enabled: true } } } },
          },
        },
        clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
        encryptionInfo: {
          encryptionAtRest: { dataVolumeKmsKeyId: key.keyArn },
          encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
        },
        // DEFAULT carries the consumer-lag metrics (MaxOffsetLag, SumOffsetLag, EstimatedMaxTimeLag) at no cost.
        enhancedMonitoring: 'DEFAULT',
        loggingInfo: {
          brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } },
        },
      });
      this.cluster = cluster;
      this.clusterArn = cluster.attrArn;
    } else {
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [this.clientSecurityGroup.securityGroupId] }],
      });
      this.cluster = cluster;
      this.clusterArn = cluster.attrArn;
    }

    // arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid> → …:topic/<name>/<uuid>/<topic>
    const clusterUuid = Fn.select(2, Fn.split('/', this.clusterArn));
    const topicArn = (topic: string) =>
      this.formatArn({
        service: 'kafka',
        resource: 'topic',
        resourceName: `${this.clusterName}/${clusterUuid}/${topic}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.topicArns = Object.fromEntries(
      DATASETS.map((d) => [d, topicArn(this.topics[d])]),
    ) as KafkaStack['topicArns'];

    this.clusterPolicy = new msk.CfnClusterPolicy(this, 'FirehoseAccess', {
      clusterArn: this.clusterArn,
      policy: {
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
            Resource: this.clusterArn,
            // Only delivery streams of this account (confused-deputy protection).
            Condition: { StringEquals: { 'aws:SourceAccount': this.account } },
          },
        ],
      },
    });

    this.producerPolicy = new iam.ManagedPolicy(this, 'ProducerPolicy', {
      managedPolicyName: `${prefix}-kafka-producer`,
      description: `Write the ${prefix} dataset topics through MSK IAM authentication`,
      statements: [
        new iam.PolicyStatement({
          sid: 'Cluster',
          // WriteDataIdempotently: the Kafka sink's idempotent producer (acks=all, sequence numbers).
          actions: [
            'kafka:GetBootstrapBrokers',
            'kafka-cluster:Connect',
            'kafka-cluster:WriteDataIdempotently',
          ],
          resources: [this.clusterArn],
        }),
        new iam.PolicyStatement({
          sid: 'DatasetTopics',
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
          resources: DATASETS.map((d) => this.topicArns[d]),
        }),
      ],
    });
    this.producerRole = new iam.Role(this, 'ProducerRole', {
      roleName: `${prefix}-kafka-producer`,
      description: `Producers writing the ${prefix} dataset topics (ECS tasks, or principals of this account)`,
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
        new iam.AccountPrincipal(this.account),
      ),
      managedPolicies: [this.producerPolicy],
    });

    new CfnOutput(this, 'ClusterArn', {
      value: this.clusterArn,
      description: 'aws kafka get-bootstrap-brokers --cluster-arn <this> gives the IAM bootstrap brokers',
    });
    new CfnOutput(this, 'ProducerRoleArn', { value: this.producerRole.roleArn });
    new CfnOutput(this, 'Topics', { value: DATASETS.map((d) => `${d}=${this.topics[d]}`).join(',') });
  }
}
