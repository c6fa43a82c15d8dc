import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type StopTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_WORKER_CONTAINER, LOAD_WORKER_TAGS } from '../../../common/loadWorkerTask.js';
import { createS3Client } from '../../../datalake/storage/index.js';
import { SCENARIO_DIR, WORKER_FORMAT } from '../../../loadtest/constants.js';
import {
  DEFAULT_START_DELAY_MS,
  describeLoadWorkerTarget,
  downloadWorkerResults,
  EcsLaunchError,
  launchEcsWorkers,
  parseWorkerArgs,
  publishWorkerResult,
  STOP_REASONS,
  stageWorkerScenario,
  WORKER_ENV,
} from '../../../loadtest/ecs/index.js';
import { ScenarioError } from '../../../loadtest/errors.js';
import { MotoServer } from '../../delivery/support/motoServer.js';
import { hasPython } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tempDir.js';

// The ECS API cannot run here: a fake client answers RunTask / DescribeTasks / StopTask /
// DescribeTaskDefinition (the fault-free protocol and a task that exits 1). Everything on S3 — the scenario
// upload, the workers' download of it and their result uploads, the copy into RUN_DIR — runs against moto.

let moto: MotoServer;
let s3: S3Client;
let bucket: string;
beforeAll(async () => {
  if (!hasPython()) return;
  moto = await MotoServer.start();
  s3 = createS3Client(moto.endpoint);
  bucket = `loadtest-results-${process.pid}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}, 90_000);
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

const NOW = Date.parse('2026-12-05T03:00:00Z');
const CLUSTER = 'gridstream-dev-loadtest';
const TASK_DEF = 'gridstream-dev-loadworker';

/** What a fake task does when it "runs": its exit code, and whether it writes its result file. */
interface FakeBehaviour {
  readonly exitCode: number;
  readonly writesResult: boolean;
  /** Keep running until StopTask (an interrupted run). */
  readonly untilStopped?: boolean;
}

/**
 * A fake ECS client: RunTask starts a task that goes PROVISIONING → RUNNING → STOPPED over three
 * DescribeTasks polls (or stays RUNNING until StopTask). A "running" task does what the load worker's
 * contract says, for real against S3: it parses its command, downloads its scenario and uploads
 * `workers/w<i>.json`.
 */
class FakeEcs {
  public readonly runTasks: RunTaskCommandInput[] = [];
  public readonly stops: StopTaskCommandInput[] = [];
  public describeCalls = 0;
  /** RunTask of these indexes answers with a failure instead of a task. */
  public failRunTaskOf = new Set<number>();
  private readonly tasks = new Map<
    string,
    { polls: number; task: Task; behaviour: FakeBehaviour; stopped: boolean }
  >();

  public constructor(
    private readonly behaviour: (index: number) => FakeBehaviour,
    private readonly s3Client: S3Client,
  ) {}

  public get client(): ECSClient {
    // A fake implementing the one method the launcher calls.
    return this as unknown as ECSClient;
  }

  public async send(command: unknown): Promise<unknown> {
    if (command instanceof RunTaskCommand) return this.runTask(command.input);
    if (command instanceof DescribeTasksCommand) return this.describeTasks(command.input.tasks ?? []);
    if (command instanceof StopTaskCommand) {
      this.stops.push(command.input);
      const t = this.tasks.get(command.input.task ?? '');
      if (t) t.stopped = true;
      return {};
    }
    throw new Error(`FakeEcs: unexpected command ${(command as object).constructor.name}`);
  }

  private async runTask(input: RunTaskCommandInput): Promise<unknown> {
    this.runTasks.push(input);
    const command = input.overrides?.containerOverrides?.[0]?.command ?? [];
    const args = parseWorkerArgs(command);
    if (this.failRunTaskOf.has(args.index)) {
      return { tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free IP in subnet-a' }] };
    }
    const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/task${args.index}${'0'.repeat(26)}`;
    const behaviour = this.behaviour(args.index);
    this.tasks.set(taskArn, {
      polls: 0,
      task: { taskArn, lastStatus: 'PROVISIONING', containers: [{ name: LOAD_WORKER_CONTAINER }] },
      behaviour,
      stopped: false,
    });
    // The container's work, done now: the contract's side effects on S3.
    const scenario = await stageWorkerScenario(args.scenario, { s3Client: this.s3Client });
    if (behaviour.writesResult) {
      const result = {
        format: WORKER_FORMAT,
        worker: `w${args.index}`,
        index: args.index,
        of: args.of,
        scenario_file: readFileSync(scenario, 'utf8').length > 0 ? 'read' : 'empty',
        datasets: {},
      };
      await publishWorkerResult(args.results, args.index, JSON.stringify(result), {
        s3Client: this.s3Client,
      });
    }
    return { tasks: [{ taskArn, lastStatus: 'PROVISIONING' }], failures: [] };
  }

  private describeTasks(arns: readonly string[]): unknown {
    this.describeCalls++;
    const tasks: Task[] = [];
    for (const arn of arns) {
      const t = this.tasks.get(arn);
      if (!t) continue;
      t.polls++;
      const running = t.behaviour.untilStopped ? !t.stopped : t.polls < 3;
      if (t.polls === 1 && running) tasks.push({ ...t.task, lastStatus: 'PROVISIONING' });
      else if (running) tasks.push({ ...t.task, lastStatus: 'RUNNING', startedAt: new Date(NOW + 60_000) });
      else {
        const exit = t.behaviour.exitCode;
        tasks.push({
          ...t.task,
          lastStatus: 'STOPPED',
          stopCode: t.stopped ? 'UserInitiated' : 'EssentialContainerExited',
          stoppedReason: t.stopped ? STOP_REASONS.interrupted : 'Essential container in task exited',
          startedAt: new Date(NOW + 60_000),
          stoppedAt: new Date(NOW + 600_000),
          containers: [{ name: LOAD_WORKER_CONTAINER, exitCode: exit, lastStatus: 'STOPPED' }],
        });
      }
    }
    return { tasks, failures: [] };
  }
}

/** smoke.yaml with the AWS target, as the run's effective copy (RUN_DIR/scenario.yaml) would be. */
function awsScenario(): string {
  const file = join(tempDir('ecs-scenario'), 'smoke.yaml');
  const text = readFileSync(join(SCENARIO_DIR, 'smoke.yaml'), 'utf8');
  expect(text).toContain('  kind: embedded\n');
  writeFileSync(file, text.replace('  kind: embedded\n', '  kind: aws\n  env: dev\n'));
  return file;
}

const TARGET = {
  cluster: CLUSTER,
  taskDefinition: TASK_DEF,
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
};

describe.skipIf(!hasPython())('launchEcsWorkers (fake ECS, moto S3)', () => {
  it('starts one task per worker with its own overrides, waits, reports a task that exited 1, and copies the results', async () => {
    // Prepare: three workers, w1 exits 1 without a result file.
    const ecs = new FakeEcs(
      (i) => (i === 1 ? { exitCode: 1, writesResult: false } : { exitCode: 0, writesResult: true }),
      s3,
    );
    const runId = 'smoke-20261205T030000Z';
    const resultsUri = `s3://${bucket}/runs/${runId}`;
    const runDir = tempDir('ecs-run');
    const delays: number[] = [];
    const lines: string[] = [];
    // Act
    const outcome = await launchEcsWorkers({
      ...TARGET,
      scenario: awsScenario(),
      runId,
      workers: 3,
      resultsUri,
      runDir,
      client: ecs.client,
      s3Client: s3,
      now: () => NOW,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onProgress: (l) => lines.push(l),
    });
    // Assess: the overrides of each RunTask
    expect(ecs.runTasks).toHaveLength(3);
    const startAt = new Date(NOW + DEFAULT_START_DELAY_MS).toISOString();
    ecs.runTasks.forEach((input, i) => {
      expect(input).toMatchObject({
        cluster: CLUSTER,
        taskDefinition: TASK_DEF,
        launchType: 'FARGATE',
        count: 1,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-a', 'subnet-b'],
            securityGroups: ['sg-1'],
            assignPublicIp: 'DISABLED',
          },
        },
        startedBy: `gridstream-loadtest/smoke-20261205T030000Z`,
      });
      const override = input.overrides?.containerOverrides?.[0];
      expect(override?.name).toBe(LOAD_WORKER_CONTAINER);
      expect(parseWorkerArgs(override?.command ?? [])).toEqual({
        index: i,
        of: 3,
        runId,
        scenario: `${resultsUri}/scenario/smoke.yaml`,
        results: resultsUri,
        startAt,
      });
      expect(override?.environment).toEqual([
        { name: WORKER_ENV.run, value: runId },
        { name: WORKER_ENV.worker, value: `w${i}` },
      ]);
    });
    expect(new Set(ecs.runTasks.map((r) => r.clientToken)).size).toBe(3);
    expect(outcome.startAt).toBe(startAt);
    // ... the end of each task
    expect(outcome.workers.map((w) => [w.worker, w.outcome, w.exitCode])).toEqual([
      ['w0', 'succeeded', 0],
      ['w1', 'failed', 1],
      ['w2', 'succeeded', 0],
    ]);
    expect(outcome.workers[1]).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      startedAt: '2026-12-05T03:01:00.000Z',
      stoppedAt: '2026-12-05T03:10:00.000Z',
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.problems).toEqual([
      `w1 (task task1${'0'.repeat(26)}) exited with code 1, stop code EssentialContainerExited, reason: Essential container in task exited`,
      `w1 left no result file in ${resultsUri}/workers/`,
    ]);
    expect(lines.some((l) => l.includes('w1') && l.includes('exited with code 1'))).toBe(true);
    // ... the results copied into RUN_DIR/workers, as the workers wrote them
    expect(outcome.results.missing).toEqual(['w1']);
    expect(Object.keys(outcome.results.files).sort()).toEqual(['w0', 'w2']);
    const w2 = JSON.parse(readFileSync(join(runDir, 'workers', 'w2.json'), 'utf8'));
    expect(w2).toMatchObject({
      format: WORKER_FORMAT,
      worker: 'w2',
      index: 2,
      of: 3,
      scenario_file: 'read',
    });
    expect(existsSync(join(runDir, 'workers', 'w1.json'))).toBe(false);
    // ... polling: three DescribeTasks (one batch each), waits growing from 5 s
    expect(ecs.describeCalls).toBe(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(4_500);
    expect(delays[0]).toBeLessThanOrEqual(5_500);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(ecs.stops).toEqual([]);
  });

  it('stops the tasks already started and fails when a worker cannot start', async () => {
    // Prepare
    const ecs = new FakeEcs(() => ({ exitCode: 0, writesResult: true }), s3);
    ecs.failRunTaskOf = new Set([2]);
    // Act
    const error = await launchEcsWorkers({
      ...TARGET,
      scenario: awsScenario(),
      runId: 'smoke-failstart',
      workers: 4,
      resultsUri: `s3://${bucket}/runs/smoke-failstart`,
      runDir: tempDir('ecs-run'),
      client: ecs.client,
      s3Client: s3,
      sleep: async () => undefined,
    }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EcsLaunchError);
    expect((error as Error).message).toContain(
      'w2: RunTask started no task: RESOURCE:ENI (no free IP in subnet-a)',
    );
    expect((error as Error).message).toContain('stopped the 2 already started');
    expect(ecs.runTasks).toHaveLength(3);
    expect(ecs.stops.map((s) => [s.task?.includes('task0') || s.task?.includes('task1'), s.reason])).toEqual([
      [true, STOP_REASONS.launchFailed],
      [true, STOP_REASONS.launchFailed],
    ]);
    expect(ecs.describeCalls).toBe(0);
  });

  it('stops every task when interrupted, waits for them, and still collects what they wrote', async () => {
    // Prepare: the tasks run until stopped; they write their results (as a worker does on SIGTERM).
    const ecs = new FakeEcs(() => ({ exitCode: 0, writesResult: true, untilStopped: true }), s3);
    const controller = new AbortController();
    let polls = 0;
    const runDir = tempDir('ecs-run');
    // Act: Ctrl-C during the second wait
    const outcome = await launchEcsWorkers({
      ...TARGET,
      scenario: awsScenario(),
      runId: 'smoke-interrupted',
      workers: 2,
      resultsUri: `s3://${bucket}/runs/smoke-interrupted`,
      runDir,
      client: ecs.client,
      s3Client: s3,
      signal: controller.signal,
      sleep: async () => {
        if (++polls === 2) controller.abort();
      },
    });
    // Assess
    expect(outcome.interrupted).toBe(true);
    expect(ecs.stops.map((s) => s.reason)).toEqual([STOP_REASONS.interrupted, STOP_REASONS.interrupted]);
    expect(outcome.workers.map((w) => [w.outcome, w.stopCode])).toEqual([
      ['succeeded', 'UserInitiated'],
      ['succeeded', 'UserInitiated'],
    ]);
    expect(Object.keys(outcome.results.files).sort()).toEqual(['w0', 'w1']);
    expect(outcome.ok).toBe(true);
  });

  it('refuses a bad scenario, an embedded target and a results location off S3 before any task starts', async () => {
    const ecs = new FakeEcs(() => ({ exitCode: 0, writesResult: true }), s3);
    const dir = tempDir('ecs-bad');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'target: { kind: embedded }\ndatasets: { grid: { profile: [ { kind: constant, rate: -1, duration: 1s } ] } }\n',
    );
    const base = { ...TARGET, runId: 'r1', workers: 2, runDir: dir, client: ecs.client, s3Client: s3 };
    await expect(
      launchEcsWorkers({ ...base, scenario: bad, resultsUri: `s3://${bucket}/runs/r1` }),
    ).rejects.toBeInstanceOf(ScenarioError);
    await expect(
      launchEcsWorkers({ ...base, scenario: 'smoke', resultsUri: `s3://${bucket}/runs/r1` }),
    ).rejects.toThrow(/target.kind embedded runs the pipeline on this machine/);
    await expect(launchEcsWorkers({ ...base, scenario: awsScenario(), resultsUri: dir })).rejects.toThrow(
      /must go to s3:\/\/bucket\/prefix/,
    );
    await expect(
      launchEcsWorkers({
        ...base,
        scenario: awsScenario(),
        workers: 0,
        resultsUri: `s3://${bucket}/runs/r1`,
      }),
    ).rejects.toThrow('--workers must be an integer in 1..1000, got 0');
    expect(ecs.runTasks).toEqual([]);
  });
});

describe.skipIf(!hasPython())('downloadWorkerResults (moto S3)', () => {
  it('copies worker files and reports objects that are not worker results, without copying them', async () => {
    // Prepare
    const prefix = 'runs/dl-1';
    const put = (key: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}`, Body: body }));
    await put('workers/w0.json', JSON.stringify({ format: WORKER_FORMAT, worker: 'w0' }));
    await put('workers/w1.json', '{ not json');
    await put('workers/notes.json', JSON.stringify({ format: 'something-else/1' }));
    await put('workers/nested/w9.json', JSON.stringify({ format: WORKER_FORMAT }));
    const runDir = tempDir('ecs-dl');
    // Act
    const got = await downloadWorkerResults(`s3://${bucket}/${prefix}`, runDir, { s3Client: s3, workers: 3 });
    // Assess
    expect(Object.keys(got.files)).toEqual(['w0']);
    expect(got.missing).toEqual(['w1', 'w2']);
    expect(got.invalid.map((x) => x.key)).toEqual(['workers/notes.json', 'workers/w1.json']);
    expect(got.invalid[0]!.reason).toBe('format "something-else/1", expected gridstream-loadtest-worker/1');
    expect(existsSync(join(runDir, 'workers', 'w1.json'))).toBe(false);
    expect(existsSync(join(runDir, 'workers', 'w9.json'))).toBe(false);
  });
});

describe('describeLoadWorkerTarget (fake ECS)', () => {
  function fakeDescribe(answer: () => unknown): { client: ECSClient; inputs: unknown[] } {
    const inputs: unknown[] = [];
    const client = {
      send: async (command: unknown) => {
        expect(command).toBeInstanceOf(DescribeTaskDefinitionCommand);
        inputs.push((command as DescribeTaskDefinitionCommand).input);
        return answer();
      },
    } as unknown as ECSClient;
    return { client, inputs };
  }
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/gridstream-dev-loadworker:3';
  const tags = [
    { key: LOAD_WORKER_TAGS.cluster, value: 'gridstream-dev-loadtest' },
    { key: LOAD_WORKER_TAGS.subnets, value: 'subnet-a subnet-b subnet-c' },
    { key: LOAD_WORKER_TAGS.securityGroups, value: 'sg-1' },
    { key: LOAD_WORKER_TAGS.results, value: 's3://gridstream-dev-loadtest-results/runs' },
    { key: 'project', value: 'gridstream' },
  ];

  it("reads the environment's task definition and its tags", async () => {
    const { client, inputs } = fakeDescribe(() => ({
      taskDefinition: { taskDefinitionArn: arn, containerDefinitions: [{ name: LOAD_WORKER_CONTAINER }] },
      tags,
    }));
    const target = await describeLoadWorkerTarget({ env: 'dev', client });
    expect(inputs).toEqual([{ taskDefinition: 'gridstream-dev-loadworker', include: ['TAGS'] }]);
    expect(target).toEqual({
      cluster: 'gridstream-dev-loadtest',
      taskDefinition: arn,
      taskDefinitionArn: arn,
      subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
      securityGroups: ['sg-1'],
      resultsBase: 's3://gridstream-dev-loadtest-results/runs',
    });
  });

  it('says how to deploy when there is no such task definition, and names a missing tag', async () => {
    const missing = fakeDescribe(() => {
      throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
    });
    await expect(
      describeLoadWorkerTarget({ env: 'qa', region: 'eu-west-1', client: missing.client }),
    ).rejects.toThrow(
      'no load-worker task definition gridstream-qa-loadworker in eu-west-1 (ClientException: Unable to describe task definition.); deploy it with `npx cdk deploy --all -c gridstream.loadtest.enabled=true`',
    );
    const untagged = fakeDescribe(() => ({
      taskDefinition: { taskDefinitionArn: arn, containerDefinitions: [{ name: LOAD_WORKER_CONTAINER }] },
      tags: tags.filter((t) => t.key !== LOAD_WORKER_TAGS.subnets),
    }));
    await expect(describeLoadWorkerTarget({ env: 'dev', client: untagged.client })).rejects.toThrow(
      `has no tag ${LOAD_WORKER_TAGS.subnets}`,
    );
  });
});
