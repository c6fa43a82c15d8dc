import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type { Construct } from 'constructs';
import type { LakeStack } from './LakeStack.js';
import type { GridstreamStackProps } from './types.js';

/** Props of {@link GovernanceStack}. */
export interface GovernanceStackProps extends GridstreamStackProps {
  readonly lake: LakeStack;
}

/**
 * Lake Formation: the CDK deployment role (and any configured role) become data lake administrators
 * (appended, never replacing the account's list), and the raw and curated buckets are registered as data
 * locations with a custom role that can use the data key. Each consumer stack grants its own principals
 * (Firehose, Glue jobs, Redshift, analysts) on the databases; see docs/DEPLOY.md for the matrix.
 */
export class GovernanceStack extends Stack {
  /** The role Lake Formation assumes to vend credentials for the registered locations. */
  public readonly dataAccessRole: iam.Role;
  /** The Data Lake settings resource (grants in other stacks deploy after it). */
  public readonly settings: lakeformation.CfnDataLakeSettings;

  public constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { config, lake } = props;
    const cfnExecRole = `arn:${this.partition}:iam::${this.account}:role/cdk-${config.lakeFormation.cdkQualifier}-cfn-exec-role-${this.account}-${this.region}`;
    this.settings = new lakeformation.CfnDataLakeSettings(this, 'Settings', {
      mutationType: 'APPEND',
      admins: [cfnExecRole, ...config.lakeFormation.adminRoleArns].map((arn) => ({
        dataLakePrincipalIdentifier: arn,
      })),
    });

    this.dataAccessRole = new iam.Role(this, 'DataAccessRole', {
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Lake Formation credential vending for the gridstream raw and curated buckets',
    });
    this.dataAccessRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadRaw',
        actions: ['s3:GetObject'],
        resources: [lake.rawBucket.arnForObjects('*')],
      }),
    );
    this.dataAccessRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWriteCurated',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [lake.curatedBucket.arnForObjects('*')],
      }),
    );
    this.dataAccessRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListBuckets',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [lake.rawBucket.bucketArn, lake.curatedBucket.bucketArn],
      }),
    );
    this.dataAccessRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DataKey',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [lake.dataKey.keyArn],
      }),
    );

    for (const [name, bucket] of [
      ['Raw', lake.rawBucket],
      ['Curated', lake.curatedBucket],
    ] as const) {
      const location = new lakeformation.CfnResource(this, `${name}Location`, {
        resourceArn: bucket.bucketArn,
        useServiceLinkedRole: false,
        roleArn: this.dataAccessRole.roleArn,
      });
      location.node.addDependency(this.dataAccessRole.node.findChild('DefaultPolicy'));
      location.addResourceDependency(this.settings);
    }
  }
}
