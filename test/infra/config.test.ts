import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG,
  loadConfig,
  overrideFromString,
  resolveConfig,
} from '../../infra/lib/config/index.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../stream-processors/alerts/index.js';
import { tempDir } from '../helpers/tempDir.js';

function problemsOf(input: unknown): readonly string[] {
  try {
    resolveConfig([input]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

function tempConfigFile(content: unknown): string {
  const file = join(tempDir('config'), 'gridstream.config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('config defaults', () => {
  it('resolves to the defaults when nothing is given', () => {
    expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['envName', (c: typeof DEFAULT_CONFIG) => c.envName, 'dev'],
    ['streams.mode', (c: typeof DEFAULT_CONFIG) => c.streams.mode, 'ON_DEMAND'],
    ['streams.shardCount', (c: typeof DEFAULT_CONFIG) => c.streams.shardCount, 1],
    ['streams.retentionHours', (c: typeof DEFAULT_CONFIG) => c.streams.retentionHours, 24],
    ['firehose.bufferSizeMiB', (c: typeof DEFAULT_CONFIG) => c.firehose.bufferSizeMiB, 128],
    ['firehose.bufferIntervalSeconds', (c: typeof DEFAULT_CONFIG) => c.firehose.bufferIntervalSeconds, 300],
    ['firehose.transformLambda', (c: typeof DEFAULT_CONFIG) => c.firehose.transformLambda, true],
    ['firehose.source', (c: typeof DEFAULT_CONFIG) => c.firehose.source, 'KINESIS'],
    ['lake.rawInfrequentAccessDays', (c: typeof DEFAULT_CONFIG) => c.lake.rawInfrequentAccessDays, 30],
    ['lake.rawExpirationDays', (c: typeof DEFAULT_CONFIG) => c.lake.rawExpirationDays, 730],
    ['lake.errorExpirationDays', (c: typeof DEFAULT_CONFIG) => c.lake.errorExpirationDays, 90],
    [
      'lake.athenaResultsExpirationDays',
      (c: typeof DEFAULT_CONFIG) => c.lake.athenaResultsExpirationDays,
      30,
    ],
    [
      'lake.noncurrentVersionExpirationDays',
      (c: typeof DEFAULT_CONFIG) => c.lake.noncurrentVersionExpirationDays,
      30,
    ],
    ['lake.projectionStartDate', (c: typeof DEFAULT_CONFIG) => c.lake.projectionStartDate, '2024-01-01'],
    ['lake.latenessDays', (c: typeof DEFAULT_CONFIG) => c.lake.latenessDays, 2],
    ['glue.workerType', (c: typeof DEFAULT_CONFIG) => c.glue.workerType, 'G.1X'],
    ['glue.numberOfWorkers', (c: typeof DEFAULT_CONFIG) => c.glue.numberOfWorkers, 2],
    ['glue.timeoutMinutes', (c: typeof DEFAULT_CONFIG) => c.glue.timeoutMinutes, 60],
    ['glue.curateSchedule', (c: typeof DEFAULT_CONFIG) => c.glue.curateSchedule, 'cron(15 * * * ? *)'],
    ['glue.compactSchedule', (c: typeof DEFAULT_CONFIG) => c.glue.compactSchedule, 'cron(30 3 * * ? *)'],
    ['athena.bytesScannedCutoffGiB', (c: typeof DEFAULT_CONFIG) => c.athena.bytesScannedCutoffGiB, 10],
    ['redshift.enabled', (c: typeof DEFAULT_CONFIG) => c.redshift.enabled, true],
    ['redshift.baseCapacityRpu', (c: typeof DEFAULT_CONFIG) => c.redshift.baseCapacityRpu, 8],
    ['msk.enabled', (c: typeof DEFAULT_CONFIG) => c.msk.enabled, false],
    ['msk.mode', (c: typeof DEFAULT_CONFIG) => c.msk.mode, 'SERVERLESS'],
    // The Kafka sink's defaults: one topic per dataset, named like the dataset.
    [
      'msk.topics',
      (c: typeof DEFAULT_CONFIG) => c.msk.topics,
      { grid: 'grid', weather: 'weather', transactions: 'transactions' },
    ],
    ['msk.consumerGroups', (c: typeof DEFAULT_CONFIG) => c.msk.consumerGroups, []],
    ['msk.kafkaVersion', (c: typeof DEFAULT_CONFIG) => c.msk.kafkaVersion, '3.9.x'],
    ['msk.brokerInstanceType', (c: typeof DEFAULT_CONFIG) => c.msk.brokerInstanceType, 'kafka.m7g.large'],
    ['msk.brokersPerAz', (c: typeof DEFAULT_CONFIG) => c.msk.brokersPerAz, 1],
    ['msk.volumeSizeGiB', (c: typeof DEFAULT_CONFIG) => c.msk.volumeSizeGiB, 100],
    ['monitoring.kafkaOffsetLag', (c: typeof DEFAULT_CONFIG) => c.monitoring.kafkaOffsetLag, 100_000],
    ['monitoring.kafkaTimeLagSeconds', (c: typeof DEFAULT_CONFIG) => c.monitoring.kafkaTimeLagSeconds, 600],
    ['producers.pollers', (c: typeof DEFAULT_CONFIG) => c.producers.pollers, true],
    [
      'producers.openMeteoSchedule',
      (c: typeof DEFAULT_CONFIG) => c.producers.openMeteoSchedule,
      'rate(1 hour)',
    ],
    ['producers.ercotSchedule', (c: typeof DEFAULT_CONFIG) => c.producers.ercotSchedule, 'rate(5 minutes)'],
    ['producers.fargate', (c: typeof DEFAULT_CONFIG) => c.producers.fargate, true],
    ['producers.desiredCount', (c: typeof DEFAULT_CONFIG) => c.producers.desiredCount, 1],
    ['producers.eventsPerSecond', (c: typeof DEFAULT_CONFIG) => c.producers.eventsPerSecond, 20],
    ['loadtest.enabled', (c: typeof DEFAULT_CONFIG) => c.loadtest.enabled, false],
    ['loadtest.cpu', (c: typeof DEFAULT_CONFIG) => c.loadtest.cpu, 1024],
    ['loadtest.memoryMiB', (c: typeof DEFAULT_CONFIG) => c.loadtest.memoryMiB, 2048],
    ['loadtest.clusterName', (c: typeof DEFAULT_CONFIG) => c.loadtest.clusterName, ''],
    ['loadtest.imageRepository', (c: typeof DEFAULT_CONFIG) => c.loadtest.imageRepository, ''],
    ['loadtest.imageTag', (c: typeof DEFAULT_CONFIG) => c.loadtest.imageTag, 'latest'],
    ['loadtest.resultsExpirationDays', (c: typeof DEFAULT_CONFIG) => c.loadtest.resultsExpirationDays, 30],
    ['lakeFormation.enabled', (c: typeof DEFAULT_CONFIG) => c.lakeFormation.enabled, true],
    ['lakeFormation.adminRoleArns', (c: typeof DEFAULT_CONFIG) => c.lakeFormation.adminRoleArns, []],
    ['lakeFormation.cdkQualifier', (c: typeof DEFAULT_CONFIG) => c.lakeFormation.cdkQualifier, 'hnb659fds'],
    ['monitoring.iteratorAgeMs', (c: typeof DEFAULT_CONFIG) => c.monitoring.iteratorAgeMs, 60_000],
    ['monitoring.dataFreshnessSeconds', (c: typeof DEFAULT_CONFIG) => c.monitoring.dataFreshnessSeconds, 900],
    [
      'monitoring.putRecordsSuccessRatio',
      (c: typeof DEFAULT_CONFIG) => c.monitoring.putRecordsSuccessRatio,
      0.99,
    ],
    ['alerts', (c: typeof DEFAULT_CONFIG) => c.alerts, DEFAULT_ALERT_THRESHOLDS],
    ['alarmEmail', (c: typeof DEFAULT_CONFIG) => c.alarmEmail, ''],
    ['removalPolicy', (c: typeof DEFAULT_CONFIG) => c.removalPolicy, 'retain'],
  ])('defaults %s', (_key, get, expected) => {
    expect(get(resolveConfig())).toEqual(expected);
  });

  it('merges partial inputs over the defaults, later inputs winning', () => {
    const c = resolveConfig([
      { streams: { mode: 'PROVISIONED', shardCount: 4 } },
      { streams: { shardCount: 6 } },
    ]);
    expect(c.streams).toEqual({ mode: 'PROVISIONED', shardCount: 6, retentionHours: 24 });
    expect(c.lake).toEqual(DEFAULT_CONFIG.lake);
  });
});

/** The MSK source with every toggle it needs: valid as it stands, each case breaks one rule. */
const MSK_SOURCE = {
  msk: { enabled: true },
  firehose: { source: 'MSK', transformLambda: false },
  producers: { pollers: false, fargate: false },
};

describe('config validation', () => {
  it('accepts the MSK source with its toggles, and topics renamed per dataset', () => {
    const c = resolveConfig([MSK_SOURCE, { msk: { topics: { grid: 'ercot.prices' } } }]);
    expect(c.firehose.source).toBe('MSK');
    expect(c.msk.topics).toEqual({ grid: 'ercot.prices', weather: 'weather', transactions: 'transactions' });
  });

  it('takes topic names and consumer groups as command-line overrides', () => {
    expect(overrideFromString('msk.topics.weather', 'wx')).toEqual({
      input: { msk: { topics: { weather: 'wx' } } },
    });
    expect(overrideFromString('msk.consumerGroups', 'a,b')).toEqual({
      input: { msk: { consumerGroups: ['a', 'b'] } },
    });
  });

  it.each([
    ['envName', { envName: 'Prod!' }, 'envName must be 2-16 characters', '"Prod!"'],
    [
      'streams.mode',
      { streams: { mode: 'SERVERLESS' } },
      'streams.mode must be one of ON_DEMAND, PROVISIONED',
      '"SERVERLESS"',
    ],
    [
      'streams.shardCount',
      { streams: { shardCount: 0 } },
      'streams.shardCount must be an integer in 1..500',
      'got 0',
    ],
    [
      'streams.retentionHours',
      { streams: { retentionHours: 12 } },
      'streams.retentionHours must be an integer in 24..8760',
      'got 12',
    ],
    [
      'firehose.bufferSizeMiB (min)',
      { firehose: { bufferSizeMiB: 5 } },
      'buffer size must be >= 64 MiB with record format conversion and dynamic partitioning',
      'got 5 MiB',
    ],
    [
      'firehose.bufferSizeMiB (max)',
      { firehose: { bufferSizeMiB: 256 } },
      'buffer size must be <= 128 MiB',
      'got 256 MiB',
    ],
    [
      'firehose.bufferIntervalSeconds (min)',
      { firehose: { bufferIntervalSeconds: 30 } },
      'buffer interval must be >= 60 s',
      'got 30 s',
    ],
    [
      'firehose.bufferIntervalSeconds (max)',
      { firehose: { bufferIntervalSeconds: 1200 }, monitoring: { dataFreshnessSeconds: 3600 } },
      'buffer interval must be <= 900 s',
      'got 1200 s',
    ],
    [
      'lake.rawInfrequentAccessDays',
      { lake: { rawInfrequentAccessDays: 7 } },
      'lake.rawInfrequentAccessDays must be an integer >= 30',
      'got 7',
    ],
    [
      'lake.rawExpirationDays',
      { lake: { rawExpirationDays: 20 } },
      'lake.rawExpirationDays must be 0 (never) or greater than lake.rawInfrequentAccessDays (30)',
      'got 20',
    ],
    [
      'lake.errorExpirationDays',
      { lake: { errorExpirationDays: 0 } },
      'lake.errorExpirationDays must be an integer >= 1',
      'got 0',
    ],
    [
      'lake.athenaResultsExpirationDays',
      { lake: { athenaResultsExpirationDays: 1.5 } },
      'lake.athenaResultsExpirationDays must be an integer >= 1',
      'got 1.5',
    ],
    [
      'lake.noncurrentVersionExpirationDays',
      { lake: { noncurrentVersionExpirationDays: -1 } },
      'lake.noncurrentVersionExpirationDays must be an integer >= 1',
      'got -1',
    ],
    [
      'lake.projectionStartDate',
      { lake: { projectionStartDate: '2024-02-30' } },
      'lake.projectionStartDate must be a date yyyy-MM-dd',
      '"2024-02-30"',
    ],
    [
      'lake.latenessDays',
      { lake: { latenessDays: 31 } },
      'lake.latenessDays must be an integer in 0..30',
      'got 31',
    ],
    [
      'glue.workerType',
      { glue: { workerType: 'Standard' } },
      'glue.workerType must be one of G.1X, G.2X, G.4X, G.8X',
      '"Standard"',
    ],
    [
      'glue.numberOfWorkers',
      { glue: { numberOfWorkers: 1 } },
      'glue.numberOfWorkers must be an integer in 2..299',
      'got 1',
    ],
    [
      'glue.timeoutMinutes',
      { glue: { timeoutMinutes: 0 } },
      'glue.timeoutMinutes must be an integer in 1..2880',
      'got 0',
    ],
    [
      'glue.curateSchedule',
      { glue: { curateSchedule: 'rate(1 hour)' } },
      'glue.curateSchedule must be a cron(...) expression with 6 fields',
      '"rate(1 hour)"',
    ],
    [
      'glue.compactSchedule',
      { glue: { compactSchedule: 'cron(0 3 * * *)' } },
      'glue.compactSchedule must be a cron(...) expression with 6 fields',
      '"cron(0 3 * * *)"',
    ],
    [
      'athena.bytesScannedCutoffGiB',
      { athena: { bytesScannedCutoffGiB: 0.001 } },
      'athena.bytesScannedCutoffGiB must be at least 0.01',
      'got 0.001',
    ],
    [
      'redshift.baseCapacityRpu',
      { redshift: { baseCapacityRpu: 12 } },
      'redshift.baseCapacityRpu must be a multiple of 8 in 8..1024',
      'got 12',
    ],
    [
      'producers.openMeteoSchedule',
      { producers: { openMeteoSchedule: 'hourly' } },
      'producers.openMeteoSchedule must be rate(N unit) or cron(...)',
      '"hourly"',
    ],
    [
      'producers.ercotSchedule',
      { producers: { ercotSchedule: 'rate(5 fortnights)' } },
      'producers.ercotSchedule must be rate(N unit) or cron(...)',
      '"rate(5 fortnights)"',
    ],
    [
      'producers.desiredCount',
      { producers: { desiredCount: 21 } },
      'producers.desiredCount must be an integer in 0..20',
      'got 21',
    ],
    [
      'producers.eventsPerSecond',
      { producers: { eventsPerSecond: 0 } },
      'producers.eventsPerSecond must be in (0, 10000]',
      'got 0',
    ],
    [
      'lakeFormation.adminRoleArns',
      { lakeFormation: { adminRoleArns: ['arn:aws:iam::123:user/bob'] } },
      'lakeFormation.adminRoleArns[0] must be an IAM role ARN',
      '"arn:aws:iam::123:user/bob"',
    ],
    [
      'lakeFormation.cdkQualifier',
      { lakeFormation: { cdkQualifier: 'Has-Dash' } },
      'lakeFormation.cdkQualifier must be 1-10 lowercase letters or digits',
      '"Has-Dash"',
    ],
    [
      'monitoring.iteratorAgeMs',
      { monitoring: { iteratorAgeMs: 10 } },
      'monitoring.iteratorAgeMs must be an integer >= 1000',
      'got 10',
    ],
    [
      'monitoring.dataFreshnessSeconds',
      { monitoring: { dataFreshnessSeconds: 30 } },
      'monitoring.dataFreshnessSeconds must be an integer >= 60',
      'got 30',
    ],
    [
      'monitoring.dataFreshnessSeconds vs buffer',
      { monitoring: { dataFreshnessSeconds: 200 } },
      'monitoring.dataFreshnessSeconds must exceed firehose.bufferIntervalSeconds (300)',
      'got 200',
    ],
    [
      'monitoring.putRecordsSuccessRatio',
      { monitoring: { putRecordsSuccessRatio: 1.5 } },
      'monitoring.putRecordsSuccessRatio must be in (0, 1]',
      'got 1.5',
    ],
    [
      'firehose.source',
      { firehose: { source: 'KAFKA' } },
      'firehose.source must be one of KINESIS, MSK',
      '"KAFKA"',
    ],
    [
      'firehose.source MSK without a cluster',
      { ...MSK_SOURCE, msk: { enabled: false } },
      'firehose.source MSK needs msk.enabled true',
      'got msk.enabled false',
    ],
    [
      'firehose.source MSK with the pollers (they write to Kinesis)',
      { ...MSK_SOURCE, producers: { pollers: true, fargate: false } },
      'producers.pollers must be false with firehose.source MSK',
      'got true',
    ],
    [
      'firehose.source MSK with the Fargate producers (they write to Kinesis)',
      { ...MSK_SOURCE, producers: { pollers: false, fargate: true } },
      'producers.fargate must be false with firehose.source MSK',
      'got true',
    ],
    [
      'msk.mode',
      { msk: { mode: 'EXPRESS' } },
      'msk.mode must be one of SERVERLESS, PROVISIONED',
      '"EXPRESS"',
    ],
    [
      'msk.topics (name)',
      { msk: { topics: { grid: 'grid prices' } } },
      'msk.topics.grid must be a Kafka topic name',
      '"grid prices"',
    ],
    [
      'msk.topics (one topic per dataset)',
      { msk: { topics: { weather: 'grid' } } },
      'msk.topics must name a different topic per dataset',
      '"weather":"grid"',
    ],
    [
      'msk.topics (unknown dataset)',
      { msk: { topics: { prices: 'prices' } } },
      'unknown key msk.topics.prices',
      '(known: grid, weather, transactions)',
    ],
    [
      'msk.consumerGroups',
      { msk: { consumerGroups: ['ok', 'team:delivery'] } },
      'msk.consumerGroups[1] must be 1-255 of [a-zA-Z0-9._-] (no colon)',
      '"team:delivery"',
    ],
    [
      'msk.kafkaVersion',
      { msk: { kafkaVersion: 'latest' } },
      'msk.kafkaVersion must be an MSK Kafka version like 3.9.x',
      '"latest"',
    ],
    [
      'msk.brokerInstanceType',
      { msk: { brokerInstanceType: 'm7g.large' } },
      'msk.brokerInstanceType must be an MSK broker type like kafka.m7g.large',
      '"m7g.large"',
    ],
    [
      'msk.brokersPerAz',
      { msk: { brokersPerAz: 0 } },
      'msk.brokersPerAz must be an integer in 1..10',
      'got 0',
    ],
    [
      'msk.volumeSizeGiB',
      { msk: { volumeSizeGiB: 20_000 } },
      'msk.volumeSizeGiB must be an integer in 1..16384',
      'got 20000',
    ],
    [
      'monitoring.kafkaOffsetLag',
      { monitoring: { kafkaOffsetLag: 0 } },
      'monitoring.kafkaOffsetLag must be an integer >= 1',
      'got 0',
    ],
    [
      'monitoring.kafkaTimeLagSeconds',
      { monitoring: { kafkaTimeLagSeconds: 2.5 } },
      'monitoring.kafkaTimeLagSeconds must be an integer >= 1',
      'got 2.5',
    ],
    [
      'alerts',
      { alerts: { largeTradeMwh: -5 } },
      'alerts: alert threshold largeTradeMwh must be > 0',
      'got -5',
    ],
    [
      'loadtest.cpu',
      { loadtest: { cpu: 256 } },
      'loadtest.cpu must be one of 512, 1024, 2048, 4096, 8192, 16384 (Fargate vCPU units)',
      'got 256',
    ],
    [
      'loadtest.memoryMiB (range of the cpu)',
      { loadtest: { cpu: 2048, memoryMiB: 2048 } },
      'loadtest.memoryMiB must be a multiple of 1024 in 4096..16384 with loadtest.cpu 2048',
      'got 2048',
    ],
    [
      'loadtest.memoryMiB (step)',
      { loadtest: { cpu: 8192, memoryMiB: 18432 } },
      'loadtest.memoryMiB must be a multiple of 4096 in 16384..61440 with loadtest.cpu 8192',
      'got 18432',
    ],
    [
      'loadtest.clusterName',
      { loadtest: { clusterName: 'my cluster' } },
      'loadtest.clusterName must be empty or an ECS cluster name',
      '"my cluster"',
    ],
    [
      'loadtest.imageRepository',
      { loadtest: { imageRepository: 'Team/Worker' } },
      'loadtest.imageRepository must be empty or an ECR repository name',
      '"Team/Worker"',
    ],
    ['loadtest.imageTag', { loadtest: { imageTag: '' } }, 'loadtest.imageTag must be an image tag', 'got ""'],
    [
      'loadtest.resultsExpirationDays',
      { loadtest: { resultsExpirationDays: 0 } },
      'loadtest.resultsExpirationDays must be an integer in 1..3650',
      'got 0',
    ],
    [
      'alarmEmail',
      { alarmEmail: 'ops at example' },
      'alarmEmail must be an e-mail address or empty',
      '"ops at example"',
    ],
    [
      'removalPolicy',
      { removalPolicy: 'snapshot' },
      'removalPolicy must be one of retain, destroy',
      '"snapshot"',
    ],
    [
      'an unknown key',
      { streams: { shards: 2 } },
      'unknown key streams.shards',
      '(known: mode, shardCount, retentionHours)',
    ],
    ['a wrong type', { redshift: { enabled: 'yes' } }, 'redshift.enabled must be a boolean', '"yes"'],
    ['a non-object', 'prod', 'configuration must be an object', '"prod"'],
  ])('rejects %s, naming the value received', (_label, input, message, value) => {
    const problems = problemsOf(input);
    const problem = problems.find((p) => p.includes(message));
    expect(problem, problems.join('\n')).toBeDefined();
    expect(problem).toContain(value);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ streams: { shardCount: 0, retentionHours: 1 }, alarmEmail: 'x' });
    expect(problems).toHaveLength(3);
  });

  it('accepts rawExpirationDays 0 (keep raw data forever)', () => {
    expect(resolveConfig([{ lake: { rawExpirationDays: 0 } }]).lake.rawExpirationDays).toBe(0);
  });
});

describe('command-line overrides', () => {
  it.each([
    ['redshift.enabled', 'false', { redshift: { enabled: false } }],
    ['streams.shardCount', '4', { streams: { shardCount: 4 } }],
    ['streams.mode', 'PROVISIONED', { streams: { mode: 'PROVISIONED' } }],
    [
      'lakeFormation.adminRoleArns',
      'arn:aws:iam::123456789012:role/a,arn:aws:iam::123456789012:role/b',
      {
        lakeFormation: {
          adminRoleArns: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/b'],
        },
      },
    ],
    ['alerts', '{"priceSpikeUsdMwh":900}', { alerts: { priceSpikeUsdMwh: 900 } }],
  ])('converts %s=%s to the type of its default', (path, raw, expected) => {
    expect(overrideFromString(path, raw)).toEqual({ input: expected });
  });

  it.each([
    ['redshift.enabled', 'yes', 'redshift.enabled must be true or false, got "yes"'],
    ['streams.shardCount', 'four', 'streams.shardCount must be a number, got "four"'],
    ['streams.shards', '4', 'unknown key streams.shards in override gridstream.streams.shards'],
    ['alerts', '{bad', 'alerts must be a JSON object, got "{bad"'],
  ])('rejects %s=%s, naming the value', (path, raw, problem) => {
    expect(overrideFromString(path, raw)).toEqual({ problem });
  });
});

describe('loadConfig', () => {
  it('reads the environment section of the config file, then the context object, then single overrides', () => {
    const file = tempConfigFile({
      prod: { streams: { retentionHours: 168 }, redshift: { enabled: false } },
      dev: {},
    });
    const app = new App({
      outdir: tempDir('cdk'),
      context: {
        env: 'prod',
        configFile: file,
        gridstream: { redshift: { baseCapacityRpu: 16 }, streams: { retentionHours: 48 } },
        'gridstream.streams.retentionHours': '72',
      },
    });
    const c = loadConfig(app.node);
    expect(c.envName).toBe('prod');
    expect(c.redshift).toEqual({ enabled: false, baseCapacityRpu: 16 });
    expect(c.streams.retentionHours).toBe(72);
  });

  it('accepts the context object as a JSON string (as -c passes it)', () => {
    const app = new App({
      outdir: tempDir('cdk'),
      context: { configFile: tempConfigFile({}), gridstream: '{"msk":{"enabled":true}}' },
    });
    expect(loadConfig(app.node).msk.enabled).toBe(true);
  });

  it('uses the defaults for an environment the file does not mention', () => {
    const app = new App({
      outdir: tempDir('cdk'),
      context: { env: 'qa', configFile: tempConfigFile({ prod: { msk: { enabled: true } } }) },
    });
    expect(loadConfig(app.node)).toEqual({ ...DEFAULT_CONFIG, envName: 'qa' });
  });

  it('fails on a missing config file named on the command line', () => {
    const app = new App({
      outdir: tempDir('cdk'),
      context: { configFile: '/nonexistent/gridstream.config.json' },
    });
    expect(() => loadConfig(app.node)).toThrow(
      'configFile "/nonexistent/gridstream.config.json" does not exist',
    );
  });

  it('fails naming every bad override and its value', () => {
    const app = new App({
      outdir: tempDir('cdk'),
      context: {
        configFile: tempConfigFile({}),
        'gridstream.streams.shardCount': 'many',
        'gridstream.redshift.enabled': 'maybe',
      },
    });
    expect(() => loadConfig(app.node)).toThrow(
      /redshift.enabled must be true or false, got "maybe"[\s\S]*shardCount must be a number, got "many"/,
    );
  });

  it('fails on an invalid environment name from -c env', () => {
    const app = new App({
      outdir: tempDir('cdk'),
      context: { env: 'Prod_1', configFile: tempConfigFile({}) },
    });
    expect(() => loadConfig(app.node)).toThrow('envName must be 2-16 characters');
  });
});
