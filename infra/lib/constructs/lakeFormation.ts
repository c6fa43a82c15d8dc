import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';

/** Lake Formation table permissions. */
export type TablePermission = 'SELECT' | 'INSERT' | 'DELETE' | 'ALTER' | 'DESCRIBE' | 'DROP';
/** Lake Formation database permissions. */
export type DatabasePermission = 'DESCRIBE' | 'CREATE_TABLE' | 'ALTER' | 'DROP';

/** Read access to a table. */
export const TABLE_READ: readonly TablePermission[] = ['SELECT', 'DESCRIBE'];
/** What a job that rewrites a table (and its partitions) needs. */
export const TABLE_WRITE: readonly TablePermission[] = ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE'];

/** Props of {@link LakeFormationGrants}. */
export interface LakeFormationGrantsProps {
  /** The principal. */
  readonly role: iam.IRole;
  /** The Glue database. */
  readonly databaseName: string;
  /**
   * Database permissions.
   * @default ['DESCRIBE']
   */
  readonly databasePermissions?: readonly DatabasePermission[];
  /** Table name → permissions. */
  readonly tables: Readonly<Record<string, readonly TablePermission[]>>;
  /**
   * Registered S3 locations (bucket ARNs) the role may create tables and partitions in.
   * @default none
   */
  readonly dataLocations?: readonly string[];
}

/**
 * Lake Formation grants of one principal: DESCRIBE (or more) on the database, the given permissions on each
 * named table, DATA_LOCATION_ACCESS on locations. Grants are never grantable onwards.
 */
export class LakeFormationGrants extends Construct {
  /** Every grant resource (depend on these before using the access). */
  public readonly grants: lakeformation.CfnPrincipalPermissions[] = [];

  public constructor(scope: Construct, id: string, props: LakeFormationGrantsProps) {
    super(scope, id);
    const catalog = Stack.of(this).account;
    const principal = { dataLakePrincipalIdentifier: props.role.roleArn };
    const onDatabase = new lakeformation.CfnPrincipalPermissions(this, 'Database', {
      catalog,
      principal,
      resource: { database: { catalogId: catalog, name: props.databaseName } },
      permissions: [...(props.databasePermissions ?? ['DESCRIBE'])],
      permissionsWithGrantOption: [],
    });
    this.grants.push(onDatabase);
    for (const [table, permissions] of Object.entries(props.tables)) {
      const grant = new lakeformation.CfnPrincipalPermissions(this, `Table-${table}`, {
        catalog,
        principal,
        resource: { table: { catalogId: catalog, databaseName: props.databaseName, name: table } },
        permissions: [...permissions],
        permissionsWithGrantOption: [],
      });
      grant.addResourceDependency(onDatabase);
      this.grants.push(grant);
    }
    (props.dataLocations ?? []).forEach((resourceArn, i) => {
      this.grants.push(
        new lakeformation.CfnPrincipalPermissions(this, `Location${i}`, {
          catalog,
          principal,
          resource: { dataLocation: { catalogId: catalog, resourceArn } },
          permissions: ['DATA_LOCATION_ACCESS'],
          permissionsWithGrantOption: [],
        }),
      );
    });
  }
}

/**
 * The same permissions on several tables.
 *
 * @param tables - table names
 * @param permissions - permissions on each
 */
export function onTables(
  tables: readonly string[],
  permissions: readonly TablePermission[],
): Record<string, readonly TablePermission[]> {
  return Object.fromEntries(tables.map((t) => [t, permissions]));
}
