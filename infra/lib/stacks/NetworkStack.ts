import { Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** Props of {@link NetworkStack}. */
export interface NetworkStackProps extends GridstreamStackProps {
  /** Key of the flow-log group. */
  readonly opsKey: kms.IKey;
}

/**
 * A VPC without internet access for the Fargate producers, Redshift Serverless and MSK: private isolated
 * subnets in three Availability Zones (Redshift Serverless needs three), VPC endpoints for the AWS APIs the
 * workloads call (Kinesis, ECR, CloudWatch Logs, Glue, S3), and flow logs. No NAT gateway to pay for.
 */
export class NetworkStack extends Stack {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;

  public constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config, opsKey } = props;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 3,
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: opsKey,
      removalPolicy: removalPolicyOf(config),
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Kinesis: ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Glue: ec2.InterfaceVpcEndpointAwsService.GLUE,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      // Two AZs keep the endpoints highly available at two thirds of the hourly cost; the third AZ's
      // subnet reaches them through private DNS.
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        subnets: { subnets: this.vpc.isolatedSubnets.slice(0, 2) },
      });
      acknowledge(
        endpoint,
        'AwsSolutions-EC23',
        'The endpoint security group admits HTTPS from the VPC CIDR only; cdk-nag cannot resolve the CIDR token and reports it as open.',
      );
    }
  }

  /**
   * Three Availability Zones of whatever region the stack is deployed to (the stack is environment-agnostic,
   * and the default would give two).
   */
  public override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}
