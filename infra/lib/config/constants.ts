import { DEFAULT_ALERT_THRESHOLDS } from '../../../stream-processors/alerts/index.js';
import type { GridstreamConfig } from './types.js';

/** Every default of the deployment configuration (the `dev` environment when nothing is set). */
export const DEFAULT_CONFIG: GridstreamConfig = {
  envName: 'dev',
  streams: { mode: 'ON_DEMAND', shardCount: 1, retentionHours: 24 },
  firehose: { source: 'KINESIS', bufferSizeMiB: 128, bufferIntervalSeconds: 300, transformLambda: true },
  lake: {
    rawInfrequentAccessDays: 30,
    rawExpirationDays: 730,
    errorExpirationDays: 90,
    athenaResultsExpirationDays: 30,
    noncurrentVersionExpirationDays: 30,
    projectionStartDate: '2024-01-01',
    latenessDays: 2,
  },
  glue: {
    workerType: 'G.1X',
    numberOfWorkers: 2,
    timeoutMinutes: 60,
    curateSchedule: 'cron(15 * * * ? *)',
    compactSchedule: 'cron(30 3 * * ? *)',
  },
  athena: { bytesScannedCutoffGiB: 10 },
  redshift: { enabled: true, baseCapacityRpu: 8 },
  msk: {
    enabled: false,
    mode: 'SERVERLESS',
    topics: { grid: 'grid', weather: 'weather', transactions: 'transactions' },
    consumerGroups: [],
    kafkaVersion: '3.9.x',
    brokerInstanceType: 'kafka.m7g.large',
    brokersPerAz: 1,
    volumeSizeGiB: 100,
  },
  producers: {
    pollers: true,
    openMeteoSchedule: 'rate(1 hour)',
    ercotSchedule: 'rate(5 minutes)',
    fargate: true,
    desiredCount: 1,
    eventsPerSecond: 20,
  },
  loadtest: {
    enabled: false,
    cpu: 1024,
    memoryMiB: 2048,
    clusterName: '',
    imageRepository: '',
    imageTag: 'latest',
    resultsExpirationDays: 30,
  },
  lakeFormation: { enabled: true, adminRoleArns: [], cdkQualifier: 'hnb659fds' },
  monitoring: {
    iteratorAgeMs: 60_000,
    dataFreshnessSeconds: 900,
    putRecordsSuccessRatio: 0.99,
    kafkaOffsetLag: 100_000,
    kafkaTimeLagSeconds: 600,
  },
  alerts: DEFAULT_ALERT_THRESHOLDS,
  alarmEmail: '',
  removalPolicy: 'retain',
};

/** cdk context key naming the environment (`-c env=prod`). */
export const ENV_CONTEXT_KEY = 'env';
/** cdk context key of a JSON configuration object (in cdk.json or `-c gridstream='{...}'`). */
export const CONFIG_CONTEXT_KEY = 'gridstream';
/** cdk context key naming the configuration file. */
export const CONFIG_FILE_CONTEXT_KEY = 'configFile';
/** Prefix of single-value overrides: `-c gridstream.redshift.enabled=false`. */
export const CONFIG_OVERRIDE_PREFIX = 'gridstream.';
/** Configuration file read when present: `{ "<env>": { ...partial config } }`. */
export const DEFAULT_CONFIG_FILE = 'infra/gridstream.config.json';
