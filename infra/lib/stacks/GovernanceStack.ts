import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type { Construct } from 'constructs';
import { acknowledgeIam5, nagArnRef } from '../nag.js';
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
    lake.rawBucket.grantRead(this.dataAccessRole);
    lake.curatedBucket.grantReadWrite(this.dataAccessRole);

    for (const [name, bucket] of [
      ['Raw', lake.rawBucket],
      ['Curated', lake.curatedBucket],
    ] as const) {
      const location = new lakeformation.CfnResource(this, `${name}Location`, {
        resourceArn: bucket.bucketArn,
        useServiceLinkedRole: false,
        roleArn: this.dataAccessRole.roleArn,
      });
      location.node.addDependency(this.dataAccessRole);
      location.addDependency(this.settings);
    }

    const objects = (b: typeof lake.rawBucket) => `Resource::${nagArnRef(b.node.defaultChild as never)}/*`;
    acknowledgeIam5(
      this.dataAccessRole,
      [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        'Action::kms:GenerateDataKey*',
        'Action::kms:ReEncrypt*',
        objects(lake.rawBucket),
        objects(lake.curatedBucket),
      ],
      'Lake Formation vends credentials for any object of the registered buckets; the grants are scoped to those two buckets and their key.',
    );
  }
}
