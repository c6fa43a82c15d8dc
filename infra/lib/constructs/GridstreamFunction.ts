import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLE_TARGET, LAMBDA_RUNTIME, REPO_ROOT } from '../constants.js';
import { acknowledge } from '../nag.js';

/** Props of {@link GridstreamFunction}. */
export interface GridstreamFunctionProps {
  /** Handler file, relative to the repository root (e.g. `lambda/alertConsumer.ts`). */
  readonly entry: string;
  /** What the function does. */
  readonly description: string;
  /** Key encrypting the log group and the environment variables. */
  readonly encryptionKey: kms.IKey;
  /**
   * Environment variables.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory, MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Node.js Lambda bundled locally by esbuild (never Docker): ESM output for the latest Node runtime,
 * arm64, its own role (logging permissions on its own log group only, no managed policy), a KMS-encrypted
 * log group with a retention, and KMS-encrypted environment variables.
 */
export class GridstreamFunction extends Construct {
  /** The function. */
  public readonly function: NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: GridstreamFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: props.environment,
      environmentEncryption: props.encryptionKey,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE_TARGET,
        mainFields: ['module', 'main'],
        // CommonJS dependencies (avsc) call require(); ESM bundles need it defined.
        banner:
          "import { createRequire as __gsCreateRequire } from 'node:module';const require = __gsCreateRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        externalModules: ['@aws-sdk/*'],
      },
    });
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'nodejs22.x is a supported runtime (until 2027) and the newest the pinned cfn-lint validates; see LAMBDA_RUNTIME.',
    );
  }
}
