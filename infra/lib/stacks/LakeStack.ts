import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { LOAD_WORKER_RESULTS_PREFIX } from '../../../common/loadWorkerTask.js';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import {
  athenaTableDefinition,
  type GlueTableInput,
  lakeTables,
  type TableZone,
} from '../../../stream-processors/curation/athenaDdl.js';
import { loadPipeline } from '../../../stream-processors/curation/pipeline.js';
import { LakeBucket } from '../constructs/LakeBucket.js';
import { datasetPrefix } from '../lake/layout.js';
import { acknowledge } from '../nag.js';
import { catalogTableName, glueDatabaseName, resourcePrefix } from '../naming.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/**
 * The lake: the raw, curated, Athena-results and access-log buckets, the data key, and the Glue database with
 * its tables: raw tables generated from the contracts with partition projection over the dt/hr layout Firehose
 * writes, curated and gold tables from the curation pipeline's table schemas (`sql/curated/tables.json`),
 * all through the same definitions as the Athena DDL in `sql/athena/ddl`.
 */
export class LakeStack extends Stack {
  /** Key encrypting the data buckets (rotated yearly). */
  public readonly dataKey: kms.Key;
  /** Server access logs of every other bucket (SSE-S3: access logging cannot write SSE-KMS). */
  public readonly accessLogsBucket: s3.Bucket;
  /** Firehose output (`raw/`) and Firehose error records (`errors/`). */
  public readonly rawBucket: s3.Bucket;
  /** Curated (`curated/`) and gold (`gold/`) tables written by the Glue jobs; `curated/_tmp/` is scratch space. */
  public readonly curatedBucket: s3.Bucket;
  /** Athena query results (the workgroup enforces this location). */
  public readonly athenaResultsBucket: s3.Bucket;
  /**
   * Files of the load tests run at scale (`loadtest.enabled`): each run's scenario and worker results under
   * `runs/<run id>/` (SSE-S3: nothing secret, and the tasks need no key), expiring after
   * `loadtest.resultsExpirationDays`. Here rather than in the load-test stack because its access logs go to
   * this stack's access-log bucket, whose policy must name it.
   */
  public readonly loadtestResultsBucket?: s3.Bucket;
  /** The Glue database of the environment. */
  public readonly database: glue.CfnDatabase;
  /** Its name, `gridstream_<env>`. */
  public readonly databaseName: string;
  /** Raw table of each dataset, `raw_<dataset>` (Firehose converts records with its schema). */
  public readonly rawTables: { readonly [D in Dataset]: glue.CfnTable };
  /** Curated and gold tables of the curation pipeline, by catalog name (`curated_grid`, `gold_grid_weather_hourly`). */
  public readonly publishedTables: Readonly<Record<string, glue.CfnTable>>;

  public constructor(scope: Construct, id: string, props: GridstreamStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = removalPolicyOf(config);
    const lake = config.lake;
    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/${resourcePrefix(config.envName)}-data`,
      description: `gridstream ${config.envName}: lake buckets (raw, curated, Athena results)`,
      enableKeyRotation: true,
      removalPolicy,
    });

    const logs = new LakeBucket(this, 'AccessLogs', {
      removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    this.accessLogsBucket = logs.bucket;
    acknowledge(
      logs,
      'AwsSolutions-S1',
      'This is the server access log bucket; logging its own accesses into itself would loop.',
    );

    this.rawBucket = new LakeBucket(this, 'Raw', {
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'raw/',
      noncurrentVersionExpirationDays: lake.noncurrentVersionExpirationDays,
      removalPolicy,
      lifecycleRules: [
        {
          id: 'raw-tiering',
          prefix: 'raw/',
          transitions: [
            {
              storageClass: { value: 'STANDARD_IA' },
              transitionAfter: Duration.days(lake.rawInfrequentAccessDays),
            },
          ],
          ...(lake.rawExpirationDays > 0 ? { expiration: Duration.days(lake.rawExpirationDays) } : {}),
        },
        { id: 'expire-errors', prefix: 'errors/', expiration: Duration.days(lake.errorExpirationDays) },
        // Compaction stages rewritten partitions here; a crashed run's leftovers go away on their own.
        { id: 'expire-scratch', prefix: '_tmp/', expiration: Duration.days(7) },
      ],
    }).bucket;

    this.curatedBucket = new LakeBucket(this, 'Curated', {
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'curated/',
      noncurrentVersionExpirationDays: lake.noncurrentVersionExpirationDays,
      removalPolicy,
      lifecycleRules: [{ id: 'expire-scratch', prefix: 'curated/_tmp/', expiration: Duration.days(7) }],
    }).bucket;

    this.athenaResultsBucket = new LakeBucket(this, 'AthenaResults', {
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'athena-results/',
      noncurrentVersionExpirationDays: 1,
      removalPolicy,
      lifecycleRules: [{ id: 'expire-results', expiration: Duration.days(lake.athenaResultsExpirationDays) }],
    }).bucket;

    if (config.loadtest.enabled) {
      this.loadtestResultsBucket = new LakeBucket(this, 'LoadtestResults', {
        accessLogsBucket: this.accessLogsBucket,
        accessLogsPrefix: 'loadtest-results/',
        noncurrentVersionExpirationDays: 1,
        removalPolicy,
        lifecycleRules: [
          {
            id: 'expire-runs',
            prefix: `${LOAD_WORKER_RESULTS_PREFIX}/`,
            expiration: Duration.days(config.loadtest.resultsExpirationDays),
          },
        ],
      }).bucket;
      new CfnOutput(this, 'LoadtestResultsUri', {
        value: `s3://${this.loadtestResultsBucket.bucketName}/${LOAD_WORKER_RESULTS_PREFIX}`,
        description:
          'Load tests at scale: each run writes its scenario and worker results under <this>/<run id>/',
      });
    }

    new CfnOutput(this, 'RawBucketName', {
      value: this.rawBucket.bucketName,
      description: 'Raw zone (Firehose output)',
    });
    new CfnOutput(this, 'CuratedBucketName', {
      value: this.curatedBucket.bucketName,
      description: 'Curated and gold zones',
    });
    this.databaseName = glueDatabaseName(config.envName);
    new CfnOutput(this, 'GlueDatabaseName', {
      value: this.databaseName,
      description: 'Glue database of every lake table',
    });
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: {
        name: this.databaseName,
        description: `gridstream ${config.envName}: raw_*, curated_* and gold_* tables of the lake`,
        // Lake Formation: no IAMAllowedPrincipals grant on new tables, so only LF grants give access.
        ...(config.lakeFormation.enabled ? { createTableDefaultPermissions: [] } : {}),
      },
    });

    // Table definitions come from the curation module's athenaTableDefinition, which also writes the DDL in
    // sql/athena/ddl: the Glue tables and the DDL are the same tables by construction. Raw tables (columns from
    // the contracts) project dt/hr partitions; curated and gold tables (schemas from sql/curated/tables.json)
    // get their partitions from the curation job, pointing at each run's version folder.
    const definition = (zone: TableZone, table: string, bucket: s3.IBucket) =>
      athenaTableDefinition(table, zone, `s3://${bucket.bucketName}/${datasetPrefix(zone, table)}`, {
        projectionStartDate: lake.projectionStartDate,
      });
    const cfnTable = (id: string, input: GlueTableInput): glue.CfnTable => {
      // The definition's arrays are readonly; CloudFormation's property types want mutable copies.
      const tableInput: glue.CfnTable.TableInputProperty = {
        ...input,
        parameters: { ...input.parameters },
        partitionKeys: [...input.partitionKeys],
        storageDescriptor: {
          ...input.storageDescriptor,
          columns: [...input.storageDescriptor.columns],
          serdeInfo: {
            ...input.storageDescriptor.serdeInfo,
            parameters: { ...input.storageDescriptor.serdeInfo.parameters },
          },
        },
      };
      const table = new glue.CfnTable(this, id, {
        catalogId: this.account,
        databaseName: this.databaseName,
        tableInput,
      });
      table.addResourceDependency(this.database);
      return table;
    };
    this.rawTables = Object.fromEntries(
      DATASETS.map((d) => [d, cfnTable(`RawTable-${d}`, definition('raw', d, this.rawBucket).tableInput)]),
    ) as LakeStack['rawTables'];
    const pipelineTables = loadPipeline().tables;
    this.publishedTables = Object.fromEntries(
      lakeTables(pipelineTables)
        .filter((t) => t.zone !== 'raw')
        .map(({ zone, table }) => {
          const def = definition(zone, table, this.curatedBucket);
          return [def.name, cfnTable(`Table-${def.name}`, def.tableInput)];
        }),
    );
  }

  /** Catalog names of the raw tables. */
  public get rawTableNames(): string[] {
    return DATASETS.map((d) => catalogTableName('raw', d));
  }

  /** Catalog names of the curated and gold tables. */
  public get publishedTableNames(): string[] {
    return Object.keys(this.publishedTables);
  }
}
