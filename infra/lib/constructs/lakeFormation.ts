import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type { Construct } from 'constructs';

/** Lake Formation table permissions. */
export type TablePermission = 'SELECT' | 'INSERT' | 'DELETE' | 'ALTER' | 'DESCRIBE' | 'DROP';
/** Lake Formation database permissions. */
export type DatabasePermission = 'DESCRIBE' | 'CREATE_TABLE' | 'ALTER' | 'DROP';

/** Read access to every table of a database. */
export const TABLE_READ: readonly TablePermission[] = ['SELECT', 'DESCRIBE'];
/** What a job that rewrites a zone's tables needs. */
export const TABLE_WRITE: readonly TablePermission[] = ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE'];

/**
 * Grants a role permissions on every table of a database (a table wildcard, so tables added later are
 * covered) and DESCRIBE on the database itself.
 *
 * @param scope - where the grant resources go (the stack of the role)
 * @param id - construct id prefix
 * @param role - the principal
 * @param databaseName - the Glue database
 * @param permissions - table permissions
 * @param databasePermissions - database permissions
 * @returns the two grant resources (database, tables)
 */
export function grantDatabaseTables(
  scope: Construct,
  id: string,
  role: iam.IRole,
  databaseName: string,
  permissions: readonly TablePermission[],
  databasePermissions: readonly DatabasePermission[] = ['DESCRIBE'],
): lakeformation.CfnPrincipalPermissions[] {
  const catalog = Stack.of(scope).account;
  const principal = { dataLakePrincipalIdentifier: role.roleArn };
  const onDatabase = new lakeformation.CfnPrincipalPermissions(scope, `${id}Database`, {
    catalog,
    principal,
    resource: { database: { catalogId: catalog, name: databaseName } },
    permissions: [...databasePermissions],
    permissionsWithGrantOption: [],
  });
  const onTables = new lakeformation.CfnPrincipalPermissions(scope, `${id}Tables`, {
    catalog,
    principal,
    resource: { table: { catalogId: catalog, databaseName, tableWildcard: {} } },
    permissions: [...permissions],
    permissionsWithGrantOption: [],
  });
  onTables.addDependency(onDatabase);
  return [onDatabase, onTables];
}

/**
 * Grants a role DATA_LOCATION_ACCESS on a registered location, so it can create tables or partitions that
 * point there.
 *
 * @param scope - where the grant resource goes
 * @param id - construct id
 * @param role - the principal
 * @param locationArn - the registered S3 location (bucket ARN)
 */
export function grantDataLocation(
  scope: Construct,
  id: string,
  role: iam.IRole,
  locationArn: string,
): lakeformation.CfnPrincipalPermissions {
  const catalog = Stack.of(scope).account;
  return new lakeformation.CfnPrincipalPermissions(scope, id, {
    catalog,
    principal: { dataLakePrincipalIdentifier: role.roleArn },
    resource: { dataLocation: { catalogId: catalog, resourceArn: locationArn } },
    permissions: ['DATA_LOCATION_ACCESS'],
    permissionsWithGrantOption: [],
  });
}
