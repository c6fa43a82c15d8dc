import { CfnOutput, Duration, Fn, IgnoreMode, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  LOAD_WORKER_CONTAINER,
  LOAD_WORKER_RESULTS_PREFIX,
  LOAD_WORKER_SCRATCH_DIR,
  LOAD_WORKER_STOP_TIMEOUT_SECONDS,
  LOAD_WORKER_TAGS,
  loadWorkerFamily,
} from '../../../common/loadWorkerTask.js';
import { DATASETS } from '../../../schemas/index.js';
import { REPO_ROOT } from '../constants.js';
import { InfraValidationError } from '../errors.js';
import { acknowledge } from '../nag.js';
import { resourcePrefix } from '../naming.js';
import { type KafkaStack, MSK_IAM_PORT } from './KafkaStack.js';
import type { LakeStack } from './LakeStack.js';
import type { NetworkStack } from './NetworkStack.js';
import { grantStreamWrite, PRODUCER_IMAGE_FILES } from './ProducersStack.js';
import type { StreamsStack } from './StreamsStack.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** Props of {@link LoadtestStack}. */
export interface LoadtestStackProps extends GridstreamStackProps {
  readonly streams: StreamsStack;
  /** Holds the results bucket (`loadtestResultsBucket`). */
  readonly lake: LakeStack;
  /** The tasks run in its private isolated subnets (AWS APIs through its endpoints). */
  readonly network: NetworkStack;
  /** Key of the log group. */
  readonly opsKey: kms.IKey;
  /**
   * The MSK cluster, when deployed: the task role gets its producer policy and the tasks may reach its brokers.
   * @default no Kafka access
   */
  readonly kafka?: KafkaStack;
}

/**
 * Files of the repository the load-worker image needs: the producer image's, plus the harness (its scenarios,
 * schema and price table) and sql/ (read at run time from the package root).
 */
export const LOADWORKER_IMAGE_FILES = [
  ...new Set([
    ...PRODUCER_IMAGE_FILES.filter((f) => f !== 'infra/docker/**'),
    'loadtest/**',
    'sql/**',
    'infra/docker/loadworker.Dockerfile',
  ]),
];

/**
 * Load workers at scale (`gridstream loadtest run --workers N --on ecs`, docs/LOADTEST.md): a Fargate task
 * definition whose container runs `gridstream loadtest worker` (each RunTask gives its arguments), a cluster
 * (or an existing one by name), access to the results bucket (the lake stack's, under `runs/`), a log
 * group, and a security group with HTTPS to the VPC endpoints only. Nothing runs until a load test starts
 * tasks. The task definition's tags tell the launcher the cluster, subnets, security group and results
 * prefix (`describeLoadWorkerTarget`), so `--on ecs` needs only the environment's name.
 */
export class LoadtestStack extends Stack {
  /** The cluster the tasks run in. */
  public readonly cluster: ecs.ICluster;
  /** The load-worker task definition (family `gridstream-<env>-loadworker`). */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Bucket of the runs' files (scenario, worker results) under `runs/<run id>/`. */
  public readonly resultsBucket: s3.Bucket;
  /** `s3://<results bucket>/runs`: a run's prefix is `<this>/<run id>`. */
  public readonly resultsBase: string;
  /** Security group of the tasks. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Log group of the workers' output. */
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: LoadtestStackProps) {
    super(scope, id, props);
    const { config, streams, network, opsKey, kafka } = props;
    const settings = config.loadtest;
    const prefix = resourcePrefix(config.envName);
    const removalPolicy = removalPolicyOf(config);
    const vpc = network.vpc;

    this.cluster =
      settings.clusterName === ''
        ? new ecs.Cluster(this, 'Cluster', {
            clusterName: `${prefix}-loadtest`,
            vpc,
            containerInsightsV2: ecs.ContainerInsights.ENABLED,
          })
        : ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
            clusterName: settings.clusterName,
            vpc,
            securityGroups: [],
          });

    if (!props.lake.loadtestResultsBucket) {
      throw new InfraValidationError(
        this.node.path,
        'the lake stack has no load-test results bucket (loadtest.enabled is false there)',
      );
    }
    this.resultsBucket = props.lake.loadtestResultsBucket;
    this.resultsBase = `s3://${this.resultsBucket.bucketName}/${LOAD_WORKER_RESULTS_PREFIX}`;

    this.logGroup = new logs.LogGroup(this, 'WorkerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: opsKey,
      removalPolicy,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      family: loadWorkerFamily(config.envName),
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [{ name: 'scratch' }],
    });
    const image =
      settings.imageRepository === ''
        ? ecs.ContainerImage.fromAsset(REPO_ROOT, {
            file: 'infra/docker/loadworker.Dockerfile',
            ignoreMode: IgnoreMode.DOCKER,
            exclude: ['**', ...LOADWORKER_IMAGE_FILES.map((f) => `!${f}`), '**/node_modules', '**/*.test.ts'],
          })
        : ecs.ContainerImage.fromEcrRepository(
            ecr.Repository.fromRepositoryName(this, 'ImageRepository', settings.imageRepository),
            settings.imageTag,
          );
    const container = this.taskDefinition.addContainer(LOAD_WORKER_CONTAINER, {
      containerName: LOAD_WORKER_CONTAINER,
      image,
      // Also the image's entry point; repeated so that an image built elsewhere runs the same command.
      entryPoint: ['node', 'dist/cli/run.js', 'loadtest', 'worker'],
      environment: {
        AWS_REGION: this.region,
        TMPDIR: LOAD_WORKER_SCRATCH_DIR,
        // V8's heap limit below the task's memory, leaving room for buffers and the runtime.
        NODE_OPTIONS: `--max-old-space-size=${Math.floor(settings.memoryMiB * 0.75)}`,
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker' }),
      readonlyRootFilesystem: true,
      // SIGTERM (Ctrl-C of the run, StopTask) → the worker ends its load, writes and uploads its result.
      stopTimeout: Duration.seconds(LOAD_WORKER_STOP_TIMEOUT_SECONDS),
      essential: true,
    });
    container.addMountPoints({
      containerPath: LOAD_WORKER_SCRATCH_DIR,
      sourceVolume: 'scratch',
      readOnly: false,
    });
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions; image pulls are limited to the image repository.',
    );
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds no secrets (region, scratch path, heap size); credentials come from the task role and each run passes its arguments as the command.',
    );

    const taskRole = this.taskDefinition.taskRole;
    grantStreamWrite(
      taskRole,
      DATASETS.map((d) => streams.streams[d]),
      streams.streamKey,
    );
    const runObjects = this.resultsBucket.arnForObjects(`${LOAD_WORKER_RESULTS_PREFIX}/*`);
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunFiles',
        // GetObject: the scenario the launcher uploaded; PutObject: the worker's result file.
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [runObjects],
      }),
    );
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRunFiles',
        // Without it a missing key answers 403 instead of 404.
        actions: ['s3:ListBucket'],
        resources: [this.resultsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${LOAD_WORKER_RESULTS_PREFIX}/*`] } },
      }),
    );
    this.securityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc,
      description: 'gridstream load workers: HTTPS to the VPC endpoints only',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.ipv4(vpc.vpcCidrBlock),
      ec2.Port.tcp(443),
      'Kinesis, ECR and Logs endpoints',
    );
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'S3 (results, ECR image layers) through the S3 gateway endpoint; the subnets have no other route out',
    );
    if (kafka) {
      taskRole.addManagedPolicy(kafka.producerPolicy);
      this.securityGroup.addEgressRule(
        ec2.Peer.ipv4(vpc.vpcCidrBlock),
        ec2.Port.tcp(MSK_IAM_PORT),
        'MSK brokers (IAM auth)',
      );
    }

    const subnets = vpc.isolatedSubnets.map((s) => s.subnetId);
    const cfnTask = this.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    const tags: Record<string, string> = {
      [LOAD_WORKER_TAGS.cluster]: this.cluster.clusterName,
      [LOAD_WORKER_TAGS.subnets]: Fn.join(' ', subnets),
      [LOAD_WORKER_TAGS.securityGroups]: this.securityGroup.securityGroupId,
      [LOAD_WORKER_TAGS.results]: this.resultsBase,
    };
    for (const [key, value] of Object.entries(tags)) Tags.of(cfnTask).add(key, value);

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'TaskDefinitionFamily', {
      value: loadWorkerFamily(config.envName),
      description:
        'gridstream loadtest run SCENARIO --workers N --on ecs finds everything else from its tags',
    });
    // The subnets and the results prefix are other stacks' outputs (Network, Lake); re-exporting them here
    // is what cfn-lint W6001 warns about. The task definition's tags carry them for the launcher.
    new CfnOutput(this, 'SecurityGroup', { value: this.securityGroup.securityGroupId });
  }
}
