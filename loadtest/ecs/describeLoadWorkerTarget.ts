import {
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandOutput,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { LOAD_WORKER_CONTAINER, LOAD_WORKER_TAGS, loadWorkerFamily } from '../../common/loadWorkerTask.js';
import { EcsLaunchError } from './errors.js';
import { createEcsClient } from './launchEcsWorkers.js';
import type { DeployedLoadWorker } from './types.js';

/** Options of {@link describeLoadWorkerTarget}. */
export interface DescribeLoadWorkerTargetOptions {
  /** The CDK app's environment (`-c env=…`; a scenario's `target.env`): the family is `gridstream-<env>-loadworker`. */
  readonly env?: string;
  /** A task definition (family, `family:revision` or ARN) instead of the environment's. */
  readonly taskDefinition?: string;
  /** Region. @default `AWS_REGION` */
  readonly region?: string;
  /** ECS client. @default a new one */
  readonly client?: ECSClient;
}

/**
 * Finds where an environment's load workers run: reads the load-worker task definition deployed by the CDK
 * app (`-c gridstream.loadtest.enabled=true`) with its tags, which name the cluster, the private subnets,
 * the security group and the results prefix. One DescribeTaskDefinition call, before any task starts, so a
 * missing deployment is a clear error and not a failed run.
 *
 * @param options - environment or task definition, region, client
 * @returns the target for {@link launchEcsWorkers} and the results base (`s3://<bucket>/runs`)
 * @throws EcsLaunchError when the task definition does not exist or lacks a tag
 * @example
 * ```ts
 * const target = await describeLoadWorkerTarget({ env: 'dev', region: 'us-east-1' });
 * // { cluster: 'gridstream-dev-loadtest', taskDefinition: 'arn:…:task-definition/gridstream-dev-loadworker:3', … }
 * ```
 */
export async function describeLoadWorkerTarget(
  options: DescribeLoadWorkerTargetOptions,
): Promise<DeployedLoadWorker> {
  const family = options.taskDefinition ?? (options.env ? loadWorkerFamily(options.env) : undefined);
  if (!family)
    throw new EcsLaunchError('name the environment (target.env) or the load-worker task definition');
  const client = options.client ?? createEcsClient(options.region);
  let out: DescribeTaskDefinitionCommandOutput;
  try {
    out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
  } catch (err) {
    const e = err as Error;
    const region = options.region ?? process.env.AWS_REGION ?? 'the default region';
    throw new EcsLaunchError(
      `no load-worker task definition ${family} in ${region} (${e.name}: ${e.message}); deploy it with ` +
        '`npx cdk deploy --all -c gridstream.loadtest.enabled=true` (docs/LOADTEST.md, "At scale on AWS")',
      { cause: err },
    );
  }
  const def = out.taskDefinition;
  if (!def?.taskDefinitionArn)
    throw new EcsLaunchError(`DescribeTaskDefinition ${family} returned no task definition`);
  if (!def.containerDefinitions?.some((c) => c.name === LOAD_WORKER_CONTAINER)) {
    throw new EcsLaunchError(
      `task definition ${def.taskDefinitionArn} has no container named ${LOAD_WORKER_CONTAINER}: not a gridstream load worker`,
    );
  }
  const tags = new Map((out.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  const tag = (key: string): string => {
    const v = tags.get(key)?.trim();
    if (!v) {
      throw new EcsLaunchError(
        `task definition ${def.taskDefinitionArn} has no tag ${key}: redeploy the load-worker stack of this version`,
      );
    }
    return v;
  };
  const list = (key: string) => tag(key).split(/\s+/);
  return {
    cluster: tag(LOAD_WORKER_TAGS.cluster),
    taskDefinition: def.taskDefinitionArn,
    taskDefinitionArn: def.taskDefinitionArn,
    subnets: list(LOAD_WORKER_TAGS.subnets),
    securityGroups: list(LOAD_WORKER_TAGS.securityGroups),
    resultsBase: tag(LOAD_WORKER_TAGS.results).replace(/\/+$/, ''),
  };
}
