import type { CfnResource } from 'aws-cdk-lib';
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on a construct (and everything below it), with the reason it is
 * acceptable. The id is a rule (`AwsSolutions-S1`) or a finding (`AwsSolutions-IAM5[Resource::...]`).
 *
 * @param scope - the construct the finding is on, or an ancestor
 * @param id - rule or finding id
 * @param reason - why it is acceptable here
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20)
    throw new Error(`acknowledgement of ${id} needs a real reason, got ${JSON.stringify(reason)}`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The `<LogicalId.Arn>` form cdk-nag uses for a resource's ARN inside IAM5 finding ids.
 *
 * @param resource - the CloudFormation resource (e.g. `bucket.node.defaultChild`)
 */
export function nagArnRef(resource: CfnResource): string {
  return `<${Stack.of(resource).resolve(resource.logicalId)}.Arn>`;
}

/**
 * Acknowledges the IAM5 findings a `grant*` on a bucket or key produces: object ARNs end in `/*`, and the
 * CDK's grant action lists use prefix wildcards (`s3:GetObject*`, `kms:GenerateDataKey*`), all scoped to
 * that one resource.
 *
 * @param scope - the policy's owner (role or stack)
 * @param findings - finding suffixes, e.g. `Action::s3:GetObject*` or `Resource::<Bucket.Arn>/*`
 * @param reason - why the wildcard is scoped enough
 */
export function acknowledgeIam5(scope: IConstruct, findings: readonly string[], reason: string): void {
  for (const f of findings) acknowledge(scope, `AwsSolutions-IAM5[${f}]`, reason);
}
