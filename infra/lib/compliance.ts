import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** A class of cdk-nag findings acknowledged by id pattern, with the reason it is acceptable. */
export interface NagFindingPattern {
  /** Matches the finding id, e.g. `AwsSolutions-IAM5[Resource::<export>/raw/grid/*]`. */
  readonly id: RegExp;
  readonly reason: string;
}

/**
 * Findings acknowledged by pattern: their ids embed CloudFormation export names (cross-stack ARNs), which are
 * generated, so they cannot be listed literally (cdk-nag v2 offered regex `appliesTo` for the same purpose).
 * Everything else is acknowledged on its construct with `acknowledge()` (infra/lib/nag.ts).
 */
export const NAG_FINDING_PATTERNS: readonly NagFindingPattern[] = [
  {
    id: /^AwsSolutions-IAM5\[Resource::[^\]]*\/(raw|errors|curated|gold|athena|_tmp|runs)\/([a-z_]+\/)?\*\]$/,
    reason:
      "Object ARNs under one prefix of one lake bucket (raw/<dataset>/*, errors/*, curated/*, gold/*, athena/*, _tmp/*, the load-test results bucket's runs/*): S3 object permissions can only be scoped by prefix, and each role gets only the prefixes it reads or writes.",
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::[^\]]*(RawBucket|CuratedBucket)[^\]]*\/\*\]$/,
    reason:
      'Lake Formation credential vending (the data access role) reads any object of the registered raw and curated buckets; the grant names those two buckets only.',
  },
];

/**
 * AwsSolutions checks with {@link NAG_FINDING_PATTERNS} applied: a violating resource whose finding id matches
 * a pattern is dropped from the report.
 *
 * @param violations - the report of `AwsSolutionsChecks.validateScope`
 * @param patterns - acknowledged patterns
 * @returns the remaining violations and how many resources each pattern acknowledged
 */
export function applyFindingPatterns(
  violations: readonly PolicyViolation[],
  patterns: readonly NagFindingPattern[] = NAG_FINDING_PATTERNS,
): { remaining: PolicyViolation[]; acknowledged: Map<NagFindingPattern, number> } {
  const acknowledged = new Map<NagFindingPattern, number>();
  const remaining: PolicyViolation[] = [];
  for (const v of violations) {
    const pattern = patterns.find((p) => p.id.test(v.ruleName));
    if (pattern) acknowledged.set(pattern, (acknowledged.get(pattern) ?? 0) + v.violatingResources.length);
    else remaining.push(v);
  }
  return { remaining, acknowledged };
}

/**
 * cdk-nag's AwsSolutions pack as a validation plugin (`Validations.of(app).addPlugins(...)`), with the
 * pattern acknowledgements of {@link NAG_FINDING_PATTERNS}.
 */
export class GridstreamNagChecks implements IPolicyValidationPlugin {
  public readonly name = 'AwsSolutions';
  private readonly pack: AwsSolutionsChecks;

  public constructor(scope: IConstruct) {
    this.pack = new AwsSolutionsChecks(scope);
  }

  /** Runs the pack on a construct tree and applies the patterns. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const { remaining } = applyFindingPatterns(this.pack.validateScope(scope).violations);
    return { success: remaining.every((v) => v.severity !== 'error'), violations: remaining };
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const app = (context as IPolicyValidationContext & { appConstruct?: IConstruct }).appConstruct;
    if (!app)
      throw new Error('cdk-nag needs the construct tree on the validation context (aws-cdk-lib >= 2.257)');
    return this.validateScope(app);
  }
}

/** A class of IAM statements allowed to use `*` in an action or resource, with the reason. */
export interface IamWildcardAllowance {
  /** What the entry covers, for messages. */
  readonly name: string;
  /** Every action of the statement must match. */
  readonly actions: RegExp;
  /** The wildcard resource (rendered as text, tokens as `<...>`) must match. */
  readonly resource: RegExp;
  /** `<stack>/<logical id>` of the policy must match. @default any policy */
  readonly policy?: RegExp;
  readonly reason: string;
}

/**
 * The only IAM statements that may contain `*` (test/infra/compliance.test.ts scans every policy of every
 * template). No statement may have a wildcard action at all.
 */
export const IAM_WILDCARD_ALLOW_LIST: readonly IamWildcardAllowance[] = [
  {
    name: 'API without resource-level permissions',
    actions: /^(lakeformation:GetDataAccess|ecr:GetAuthorizationToken|cloudwatch:PutMetricData)$/,
    resource: /^\*$/,
    reason:
      'These actions accept only "*" as resource: lakeformation:GetDataAccess (access is decided by the Lake Formation grants), ecr:GetAuthorizationToken (pulls are limited to the assets repository), cloudwatch:PutMetricData (limited to the Glue namespace by condition).',
  },
  {
    name: 'objects under one lake prefix',
    actions: /^s3:(GetObject|PutObject|DeleteObject|AbortMultipartUpload)$/,
    resource:
      /\/(raw\/(grid|weather|transactions)|raw|errors|curated|gold|athena|_tmp|curated\/_state|runs)\/\*$/,
    reason:
      'S3 object permissions are scoped by key prefix; each role gets exactly the prefixes it reads or writes (the load workers: runs/* of the load-test results bucket).',
  },
  {
    name: 'Lake Formation data access role',
    actions: /^s3:(GetObject|PutObject|DeleteObject|AbortMultipartUpload)$/,
    resource: /(RawBucket|CuratedBucket)[0-9A-F]{8}Arn[0-9A-F]{8}>\/\*$/,
    policy: /-Governance\/DataAccessRole/,
    reason:
      'Lake Formation vends credentials for any table location in the registered raw and curated buckets; the role is assumable by Lake Formation only.',
  },
  {
    name: 'Glue job log groups',
    actions: /^logs:(CreateLogGroup|CreateLogStream|PutLogEvents|AssociateKmsKey)$/,
    resource: /:log-group:\/aws-glue\/\*$/,
    policy: /-Processing\//,
    reason: 'Glue names its job log groups under /aws-glue/ (suffixed per security configuration).',
  },
];
