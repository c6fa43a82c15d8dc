import { Duration, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { contractFor, DATASETS, type Dataset } from '../../../schemas/index.js';
import { LakeBucket } from '../constructs/LakeBucket.js';
import { GOLD_TABLES } from '../lake/goldTables.js';
import { datasetPrefix } from '../lake/layout.js';
import { PROJECTION_FUTURE_DAYS, parquetTableInput } from '../lake/tables.js';
import { acknowledge } from '../nag.js';
import { glueDatabaseName, resourcePrefix, type Zone } from '../naming.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** A Glue database of the lake. */
export interface LakeDatabase {
  readonly name: string;
  readonly resource: glue.CfnDatabase;
}

/**
 * The lake: the raw, curated, Athena-results and access-log buckets, the data key, and the Glue databases and
 * tables, generated from the contracts (columns) and the shared layout (partition projection over dt/hr).
 */
export class LakeStack extends Stack {
  /** Key encrypting the data buckets (rotated yearly). */
  public readonly dataKey: kms.Key;
  /** Server access logs of every other bucket (SSE-S3: access logging cannot write SSE-KMS). */
  public readonly accessLogsBucket: s3.Bucket;
  /** Firehose output (`raw/`) and Firehose error records (`errors/`). */
  public readonly rawBucket: s3.Bucket;
  /** Curated (`curated/`) and gold (`gold/`) tables written by the Glue jobs; `_tmp/` is their scratch space. */
  public readonly curatedBucket: s3.Bucket;
  /** Athena query results (the workgroup enforces this location). */
  public readonly athenaResultsBucket: s3.Bucket;
  /** Glue database of each zone. */
  public readonly databases: { readonly [Z in Zone]: LakeDatabase };
  /** Raw table of each dataset (Firehose converts records with its schema). */
  public readonly rawTables: { readonly [D in Dataset]: glue.CfnTable };
  /** Curated table of each dataset. */
  public readonly curatedTables: { readonly [D in Dataset]: glue.CfnTable };
  /** Gold tables, by name. */
  public readonly goldTables: Readonly<Record<string, glue.CfnTable>>;

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
            { storageClass: { value: 'STANDARD_IA' }, transitionAfter: Duration.days(lake.rawInfrequentAccessDays) },
          ],
          ...(lake.rawExpirationDays > 0 ? { expiration: Duration.days(lake.rawExpirationDays) } : {}),
        },
        { id: 'expire-errors', prefix: 'errors/', expiration: Duration.days(lake.errorExpirationDays) },
      ],
    }).bucket;

    this.curatedBucket = new LakeBucket(this, 'Curated', {
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'curated/',
      noncurrentVersionExpirationDays: lake.noncurrentVersionExpirationDays,
      removalPolicy,
      lifecycleRules: [{ id: 'expire-scratch', prefix: '_tmp/', expiration: Duration.days(7) }],
    }).bucket;

    this.athenaResultsBucket = new LakeBucket(this, 'AthenaResults', {
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'athena-results/',
      noncurrentVersionExpirationDays: 1,
      removalPolicy,
      lifecycleRules: [{ id: 'expire-results', expiration: Duration.days(lake.athenaResultsExpirationDays) }],
    }).bucket;

    const database = (zone: Zone, description: string): LakeDatabase => {
      const name = glueDatabaseName(config.envName, zone);
      const resource = new glue.CfnDatabase(this, `${zone[0]!.toUpperCase()}${zone.slice(1)}Database`, {
        catalogId: this.account,
        databaseInput: {
          name,
          description,
          // Lake Formation: no IAMAllowedPrincipals grant on new tables, so only LF grants give access.
          ...(config.lakeFormation.enabled ? { createTableDefaultPermissions: [] } : {}),
        },
      });
      return { name, resource };
    };
    this.databases = {
      raw: database('raw', 'Raw zone: events as delivered by Firehose, Parquet, partitioned by event time (dt, hr).'),
      curated: database('curated', 'Curated zone: validated, de-duplicated events, partitioned by event time.'),
      gold: database('gold', 'Gold zone: aggregates for analysts and Redshift.'),
    };

    const zoneTable = (zone: 'raw' | 'curated', dataset: Dataset, bucket: s3.IBucket): glue.CfnTable => {
      const contract = contractFor(dataset);
      const db = this.databases[zone];
      const table = new glue.CfnTable(this, `${zone}-${dataset}`, {
        catalogId: this.account,
        databaseName: db.name,
        tableInput: parquetTableInput({
          name: dataset,
          description: `${zone} ${dataset} events (columns from schemas/avro/${dataset}.avsc).`,
          columns: contract.columns,
          partitionKeys: contract.partitionKeys,
          bucketName: bucket.bucketName,
          prefix: datasetPrefix(zone, dataset),
          projection: {
            zone,
            dataset,
            startDate: lake.projectionStartDate,
            futureDays: PROJECTION_FUTURE_DAYS[dataset],
          },
        }),
      });
      table.addDependency(db.resource);
      return table;
    };
    this.rawTables = Object.fromEntries(
      DATASETS.map((d) => [d, zoneTable('raw', d, this.rawBucket)]),
    ) as LakeStack['rawTables'];
    this.curatedTables = Object.fromEntries(
      DATASETS.map((d) => [d, zoneTable('curated', d, this.curatedBucket)]),
    ) as LakeStack['curatedTables'];

    const partitionKeys = contractFor('grid').partitionKeys;
    this.goldTables = Object.fromEntries(
      GOLD_TABLES.map((spec) => {
        const table = new glue.CfnTable(this, `gold-${spec.name}`, {
          catalogId: this.account,
          databaseName: this.databases.gold.name,
          tableInput: parquetTableInput({
            name: spec.name,
            description: spec.description,
            columns: spec.columns,
            partitionKeys: spec.partitioned ? partitionKeys : [],
            bucketName: this.curatedBucket.bucketName,
            prefix: datasetPrefix('gold', spec.name),
            ...(spec.partitioned
              ? {
                  projection: {
                    zone: 'gold',
                    dataset: spec.name,
                    startDate: lake.projectionStartDate,
                    futureDays: Math.max(...Object.values(PROJECTION_FUTURE_DAYS)),
                  },
                }
              : {}),
          }),
        });
        table.addDependency(this.databases.gold.resource);
        return [spec.name, table];
      }),
    );
  }
}
