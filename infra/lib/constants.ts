import { fileURLToPath } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';

/** Repository root (asset paths and esbuild's project root). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runtime of every Lambda. The project develops on Node 20, whose Lambda runtime reached end of support in
 * 2026; nodejs22.x is supported until 2027 and is the newest runtime the pinned cfn-lint knows (nodejs24.x,
 * the one cdk-nag AwsSolutions-L1 asks for, fails cfn-lint E3030). The bundles are plain ES2022.
 */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/** esbuild target matching {@link LAMBDA_RUNTIME}. */
export const LAMBDA_BUNDLE_TARGET = 'node22';

/**
 * Feature flags the app is written against (cdk.json's `context` of a new CDK v2 app, only those that change
 * what this app synthesizes). Both `infra/bin` and the tests pass them to `new App({ context })`.
 */
export const FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/aws-ecs:arnFormatIncludesClusterName': true,
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': true,
  '@aws-cdk/aws-events:eventsTargetQueueSameAccount': true,
  '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': false,
};

/** Context key that, set to `true`, skips Lambda bundling (fast unit tests; assets become placeholders). */
export const SKIP_BUNDLING_CONTEXT_KEY = 'gridstream:skipBundling';
