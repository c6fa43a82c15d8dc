import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, AssetHashType, DockerImage, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { REPO_ROOT } from '../constants.js';
import { LakeFormationGrants, onTables, TABLE_READ, TABLE_WRITE } from '../constructs/lakeFormation.js';
import { InfraValidationError } from '../errors.js';
import {
  GLUE_JOBS,
  GLUE_LIBRARY_DIR,
  GLUE_PIPELINE_FILE,
  type GlueJobSpec,
  readJobScript,
  requiredJobArguments,
  stageGlueLibrary,
} from '../lake/glueJobs.js';
import { acknowledge } from '../nag.js';
import { resourcePrefix } from '../naming.js';
import type { LakeStack } from './LakeStack.js';
import type { GridstreamStackProps } from './types.js';

/** Props of {@link ProcessingStack}. */
export interface ProcessingStackProps extends GridstreamStackProps {
  readonly lake: LakeStack;
  /** Key for Glue's CloudWatch logs and job bookmarks. */
  readonly opsKey: kms.IKey;
  /**
   * The jobs to deploy.
   * @default GLUE_JOBS (curate, compact)
   */
  readonly jobs?: readonly GlueJobSpec[];
  /**
   * Directory the job scripts and `glue/gridstream_glue` are read from.
   * @default the repository root
   */
  readonly sourceRoot?: string;
}

/**
 * Glue 5.0 jobs from `glue/` (entry scripts and the `gridstream_glue` package as S3 assets): curation hourly,
 * raw compaction daily, through scheduled Glue triggers. A Glue security configuration encrypts S3 output
 * (data key), CloudWatch logs and bookmarks (ops key). Each job has its own role: curation reads raw and
 * writes curated/gold plus their catalog partitions; compaction rewrites raw partitions and nothing else.
 */
export class ProcessingStack extends Stack {
  /** The role of each job, by short name (`curate`, `compact`). */
  public readonly jobRoles: Readonly<Record<string, iam.Role>>;
  /** The jobs, by short name. */
  public readonly jobs: Readonly<Record<string, glue.CfnJob>>;
  /** Name of the security configuration. */
  public readonly securityConfigurationName: string;

  public constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { config, lake, opsKey } = props;
    const prefix = resourcePrefix(config.envName);
    const root = props.sourceRoot ?? REPO_ROOT;

    this.securityConfigurationName = `${prefix}-glue`;
    const security = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: this.securityConfigurationName,
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: lake.dataKey.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: opsKey.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: opsKey.keyArn },
      },
    });

    const libraryPath = join(root, GLUE_LIBRARY_DIR);
    if (existsSync(libraryPath) && !existsSync(join(root, GLUE_PIPELINE_FILE))) {
      throw new InfraValidationError(
        this.node.path,
        `${GLUE_PIPELINE_FILE} does not exist: generate it with npx tsx stream-processors/curation/writeGenerated.ts`,
      );
    }
    const library = existsSync(libraryPath)
      ? new assets.Asset(this, 'GlueLibrary', {
          path: libraryPath,
          // Hash what is shipped: the package and the rendered pipeline (which lives outside it).
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Required by the type, never pulled: local bundling always succeeds.
            image: DockerImage.fromRegistry('scratch'),
            local: {
              tryBundle(outputDir: string): boolean {
                stageGlueLibrary(root, outputDir);
                return true;
              },
            },
          },
        })
      : undefined;

    const buckets: Record<'raw' | 'curated', s3.IBucket> = {
      raw: lake.rawBucket,
      curated: lake.curatedBucket,
    };
    const catalogArn = this.formatArn({ service: 'glue', resource: 'catalog' });
    const databaseArn = this.formatArn({
      service: 'glue',
      resource: 'database',
      resourceName: lake.databaseName,
    });
    const tableArn = (name: string) =>
      this.formatArn({ service: 'glue', resource: 'table', resourceName: `${lake.databaseName}/${name}` });

    const args: Record<string, string> = {
      '--env': config.envName,
      '--raw_bucket': lake.rawBucket.bucketName,
      '--curated_bucket': lake.curatedBucket.bucketName,
      '--database': lake.databaseName,
      '--lateness_days': String(config.lake.latenessDays),
    };

    const makeRole = (spec: GlueJobSpec): iam.Role => {
      const role = new iam.Role(this, `${spec.name}Role`, {
        assumedBy: new iam.ServicePrincipal('glue.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
        description: `gridstream ${config.envName} Glue job ${spec.name}`,
      });
      const objects = (access: GlueJobSpec['reads']) =>
        access.flatMap((a) => a.prefixes.map((p) => buckets[a.bucket].arnForObjects(p)));
      if (spec.reads.length > 0) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'ReadObjects',
            actions: ['s3:GetObject'],
            resources: objects(spec.reads),
          }),
        );
      }
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'WriteObjects',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          resources: objects(spec.writes),
        }),
      );
      const used = [...new Set([...spec.reads, ...spec.writes].map((a) => a.bucket))];
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ListBuckets',
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: used.map((b) => buckets[b].bucketArn),
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DataKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [lake.dataKey.keyArn],
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'OpsKey',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [opsKey.keyArn],
        }),
      );
      if (spec.catalogWrite) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'Catalog',
            actions: [
              'glue:GetDatabase',
              'glue:GetTable',
              'glue:GetPartition',
              'glue:GetPartitions',
              'glue:BatchGetPartition',
              'glue:BatchCreatePartition',
              'glue:BatchUpdatePartition',
              'glue:BatchDeletePartition',
            ],
            resources: [catalogArn, databaseArn, ...lake.publishedTableNames.map(tableArn)],
          }),
        );
      }
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'JobLogs',
          actions: [
            'logs:CreateLogGroup',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:AssociateKmsKey',
          ],
          resources: [
            this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '/aws-glue/*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*]',
        'Glue writes job logs to log groups it names under /aws-glue/ (per security configuration); the wildcard is limited to that prefix.',
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'JobMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
        }),
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::*]',
        'cloudwatch:PutMetricData and lakeformation:GetDataAccess support no resource-level permissions; PutMetricData is limited to the Glue namespace by condition, data access by the Lake Formation grants.',
      );
      if (library) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'Library',
            actions: ['s3:GetObject'],
            resources: [library.bucket.arnForObjects(library.s3ObjectKey)],
          }),
        );
      }
      if (spec.catalogWrite && config.lakeFormation.enabled) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'LakeFormationCredentials',
            actions: ['lakeformation:GetDataAccess'],
            resources: ['*'],
          }),
        );
        new LakeFormationGrants(this, `${spec.name}Lf`, {
          role,
          databaseName: lake.databaseName,
          tables: {
            ...onTables(lake.rawTableNames, TABLE_READ),
            ...onTables(lake.publishedTableNames, TABLE_WRITE),
          },
          dataLocations: [lake.curatedBucket.bucketArn],
        });
      }
      return role;
    };

    const roles: Record<string, iam.Role> = {};
    const jobs: Record<string, glue.CfnJob> = {};
    for (const spec of props.jobs ?? GLUE_JOBS) {
      const text = readJobScript(root, spec);
      if (text === undefined) {
        throw new InfraValidationError(
          this.node.path,
          `Glue job ${spec.name}: script ${spec.script} does not exist`,
        );
      }
      const missing = requiredJobArguments(text).filter((a) => !(`--${a}` in args));
      if (missing.length > 0) {
        throw new InfraValidationError(
          this.node.path,
          `Glue job ${spec.name}: ${spec.script} requires arguments the stack does not pass: ${missing.join(', ')}`,
        );
      }
      const role = makeRole(spec);
      const script = new assets.Asset(this, `${spec.name}Script`, { path: join(root, spec.script) });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'Script',
          actions: ['s3:GetObject'],
          resources: [script.bucket.arnForObjects(script.s3ObjectKey)],
        }),
      );
      const job = new glue.CfnJob(this, `${spec.name}Job`, {
        name: `${prefix}-${spec.name}`,
        description: spec.description,
        role: role.roleArn,
        glueVersion: '5.0',
        command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
        workerType: config.glue.workerType,
        numberOfWorkers: config.glue.numberOfWorkers,
        timeout: config.glue.timeoutMinutes,
        maxRetries: 1,
        executionProperty: { maxConcurrentRuns: 1 },
        securityConfiguration: this.securityConfigurationName,
        defaultArguments: {
          '--job-language': 'python',
          '--job-bookmark-option': spec.bookmarks ? 'job-bookmark-enable' : 'job-bookmark-disable',
          '--enable-metrics': 'true',
          '--enable-observability-metrics': 'true',
          '--enable-continuous-cloudwatch-log': 'true',
          '--enable-glue-datacatalog': 'true',
          '--TempDir': `s3://${lake.curatedBucket.bucketName}/curated/_tmp/glue/`,
          ...(library ? { '--extra-py-files': library.s3ObjectUrl } : {}),
          ...args,
        },
      });
      job.addResourceDependency(security);
      // Glue checks the role when a run starts; the policy must exist before the first scheduled run.
      job.node.addDependency(role.node.findChild('DefaultPolicy'));
      roles[spec.name] = role;
      jobs[spec.name] = job;
    }
    this.jobRoles = roles;
    this.jobs = jobs;

    const schedules: Record<string, string> = {
      curate: config.glue.curateSchedule,
      compact: config.glue.compactSchedule,
    };
    for (const [name, job] of Object.entries(jobs)) {
      const schedule = schedules[name];
      if (schedule === undefined) continue;
      const trigger = new glue.CfnTrigger(this, `${name}Schedule`, {
        name: `${prefix}-${name}-schedule`,
        type: 'SCHEDULED',
        schedule,
        startOnCreation: true,
        actions: [{ jobName: job.name! }],
        description: `Runs ${job.name} on ${schedule} (UTC)`,
      });
      trigger.addResourceDependency(job);
    }
  }
}
