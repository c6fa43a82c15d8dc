import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as redshift from 'aws-cdk-lib/aws-redshiftserverless';
import type { Construct } from 'constructs';
import { REPO_ROOT } from '../constants.js';
import { LakeFormationGrants, onTables, TABLE_READ } from '../constructs/lakeFormation.js';
import { acknowledge } from '../nag.js';
import { resourcePrefix } from '../naming.js';
import type { LakeStack } from './LakeStack.js';
import type { NetworkStack } from './NetworkStack.js';
import type { GridstreamStackProps } from './types.js';

/** Props of {@link AnalyticsStack}. */
export interface AnalyticsStackProps extends GridstreamStackProps {
  readonly lake: LakeStack;
  /** Required when Redshift is enabled. */
  readonly network?: NetworkStack;
}

/** Folder whose `*.sql` files become Athena named queries. */
export const ATHENA_SQL_DIR = 'sql/athena';

/**
 * The placeholders a named query may use, replaced at synth time: `RAW_BUCKET` and `CURATED_BUCKET` (the
 * bucket names in the generated DDL's locations), `${database}` and `${env}`. Queries name tables unqualified
 * (`curated_grid`), as locally; the named query's database is the environment's.
 */
export function namedQueryVariables(envName: string, lake: LakeStack): Record<string, string> {
  return {
    env: envName,
    database: lake.databaseName,
    RAW_BUCKET: lake.rawBucket.bucketName,
    CURATED_BUCKET: lake.curatedBucket.bucketName,
  };
}

/**
 * A file of sql/athena with its placeholders replaced; anything else (`${dt}` in projection templates) is
 * left alone.
 *
 * @param text - the SQL
 * @param vars - {@link namedQueryVariables}
 */
export function renderNamedQuery(text: string, vars: Readonly<Record<string, string>>): string {
  return text
    .replace(/\$\{(\w+)\}/g, (m, k: string) => (k in vars && k === k.toLowerCase() ? vars[k]! : m))
    .replace(/\b(RAW_BUCKET|CURATED_BUCKET)\b/g, (m) => vars[m] ?? m);
}

/**
 * The `.sql` files under a folder, recursively, as sorted relative paths (`queries/price_spikes_last_hour.sql`).
 *
 * @param dir - sql/athena
 */
export function athenaSqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.split(sep).join('/'))
    .sort();
}

/**
 * Query access: the Athena workgroup (enforced, encrypted result location and a bytes-scanned cutoff) with
 * the named queries of `sql/athena/`, an analyst role (SELECT on raw, curated and gold through Lake
 * Formation) and, unless disabled, Redshift Serverless with a role for Spectrum and COPY.
 */
export class AnalyticsStack extends Stack {
  /** The Athena workgroup. */
  public readonly workgroup: athena.CfnWorkGroup;
  /** Role analysts assume to query the lake with Athena. */
  public readonly analystRole: iam.Role;
  /** Role Redshift uses for Spectrum (Glue catalog) and COPY (curated bucket), when Redshift is enabled. */
  public readonly redshiftRole?: iam.Role;
  /** Redshift Serverless workgroup, when enabled. */
  public readonly redshiftWorkgroup?: redshift.CfnWorkgroup;

  public constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config, lake } = props;
    const prefix = resourcePrefix(config.envName);

    this.workgroup = new athena.CfnWorkGroup(this, 'AthenaWorkgroup', {
      name: prefix,
      description: `gridstream ${config.envName} lake queries`,
      state: 'ENABLED',
      recursiveDeleteOption: config.removalPolicy === 'destroy',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: Math.round(config.athena.bytesScannedCutoffGiB * 1024 ** 3),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${lake.athenaResultsBucket.bucketName}/athena/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: lake.dataKey.keyArn },
          expectedBucketOwner: this.account,
        },
      },
    });

    const vars = namedQueryVariables(config.envName, lake);
    for (const file of athenaSqlFiles(join(REPO_ROOT, ATHENA_SQL_DIR))) {
      const name = file.replace(/\.sql$/, '');
      const query = new athena.CfnNamedQuery(this, `Query-${name}`, {
        name,
        description: `${ATHENA_SQL_DIR}/${file}`,
        database: lake.databaseName,
        queryString: renderNamedQuery(readFileSync(join(REPO_ROOT, ATHENA_SQL_DIR, file), 'utf8'), vars),
        workGroup: this.workgroup.name,
      });
      query.addResourceDependency(this.workgroup);
    }

    new CfnOutput(this, 'AthenaWorkgroupName', {
      value: prefix,
      description: 'Athena workgroup (enforced settings)',
    });
    this.analystRole = new iam.Role(this, 'AnalystRole', {
      roleName: `${prefix}-analyst`,
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Analysts: Athena queries on the raw, curated and gold tables',
    });
    const workgroupArn = this.formatArn({ service: 'athena', resource: 'workgroup', resourceName: prefix });
    this.analystRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'Athena',
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetWorkGroup',
          'athena:ListNamedQueries',
          'athena:GetNamedQuery',
          'athena:BatchGetNamedQuery',
        ],
        resources: [workgroupArn],
      }),
    );
    const catalogRead = (role: iam.Role, tables: readonly string[]) =>
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadCatalog',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetTables',
            'glue:GetPartition',
            'glue:GetPartitions',
          ],
          resources: [
            this.formatArn({ service: 'glue', resource: 'catalog' }),
            this.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
            ...tables.map((t) =>
              this.formatArn({
                service: 'glue',
                resource: 'table',
                resourceName: `${lake.databaseName}/${t}`,
              }),
            ),
          ],
        }),
      );
    const allTables = [...lake.rawTableNames, ...lake.publishedTableNames];
    catalogRead(this.analystRole, allTables);
    this.analystRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'Results',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [lake.athenaResultsBucket.arnForObjects('athena/*')],
      }),
    );
    this.analystRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ResultsBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [lake.athenaResultsBucket.bucketArn],
      }),
    );
    this.analystRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DataKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [lake.dataKey.keyArn],
      }),
    );
    if (config.lakeFormation.enabled) {
      this.analystRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'LakeFormationCredentials',
          actions: ['lakeformation:GetDataAccess'],
          resources: ['*'],
        }),
      );
      acknowledge(
        this.analystRole,
        'AwsSolutions-IAM5[Resource::*]',
        'lakeformation:GetDataAccess supports no resource-level permissions; what the analyst can read is decided by the Lake Formation grants below.',
      );
      new LakeFormationGrants(this, 'AnalystLf', {
        role: this.analystRole,
        databaseName: lake.databaseName,
        tables: onTables(allTables, TABLE_READ),
      });
    } else {
      this.analystRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadLake',
          actions: ['s3:GetObject'],
          resources: [
            lake.rawBucket.arnForObjects('raw/*'),
            ...['curated/*', 'gold/*'].map((p) => lake.curatedBucket.arnForObjects(p)),
          ],
        }),
      );
    }

    if (config.redshift.enabled) {
      if (!props.network) throw new Error('AnalyticsStack: Redshift needs the network stack');
      this.redshiftRole = new iam.Role(this, 'RedshiftRole', {
        // The name sql/redshift/01_external_schema.sql uses.
        roleName: `${prefix}-redshift-spectrum`,
        assumedBy: new iam.CompositePrincipal(
          new iam.ServicePrincipal('redshift.amazonaws.com'),
          new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
        ),
        description: 'Redshift Serverless: Spectrum on the Glue catalog and COPY from the curated bucket',
      });
      const rs = this.redshiftRole;
      catalogRead(rs, lake.publishedTableNames);
      rs.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadCurated',
          actions: ['s3:GetObject'],
          resources: ['curated/*', 'gold/*'].map((p) => lake.curatedBucket.arnForObjects(p)),
        }),
      );
      rs.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'CuratedBucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket'],
          resources: [lake.curatedBucket.bucketArn],
        }),
      );
      rs.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DataKey',
          actions: ['kms:Decrypt'],
          resources: [lake.dataKey.keyArn],
        }),
      );
      if (config.lakeFormation.enabled) {
        rs.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'LakeFormationCredentials',
            actions: ['lakeformation:GetDataAccess'],
            resources: ['*'],
          }),
        );
        acknowledge(
          rs,
          'AwsSolutions-IAM5[Resource::*]',
          'lakeformation:GetDataAccess supports no resource-level permissions; what Redshift can read is decided by the Lake Formation grants below.',
        );
        new LakeFormationGrants(this, 'RedshiftLf', {
          role: rs,
          databaseName: lake.databaseName,
          tables: onTables(lake.publishedTableNames, TABLE_READ),
        });
      }

      const namespace = new redshift.CfnNamespace(this, 'RedshiftNamespace', {
        namespaceName: prefix,
        dbName: 'gridstream',
        adminUsername: 'gridstream_admin',
        manageAdminPassword: true,
        adminPasswordSecretKmsKeyId: lake.dataKey.keyArn,
        kmsKeyId: lake.dataKey.keyArn,
        iamRoles: [rs.roleArn],
        defaultIamRoleArn: rs.roleArn,
        logExports: ['userlog', 'connectionlog', 'useractivitylog'],
      });
      const vpc = props.network.vpc;
      const securityGroup = new ec2.SecurityGroup(this, 'RedshiftSecurityGroup', {
        vpc,
        description: 'Redshift Serverless workgroup: SQL clients inside the VPC only',
        allowAllOutbound: false,
      });
      securityGroup.addIngressRule(
        ec2.Peer.ipv4(vpc.vpcCidrBlock),
        ec2.Port.tcp(5439),
        'SQL clients in the VPC',
      );
      acknowledge(
        securityGroup,
        'AwsSolutions-EC23',
        'Ingress is from the VPC CIDR only; cdk-nag cannot resolve the CIDR token and reports it as open.',
      );
      // HTTPS to the Glue endpoint and, through the gateway endpoint, to S3 (enhanced VPC routing); the
      // subnets have no route to the internet, so 443 anywhere reaches only those endpoints.
      securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'AWS endpoints (Glue, S3) for Spectrum and COPY',
      );
      this.redshiftWorkgroup = new redshift.CfnWorkgroup(this, 'RedshiftWorkgroup', {
        workgroupName: prefix,
        namespaceName: prefix,
        baseCapacity: config.redshift.baseCapacityRpu,
        enhancedVpcRouting: true,
        publiclyAccessible: false,
        subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId),
        securityGroupIds: [securityGroup.securityGroupId],
        configParameters: [
          { parameterKey: 'require_ssl', parameterValue: 'true' },
          { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
        ],
      });
      this.redshiftWorkgroup.addResourceDependency(namespace);
      new CfnOutput(this, 'RedshiftWorkgroupName', {
        value: prefix,
        description: 'Redshift Serverless workgroup',
      });
      new CfnOutput(this, 'RedshiftRoleArn', {
        value: rs.roleArn,
        description: 'IAM_ROLE of sql/redshift/01_external_schema.sql (Spectrum and COPY)',
      });
    }
  }
}
