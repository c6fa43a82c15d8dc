import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as msk from 'aws-cdk-lib/aws-msk';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { resourcePrefix } from '../naming.js';
import type { NetworkStack } from './NetworkStack.js';
import type { GridstreamStackProps } from './types.js';

/** Props of {@link KafkaStack}. */
export interface KafkaStackProps extends GridstreamStackProps {
  readonly network: NetworkStack;
}

/**
 * Amazon MSK Serverless (`msk.enabled`, off by default): the cluster alone. Nothing in gridstream produces
 * to it or reads from it yet (the Kafka transport is a later issue). IAM authentication only, TLS in
 * transit, reachable from inside the VPC only.
 */
export class KafkaStack extends Stack {
  /** The cluster. */
  public readonly cluster: msk.CfnServerlessCluster;
  /** Security group clients must be in (or allowed by). */
  public readonly clientSecurityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: KafkaStackProps) {
    super(scope, id, props);
    const vpc = props.network.vpc;
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc,
      description: 'MSK Serverless: IAM-authenticated Kafka (9098) from inside the VPC',
      allowAllOutbound: false,
    });
    this.clientSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(vpc.vpcCidrBlock),
      ec2.Port.tcp(9098),
      'Kafka clients (IAM auth)',
    );
    acknowledge(
      this.clientSecurityGroup,
      'AwsSolutions-EC23',
      'Ingress is from the VPC CIDR only; cdk-nag cannot resolve the CIDR token and reports it as open.',
    );
    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: `${resourcePrefix(props.config.envName)}-kafka`,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId),
          securityGroups: [this.clientSecurityGroup.securityGroupId],
        },
      ],
    });
  }
}
