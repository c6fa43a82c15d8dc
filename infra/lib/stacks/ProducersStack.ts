import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, IgnoreMode, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { METRICS_ENV, METRICS_NAMESPACE } from '../../../common/metrics.js';
import { ENV } from '../../../lambda/constants.js';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import { REPO_ROOT } from '../constants.js';
import { GridstreamFunction } from '../constructs/GridstreamFunction.js';
import { InfraValidationError } from '../errors.js';
import { acknowledge } from '../nag.js';
import { kinesisStreamName, resourcePrefix } from '../naming.js';
import type { NetworkStack } from './NetworkStack.js';
import type { StreamsStack } from './StreamsStack.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** Props of {@link ProducersStack}. */
export interface ProducersStackProps extends GridstreamStackProps {
  readonly streams: StreamsStack;
  /** Key of the log groups and Lambda environments. */
  readonly opsKey: kms.IKey;
  /** Required when the Fargate producers are enabled. */
  readonly network?: NetworkStack;
  /**
   * The poller Lambdas.
   * @default POLLERS (Open-Meteo, ERCOT)
   */
  readonly pollers?: readonly PollerSpec[];
}

/** A scheduled poller Lambda: its handler and the dataset it writes. */
export interface PollerSpec {
  readonly name: string;
  readonly entry: string;
  readonly dataset: Dataset;
  readonly description: string;
}

/** The poller Lambdas (handlers in lambda, sources in producers/sources). */
export const POLLERS: readonly PollerSpec[] = [
  {
    name: 'OpenMeteo',
    entry: 'lambda/openMeteoPoller.ts',
    dataset: 'weather',
    description: 'polls Open-Meteo for observations and forecasts',
  },
  {
    name: 'Ercot',
    entry: 'lambda/ercotPoller.ts',
    dataset: 'grid',
    description: 'polls ERCOT for settlement-point prices and system conditions',
  },
];

/** Writable directory of the producer container (a task volume; the root file system is read-only). */
export const PRODUCER_SCRATCH_DIR = '/var/lib/gridstream';

/**
 * The folders the CLI build compiles (tsconfig.build.json's "include", the one list of them): the image
 * builds its dist/ from these.
 */
function cliBuildFolders(): string[] {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as {
    include: string[];
  };
  return config.include;
}

/** Files of the repository the producer image needs (everything else stays out of the Docker context). */
export const PRODUCER_IMAGE_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build.mjs',
  ...cliBuildFolders().map((folder) => `${folder}/**`),
  'infra/docker/**',
];

/**
 * Least-privilege write access to streams: PutRecords/PutRecord (the sink), ListShards and
 * DescribeStreamSummary (shard map and existence check), and GenerateDataKey on the stream key.
 */
export function grantStreamWrite(
  grantee: iam.IGrantable,
  streams: readonly kinesis.IStream[],
  key: kms.IKey,
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PutRecords',
      actions: [
        'kinesis:PutRecords',
        'kinesis:PutRecord',
        'kinesis:ListShards',
        'kinesis:DescribeStreamSummary',
      ],
      resources: streams.map((s) => s.streamArn),
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'StreamKey', actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }),
  );
}

/**
 * Producers in AWS: the Open-Meteo and ERCOT pollers as Lambdas on EventBridge schedules, and the continuous
 * synthetic producers (`gridstream produce`) as an ECS Fargate service in the isolated VPC (Kinesis through
 * its VPC endpoint). The container image is built from the repository by `cdk deploy` (Docker needed then,
 * never at synth).
 */
export class ProducersStack extends Stack {
  /** Poller functions, by name. */
  public readonly pollers: Readonly<Record<string, GridstreamFunction>>;
  /** Secret the ERCOT poller reads its API credentials from (filled by an operator), when pollers are enabled. */
  public readonly ercotSecret?: secretsmanager.Secret;
  /** The Fargate service, when enabled. */
  public readonly service?: ecs.FargateService;
  /** The datasets a producer of this stack writes (their producer metrics exist; MonitoringStack alarms on them). */
  public readonly datasets: readonly Dataset[];

  public constructor(scope: Construct, id: string, props: ProducersStackProps) {
    super(scope, id, props);
    const { config, streams, opsKey } = props;
    const prefix = resourcePrefix(config.envName);
    const removalPolicy = removalPolicyOf(config);

    const pollers: Record<string, GridstreamFunction> = {};
    const datasets = new Set<Dataset>();
    if (config.producers.pollers) {
      this.ercotSecret = new secretsmanager.Secret(this, 'ErcotApiSecret', {
        secretName: `${prefix}/ercot-api`,
        description:
          'ERCOT Public API credentials for the ERCOT poller: JSON {subscriptionKey, accessToken} or {subscriptionKey, tokenUrl, clientId, scope, username, password}',
        encryptionKey: opsKey,
        removalPolicy,
      });
      new CfnOutput(this, 'ErcotSecretName', {
        value: `${prefix}/ercot-api`,
        description: 'Put the ERCOT API credentials here (docs/DEPLOY.md)',
      });
      acknowledge(
        this.ercotSecret,
        'AwsSolutions-SMG4',
        'Third-party API credentials issued by the ERCOT portal; they are rotated there and written here by an operator (docs/DEPLOY.md), so no Lambda rotation applies.',
      );
      const schedules: Record<string, string> = {
        OpenMeteo: config.producers.openMeteoSchedule,
        Ercot: config.producers.ercotSchedule,
      };
      const scheduleOf = (name: string) => schedules[name] ?? config.producers.openMeteoSchedule;
      for (const spec of props.pollers ?? POLLERS) {
        if (!existsSync(join(REPO_ROOT, spec.entry))) {
          throw new InfraValidationError(
            this.node.path,
            `poller ${spec.name}: handler ${spec.entry} does not exist`,
          );
        }
        const fn = new GridstreamFunction(this, `${spec.name}Poller`, {
          entry: spec.entry,
          description: `gridstream ${config.envName}: ${spec.description}`,
          encryptionKey: opsKey,
          timeout: Duration.minutes(2),
          environment: {
            [ENV.streams]: JSON.stringify({
              [kinesisStreamName(config.envName, spec.dataset)]: spec.dataset,
            }),
            POWERTOOLS_SERVICE_NAME: `${spec.name.toLowerCase()}-poller`,
            POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          },
          removalPolicy,
        });
        grantStreamWrite(fn.role, [streams.streams[spec.dataset]], streams.streamKey);
        if (spec.name === 'Ercot') {
          fn.function.addEnvironment(ENV.ercotSecretId, this.ercotSecret.secretArn);
          fn.role.addToPrincipalPolicy(
            new iam.PolicyStatement({
              sid: 'ReadCredentials',
              actions: ['secretsmanager:GetSecretValue'],
              resources: [this.ercotSecret.secretArn],
            }),
          );
          fn.role.addToPrincipalPolicy(
            new iam.PolicyStatement({
              sid: 'SecretKey',
              actions: ['kms:Decrypt'],
              resources: [opsKey.keyArn],
            }),
          );
        }
        new events.Rule(this, `${spec.name}Schedule`, {
          ruleName: `${prefix}-${spec.name.toLowerCase()}-poller`,
          description: `Runs the ${spec.name} poller`,
          schedule: events.Schedule.expression(scheduleOf(spec.name)),
          targets: [
            new targets.LambdaFunction(fn.function, { retryAttempts: 2, maxEventAge: Duration.minutes(30) }),
          ],
        });
        pollers[spec.name] = fn;
        datasets.add(spec.dataset);
      }
    }
    this.pollers = pollers;

    if (config.producers.fargate) {
      if (!props.network)
        throw new InfraValidationError(this.node.path, 'the Fargate producers need the network stack');
      const vpc = props.network.vpc;
      const cluster = new ecs.Cluster(this, 'Cluster', {
        clusterName: `${prefix}-producers`,
        vpc,
        containerInsightsV2: ecs.ContainerInsights.ENABLED,
      });
      const taskDefinition = new ecs.FargateTaskDefinition(this, 'ProducerTask', {
        cpu: 512,
        memoryLimitMiB: 1024,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
        volumes: [{ name: 'scratch' }],
      });
      const logGroup = new logs.LogGroup(this, 'ProducerLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        encryptionKey: opsKey,
        removalPolicy,
      });
      const container = taskDefinition.addContainer('producer', {
        image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
          file: 'infra/docker/producer.Dockerfile',
          ignoreMode: IgnoreMode.DOCKER,
          exclude: ['**', ...PRODUCER_IMAGE_FILES.map((f) => `!${f}`), '**/node_modules', '**/*.test.ts'],
        }),
        command: [
          '--dataset',
          'all',
          '--rate',
          String(config.producers.eventsPerSecond),
          '--stream',
          `${prefix}-{dataset}`,
          '--endpoint',
          `https://kinesis.${this.region}.${this.urlSuffix}`,
          '--reject-file',
          `${PRODUCER_SCRATCH_DIR}/rejects.jsonl`,
        ],
        // The sink's counts as EMF on stdout: CloudWatch Logs turns them into the producer metrics.
        environment: { [METRICS_ENV]: 'emf' },
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'producer' }),
        readonlyRootFilesystem: true,
        essential: true,
      });
      container.addMountPoints({
        containerPath: PRODUCER_SCRATCH_DIR,
        sourceVolume: 'scratch',
        readOnly: false,
      });
      acknowledge(
        taskDefinition.obtainExecutionRole(),
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource-level permissions; image pulls are limited to the CDK assets repository.',
      );
      acknowledge(
        taskDefinition,
        'AwsSolutions-ECS2',
        'The environment holds no secrets (dataset names, rates, endpoints); credentials come from the task role.',
      );
      grantStreamWrite(
        taskDefinition.taskRole,
        DATASETS.map((d) => streams.streams[d]),
        streams.streamKey,
      );
      const securityGroup = new ec2.SecurityGroup(this, 'ProducerSecurityGroup', {
        vpc,
        description: 'gridstream producers: HTTPS to the VPC endpoints only',
        allowAllOutbound: false,
      });
      securityGroup.addEgressRule(
        ec2.Peer.ipv4(vpc.vpcCidrBlock),
        ec2.Port.tcp(443),
        'Kinesis, ECR and Logs endpoints',
      );
      securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'ECR image layers through the S3 gateway endpoint',
      );
      this.service = new ecs.FargateService(this, 'ProducerService', {
        serviceName: `${prefix}-producers`,
        cluster,
        taskDefinition,
        desiredCount: config.producers.desiredCount,
        assignPublicIp: false,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [securityGroup],
        circuitBreaker: { enable: true, rollback: true },
        minHealthyPercent: 0,
        maxHealthyPercent: 200,
      });
      for (const d of DATASETS) datasets.add(d);
    }
    this.datasets = DATASETS.filter((d) => datasets.has(d));
  }
}
