// The contract between the CDK app's load-worker task definition (infra/) and the launcher that starts it
// (loadtest/ecs/): names, tag keys and paths both sides must agree on. Imports nothing (common/ depends on
// no other unit), so the CDK app and the CLI read the same constants without importing each other.

/** Name of the load worker's container in the task definition: RunTask's container overrides name it. */
export const LOAD_WORKER_CONTAINER = 'loadworker';

/**
 * Tags on the load-worker task definition that tell the launcher where to run it: a `DescribeTaskDefinition`
 * with `include: ['TAGS']` is all `--on ecs` needs besides the environment name. Values hold only the
 * characters tags allow (letters, digits, spaces and `+ - = . _ : / @`), so lists are space-separated.
 */
export const LOAD_WORKER_TAGS = {
  /** The ECS cluster the tasks run in (its name). */
  cluster: 'gridstream:loadtest:cluster',
  /** The private subnets of the tasks, space-separated ids. */
  subnets: 'gridstream:loadtest:subnets',
  /** The security groups of the tasks, space-separated ids. */
  securityGroups: 'gridstream:loadtest:security-groups',
  /** Where runs put their files: `s3://<bucket>/<prefix>`; a run's files go under `<that>/<run id>/`. */
  results: 'gridstream:loadtest:results',
} as const;

/** Key prefix of the runs in the results bucket (the task role may read and write only below it). */
export const LOAD_WORKER_RESULTS_PREFIX = 'runs';

/**
 * Writable directory of the load worker's container (a task volume: the root file system is read-only);
 * `TMPDIR` points here.
 */
export const LOAD_WORKER_SCRATCH_DIR = '/var/lib/gridstream';

/** How long ECS waits after SIGTERM before SIGKILL (Fargate's maximum): time to stop, write and upload. */
export const LOAD_WORKER_STOP_TIMEOUT_SECONDS = 120;

/**
 * Family of the load-worker task definition of an environment: `gridstream-<env>-loadworker`. RunTask and
 * DescribeTaskDefinition take the family for its latest ACTIVE revision.
 *
 * @param envName - the CDK app's environment name (`-c env=…`, a scenario's `target.env`)
 */
export function loadWorkerFamily(envName: string): string {
  return `gridstream-${envName}-loadworker`;
}
