import { App, Tags, Validations } from 'aws-cdk-lib';
import { GridstreamNagChecks } from './compliance.js';
import { type GridstreamConfig, loadConfig } from './config/index.js';
import { FEATURE_FLAGS, SKIP_BUNDLING_CONTEXT_KEY } from './constants.js';
import { stackName } from './naming.js';
import { AlertsStack } from './stacks/AlertsStack.js';
import { AnalyticsStack } from './stacks/AnalyticsStack.js';
import { FoundationStack } from './stacks/FoundationStack.js';
import { GovernanceStack } from './stacks/GovernanceStack.js';
import { IngestionStack } from './stacks/IngestionStack.js';
import { KafkaStack } from './stacks/KafkaStack.js';
import { LakeStack } from './stacks/LakeStack.js';
import { LoadtestStack } from './stacks/LoadtestStack.js';
import { MonitoringStack } from './stacks/MonitoringStack.js';
import { NetworkStack } from './stacks/NetworkStack.js';
import { ProcessingStack } from './stacks/ProcessingStack.js';
import { ProducersStack } from './stacks/ProducersStack.js';
import { StreamsStack } from './stacks/StreamsStack.js';

/** Every stack of one environment; optional ones are absent when their toggles are off. */
export interface GridstreamStacks {
  readonly foundation: FoundationStack;
  readonly network?: NetworkStack;
  readonly streams: StreamsStack;
  readonly lake: LakeStack;
  readonly governance?: GovernanceStack;
  readonly ingestion: IngestionStack;
  readonly alerts: AlertsStack;
  readonly processing: ProcessingStack;
  readonly analytics: AnalyticsStack;
  readonly producers: ProducersStack;
  readonly kafka?: KafkaStack;
  readonly loadtest?: LoadtestStack;
  readonly monitoring: MonitoringStack;
}

/**
 * Adds the stacks of one environment to an app. Stacks are environment-agnostic (no account or region), so
 * `cdk synth` needs no credentials; `cdk deploy` targets the account and region of the caller.
 *
 * @param app - the app
 * @param config - the resolved configuration
 */
export function buildStacks(app: App, config: GridstreamConfig): GridstreamStacks {
  const name = (part: string) => stackName(config.envName, part);
  const common = { config };
  const describe = (what: string) => `gridstream ${config.envName}: ${what}`;

  const foundation = new FoundationStack(app, name('Foundation'), {
    ...common,
    description: describe('operations key and alarm topic'),
  });
  const opsKey = foundation.opsKey;
  const needsNetwork =
    config.producers.fargate || config.redshift.enabled || config.msk.enabled || config.loadtest.enabled;
  const network = needsNetwork
    ? new NetworkStack(app, name('Network'), {
        ...common,
        opsKey,
        description: describe('isolated VPC with endpoints'),
      })
    : undefined;
  const streams = new StreamsStack(app, name('Streams'), {
    ...common,
    description: describe('Kinesis data streams'),
  });
  const lake = new LakeStack(app, name('Lake'), {
    ...common,
    description: describe('lake buckets and Glue tables'),
  });
  const governance = config.lakeFormation.enabled
    ? new GovernanceStack(app, name('Governance'), {
        ...common,
        lake,
        description: describe('Lake Formation settings and locations'),
      })
    : undefined;
  const kafka =
    config.msk.enabled && network
      ? new KafkaStack(app, name('Kafka'), {
          ...common,
          network,
          opsKey,
          description: describe(`MSK ${config.msk.mode === 'PROVISIONED' ? 'provisioned' : 'Serverless'}`),
        })
      : undefined;
  const ingestion = new IngestionStack(app, name('Ingestion'), {
    ...common,
    streams,
    lake,
    opsKey,
    ...(kafka ? { kafka } : {}),
    description: describe(
      `Firehose delivery to the raw zone from ${config.firehose.source === 'MSK' ? 'MSK' : 'Kinesis'}`,
    ),
  });
  const alerts = new AlertsStack(app, name('Alerts'), {
    ...common,
    streams,
    opsKey,
    description: describe('real-time alerts'),
  });
  const processing = new ProcessingStack(app, name('Processing'), {
    ...common,
    lake,
    opsKey,
    description: describe('Glue curation and compaction jobs'),
  });
  const analytics = new AnalyticsStack(app, name('Analytics'), {
    ...common,
    lake,
    ...(network ? { network } : {}),
    description: describe('Athena workgroup, analyst role, Redshift Serverless'),
  });
  const producers = new ProducersStack(app, name('Producers'), {
    ...common,
    streams,
    opsKey,
    ...(network ? { network } : {}),
    description: describe('poller Lambdas and Fargate producers'),
  });
  const loadtest =
    config.loadtest.enabled && network
      ? new LoadtestStack(app, name('Loadtest'), {
          ...common,
          streams,
          lake,
          network,
          opsKey,
          ...(kafka ? { kafka } : {}),
          description: describe('load workers on ECS Fargate and their results bucket'),
        })
      : undefined;
  const monitoring = new MonitoringStack(app, name('Monitoring'), {
    ...common,
    alarmTopic: foundation.alarmTopic,
    streams,
    ingestion,
    alerts,
    processing,
    producers,
    ...(kafka ? { kafka } : {}),
    description: describe('dashboard and alarms'),
  });
  if (governance) {
    // Lake Formation grants in these stacks need the settings (admins) and registered locations first.
    for (const stack of [ingestion, processing, analytics]) stack.addStackDependency(governance);
  }
  // The pinned cfn-lint's schemas predate Tags on these types (E3002); they need no cost-allocation tags.
  const tagOptions = { excludeResourceTypes: ['AWS::Events::Rule', 'AWS::CloudWatch::Dashboard'] };
  Tags.of(app).add('project', 'gridstream', tagOptions);
  Tags.of(app).add('environment', config.envName, tagOptions);
  return {
    foundation,
    ...(network ? { network } : {}),
    streams,
    lake,
    ...(governance ? { governance } : {}),
    ingestion,
    alerts,
    processing,
    analytics,
    producers,
    ...(kafka ? { kafka } : {}),
    ...(loadtest ? { loadtest } : {}),
    monitoring,
  };
}

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /**
   * Context values (as `-c key=value` would give), merged over {@link FEATURE_FLAGS}.
   * @default none
   */
  readonly context?: Record<string, unknown>;
  /**
   * Cloud assembly directory.
   * @default the CDK CLI's, or a temporary directory
   */
  readonly outdir?: string;
  /**
   * Register cdk-nag's AwsSolutions pack so synthesis fails on unacknowledged findings.
   * @default false
   */
  readonly nag?: boolean;
  /**
   * Run the CDK's built-in CloudFormation validation on synth (about ten seconds for this app; the tests
   * run cfn-lint on the templates instead).
   * @default true
   */
  readonly builtinValidation?: boolean;
}

/** An app with the stacks of the configured environment. */
export interface GridstreamApp {
  readonly app: App;
  readonly config: GridstreamConfig;
  readonly stacks: GridstreamStacks;
}

/**
 * Creates the CDK app: reads the configuration from the context (see `loadConfig`) and adds the stacks.
 *
 * @param options - context, output directory, cdk-nag
 */
export function createApp(options: CreateAppOptions = {}): GridstreamApp {
  const context: Record<string, unknown> = { ...FEATURE_FLAGS, ...options.context };
  // Skipping bundling (unit tests) makes every NodejsFunction asset a placeholder.
  if (context[SKIP_BUNDLING_CONTEXT_KEY] === true || context[SKIP_BUNDLING_CONTEXT_KEY] === 'true') {
    context['aws:cdk:bundling-stacks'] = [];
  }
  const app = new App({
    context,
    builtinCloudFormationValidation: options.builtinValidation ?? true,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = loadConfig(app.node);
  const stacks = buildStacks(app, config);
  if (options.nag) Validations.of(app).addPlugins(new GridstreamNagChecks(app));
  return { app, config, stacks };
}
