import type { Dataset } from '../../../schemas/index.js';
import type { AlertThresholds } from '../../../stream-processors/alerts/index.js';

/** Capacity mode of the Kinesis data streams. */
export type StreamModeName = 'ON_DEMAND' | 'PROVISIONED';

/** What happens to stateful resources (buckets, keys, streams, logs) when a stack is deleted. */
export type RemovalPolicyName = 'retain' | 'destroy';

/** Glue worker types gridstream allows (Glue 5.0 Spark jobs). */
export type GlueWorkerType = 'G.1X' | 'G.2X' | 'G.4X' | 'G.8X';

/** Kinesis data streams. */
export interface StreamsConfig {
  /** Capacity mode. */
  readonly mode: StreamModeName;
  /** Shards per stream; used only in PROVISIONED mode. */
  readonly shardCount: number;
  /** How long records stay readable, hours (24..8760). */
  readonly retentionHours: number;
}

/** Where the Firehose delivery streams read from. */
export type DeliverySourceName = 'KINESIS' | 'MSK';

/** MSK cluster type. */
export type MskModeName = 'SERVERLESS' | 'PROVISIONED';

/** Firehose delivery streams (Kinesis or MSK → Parquet in the raw zone). */
export interface FirehoseConfig {
  /**
   * Source of the delivery streams: the Kinesis data streams, or one MSK topic per dataset (`msk.topics`; needs
   * `msk.enabled`, and no writer of the Kinesis streams: pollers and Fargate producers off).
   */
  readonly source: DeliverySourceName;
  /** Buffer size before a file is written, MiB (64..128 with format conversion and dynamic partitioning). */
  readonly bufferSizeMiB: number;
  /** Longest time data is buffered, seconds (60..900 with format conversion and dynamic partitioning). */
  readonly bufferIntervalSeconds: number;
  /** Whether the contract-validating transformation Lambda runs before conversion. */
  readonly transformLambda: boolean;
}

/** Lake buckets and tables. */
export interface LakeConfig {
  /** Raw objects move to S3 Standard-IA after this many days (S3 requires >= 30). */
  readonly rawInfrequentAccessDays: number;
  /** Raw objects expire after this many days; 0 keeps them forever. */
  readonly rawExpirationDays: number;
  /** Firehose error records (`errors/`) expire after this many days. */
  readonly errorExpirationDays: number;
  /** Athena query results expire after this many days. */
  readonly athenaResultsExpirationDays: number;
  /** Non-current object versions expire after this many days (versioned buckets). */
  readonly noncurrentVersionExpirationDays: number;
  /** First `dt` of the Athena partition projection range, yyyy-MM-dd (the range ends at NOW). */
  readonly projectionStartDate: string;
  /** How many days back the curation job re-reads raw partitions for late events. */
  readonly latenessDays: number;
}

/** Glue jobs. */
export interface GlueConfig {
  readonly workerType: GlueWorkerType;
  /** Workers per job run (>= 2). */
  readonly numberOfWorkers: number;
  /** Job timeout, minutes. */
  readonly timeoutMinutes: number;
  /** EventBridge-style cron expression of the curation job, UTC. */
  readonly curateSchedule: string;
  /** EventBridge-style cron expression of the compaction job, UTC. */
  readonly compactSchedule: string;
}

/** Athena workgroup. */
export interface AthenaConfig {
  /** A query scanning more than this is cancelled, GiB. */
  readonly bytesScannedCutoffGiB: number;
}

/** Redshift Serverless. */
export interface RedshiftConfig {
  readonly enabled: boolean;
  /** Base capacity, RPU (8..1024 in steps of 8). */
  readonly baseCapacityRpu: number;
}

/** Dataset → Kafka topic name. */
export type MskTopics = { readonly [D in Dataset]: string };

/**
 * Amazon MSK (IAM authentication only, reachable from inside the VPC and through Firehose's private
 * connectivity): the Kafka transport's cluster, the source of the delivery streams when `firehose.source` is
 * `MSK`, and a producer role allowed to write the dataset topics.
 */
export interface MskConfig {
  readonly enabled: boolean;
  /** `SERVERLESS` (pay per partition-hour and GB) or `PROVISIONED` (brokers, storage). */
  readonly mode: MskModeName;
  /** Topic of each dataset; the Kafka sink's defaults are the dataset names. */
  readonly topics: MskTopics;
  /** Consumer groups whose lag on the dataset topics is alarmed on (MSK's `MaxOffsetLag`); Firehose needs none. */
  readonly consumerGroups: readonly string[];
  /** PROVISIONED: Apache Kafka version (`3.9.x`, ...). */
  readonly kafkaVersion: string;
  /** PROVISIONED: broker instance type. */
  readonly brokerInstanceType: string;
  /** PROVISIONED: brokers in each of the three Availability Zones. */
  readonly brokersPerAz: number;
  /** PROVISIONED: EBS storage per broker, GiB. */
  readonly volumeSizeGiB: number;
}

/** Producers running in AWS. */
export interface ProducersConfig {
  /** Whether the scheduled poller Lambdas (Open-Meteo, ERCOT) are deployed. */
  readonly pollers: boolean;
  /** EventBridge schedule of the Open-Meteo poller. */
  readonly openMeteoSchedule: string;
  /** EventBridge schedule of the ERCOT poller. */
  readonly ercotSchedule: string;
  /** Whether the continuous producers run as an ECS Fargate service. */
  readonly fargate: boolean;
  /** Fargate tasks. */
  readonly desiredCount: number;
  /** Synthetic events per second each task produces per dataset. */
  readonly eventsPerSecond: number;
}

/**
 * Load workers on ECS Fargate (`gridstream loadtest run --workers N --on ecs`, docs/LOADTEST.md): a task
 * definition, a cluster, a results bucket; nothing runs (or costs) until a load test starts tasks.
 */
export interface LoadtestConfig {
  /** Whether the load-worker task definition, its cluster and its results bucket are deployed. */
  readonly enabled: boolean;
  /** vCPU units per task (1024 = 1 vCPU): 512, 1024, 2048, 4096, 8192 or 16384 (one worker is one Node process). */
  readonly cpu: number;
  /** Memory per task, MiB, within Fargate's range for `cpu`. */
  readonly memoryMiB: number;
  /** An existing ECS cluster to run the tasks in; empty creates `gridstream-<env>-loadtest`. */
  readonly clusterName: string;
  /** An ECR repository (same account and region) holding a prebuilt image; empty builds the image from the repository at deploy. */
  readonly imageRepository: string;
  /** Tag of the image in `imageRepository`. */
  readonly imageTag: string;
  /** Days after which a run's files in the results bucket expire. */
  readonly resultsExpirationDays: number;
}

/** Lake Formation governance. */
export interface LakeFormationConfig {
  /** Whether the lake's tables are governed by Lake Formation grants instead of IAM alone. */
  readonly enabled: boolean;
  /** Extra Lake Formation administrators (IAM role ARNs), appended to the account's list. */
  readonly adminRoleArns: readonly string[];
  /** Qualifier of the CDK bootstrap stack, to name its CloudFormation execution role as an LF admin. */
  readonly cdkQualifier: string;
}

/** Alarm thresholds. */
export interface MonitoringConfig {
  /** Alarm when a consumer's iterator age exceeds this, milliseconds. */
  readonly iteratorAgeMs: number;
  /** Alarm when Firehose's oldest undelivered record is older than this, seconds. */
  readonly dataFreshnessSeconds: number;
  /** Alarm when PutRecords success (successful / total records) drops below this ratio. */
  readonly putRecordsSuccessRatio: number;
  /** Alarm when a Kafka reader (Firehose's `KafkaOffsetLag`, a consumer group's `MaxOffsetLag`) is this many records behind. */
  readonly kafkaOffsetLag: number;
  /** Alarm when a consumer group's estimated time lag (`EstimatedMaxTimeLag`, provisioned MSK) exceeds this, seconds. */
  readonly kafkaTimeLagSeconds: number;
}

/** The whole deployment configuration of one environment. */
export interface GridstreamConfig {
  /** Environment name: prefixes every physical name (`gridstream-<envName>-...`). */
  readonly envName: string;
  readonly streams: StreamsConfig;
  readonly firehose: FirehoseConfig;
  readonly lake: LakeConfig;
  readonly glue: GlueConfig;
  readonly athena: AthenaConfig;
  readonly redshift: RedshiftConfig;
  readonly msk: MskConfig;
  readonly producers: ProducersConfig;
  readonly loadtest: LoadtestConfig;
  readonly lakeFormation: LakeFormationConfig;
  readonly monitoring: MonitoringConfig;
  /** Thresholds of the real-time alert consumer. */
  readonly alerts: AlertThresholds;
  /** Address subscribed to the alarm topic; empty for none. */
  readonly alarmEmail: string;
  /** What happens to stateful resources on stack deletion. */
  readonly removalPolicy: RemovalPolicyName;
}

/** A partial configuration, as read from a file or cdk context: any key may be left out. */
export type GridstreamConfigInput = {
  readonly [K in keyof GridstreamConfig]?: GridstreamConfig[K] extends readonly unknown[]
    ? GridstreamConfig[K]
    : GridstreamConfig[K] extends object
      ? Partial<GridstreamConfig[K]>
      : GridstreamConfig[K];
};
