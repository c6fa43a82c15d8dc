import { InvalidThresholdError, validateThresholds } from '../../../stream-processors/alerts/index.js';
import { bufferingHintProblems } from '../constructs/bufferingHints.js';
import { DEFAULT_CONFIG } from './constants.js';
import { ConfigError } from './errors.js';
import type { GridstreamConfig } from './types.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function show(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Checks keys and value types of a partial config against the defaults' shape. */
function shapeProblems(input: unknown, shape: unknown, path: string, problems: string[]): void {
  if (!isPlainObject(input)) {
    problems.push(`${path || 'configuration'} must be an object, got ${show(input)}`);
    return;
  }
  const model = shape as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in model)) {
      problems.push(`unknown key ${at} (known: ${Object.keys(model).join(', ')})`);
      continue;
    }
    const expected = model[key];
    if (isPlainObject(expected)) shapeProblems(value, expected, at, problems);
    else if (kindOf(value) !== kindOf(expected)) {
      problems.push(
        `${at} must be a${kindOf(expected) === 'array' ? 'n' : ''} ${kindOf(expected)}, got ${show(value)}`,
      );
    }
  }
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/**
 * Turns one command-line override (`-c gridstream.redshift.enabled=false`: all context values are strings)
 * into a partial config, converting the string to the type of the default at that path.
 *
 * @param path - dotted path below the prefix, e.g. `redshift.enabled`
 * @param raw - the value as given
 * @returns a partial config, or a problem message naming the value received
 */
export function overrideFromString(path: string, raw: unknown): { input: Json } | { problem: string } {
  const keys = path.split('.');
  let model: unknown = DEFAULT_CONFIG;
  for (const k of keys) {
    if (!isPlainObject(model) || !(k in model))
      return { problem: `unknown key ${path} in override gridstream.${path}` };
    model = model[k];
  }
  let value: Json;
  if (typeof raw !== 'string') value = raw as Json;
  else if (typeof model === 'boolean') {
    if (raw !== 'true' && raw !== 'false')
      return { problem: `${path} must be true or false, got ${show(raw)}` };
    value = raw === 'true';
  } else if (typeof model === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      return { problem: `${path} must be a number, got ${show(raw)}` };
    value = n;
  } else if (Array.isArray(model)) {
    value = raw.trim().startsWith('[')
      ? (JSON.parse(raw) as Json)
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  } else if (isPlainObject(model)) {
    try {
      value = JSON.parse(raw) as Json;
    } catch {
      return { problem: `${path} must be a JSON object, got ${show(raw)}` };
    }
  } else value = raw;
  const input = keys.reduceRight<Json>((acc, k) => ({ [k]: acc }), value);
  return { input };
}

/** Memory Fargate allows per vCPU setting, MiB (Linux tasks; 0.25 vCPU is too little for a load worker). */
const FARGATE_MEMORY_MIB: Readonly<Record<number, { min: number; max: number; step: number }>> = {
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
const RATE = /^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const CONSUMER_GROUP = /^[a-zA-Z0-9._-]{1,255}$/;

function semanticProblems(c: GridstreamConfig): string[] {
  const p: string[] = [];
  const int = (path: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      p.push(
        `${path} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}, got ${show(v)}`,
      );
      return false;
    }
    return true;
  };
  const oneOf = (path: string, v: string, allowed: readonly string[]) => {
    if (!allowed.includes(v)) p.push(`${path} must be one of ${allowed.join(', ')}, got ${show(v)}`);
  };

  if (!/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/.test(c.envName)) {
    p.push(
      `envName must be 2-16 characters of lowercase letters, digits and hyphens, starting with a letter, got ${show(c.envName)}`,
    );
  }
  oneOf('streams.mode', c.streams.mode, ['ON_DEMAND', 'PROVISIONED']);
  int('streams.shardCount', c.streams.shardCount, 1, 500);
  int('streams.retentionHours', c.streams.retentionHours, 24, 8760);

  oneOf('firehose.source', c.firehose.source, ['KINESIS', 'MSK']);
  if (c.firehose.source === 'MSK') {
    if (!c.msk.enabled) p.push('firehose.source MSK needs msk.enabled true, got msk.enabled false');
    // Both write to the Kinesis streams, which no delivery stream reads from then: their events would be lost.
    for (const key of ['pollers', 'fargate'] as const) {
      if (c.producers[key]) {
        p.push(
          `producers.${key} must be false with firehose.source MSK (it writes to Kinesis, which Firehose no longer reads), got true`,
        );
      }
    }
  }
  for (const problem of bufferingHintProblems(
    { sizeMiB: c.firehose.bufferSizeMiB, intervalSeconds: c.firehose.bufferIntervalSeconds },
    { formatConversion: true, dynamicPartitioning: true },
  )) {
    p.push(`firehose: ${problem}`);
  }

  const l = c.lake;
  if (int('lake.rawInfrequentAccessDays', l.rawInfrequentAccessDays, 30)) {
    if (l.rawExpirationDays !== 0 && int('lake.rawExpirationDays', l.rawExpirationDays, 1)) {
      if (l.rawExpirationDays <= l.rawInfrequentAccessDays) {
        p.push(
          `lake.rawExpirationDays must be 0 (never) or greater than lake.rawInfrequentAccessDays (${l.rawInfrequentAccessDays}), got ${l.rawExpirationDays}`,
        );
      }
    }
  }
  int('lake.errorExpirationDays', l.errorExpirationDays, 1);
  int('lake.athenaResultsExpirationDays', l.athenaResultsExpirationDays, 1);
  int('lake.noncurrentVersionExpirationDays', l.noncurrentVersionExpirationDays, 1);
  int('lake.latenessDays', l.latenessDays, 0, 30);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(l.projectionStartDate);
  const parsed = date ? new Date(`${l.projectionStartDate}T00:00:00Z`) : undefined;
  if (
    !parsed ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== l.projectionStartDate
  ) {
    p.push(`lake.projectionStartDate must be a date yyyy-MM-dd, got ${show(l.projectionStartDate)}`);
  }

  oneOf('glue.workerType', c.glue.workerType, ['G.1X', 'G.2X', 'G.4X', 'G.8X']);
  int('glue.numberOfWorkers', c.glue.numberOfWorkers, 2, 299);
  int('glue.timeoutMinutes', c.glue.timeoutMinutes, 1, 2880);
  for (const key of ['curateSchedule', 'compactSchedule'] as const) {
    if (!CRON.test(c.glue[key]))
      p.push(`glue.${key} must be a cron(...) expression with 6 fields, got ${show(c.glue[key])}`);
  }

  const cutoff = c.athena.bytesScannedCutoffGiB;
  if (!(cutoff * 1024 ** 3 >= 10_000_000)) {
    p.push(
      `athena.bytesScannedCutoffGiB must be at least 0.01 (Athena's 10 MB minimum), got ${show(cutoff)}`,
    );
  }

  const rpu = c.redshift.baseCapacityRpu;
  if (!Number.isInteger(rpu) || rpu < 8 || rpu > 1024 || rpu % 8 !== 0) {
    p.push(`redshift.baseCapacityRpu must be a multiple of 8 in 8..1024, got ${show(rpu)}`);
  }

  const k = c.msk;
  oneOf('msk.mode', k.mode, ['SERVERLESS', 'PROVISIONED']);
  const topicNames = Object.entries(k.topics);
  for (const [dataset, topic] of topicNames) {
    if (typeof topic !== 'string' || !KAFKA_TOPIC.test(topic) || topic === '.' || topic === '..') {
      p.push(
        `msk.topics.${dataset} must be a Kafka topic name (1-249 of [a-zA-Z0-9._-]), got ${show(topic)}`,
      );
    }
  }
  if (new Set(topicNames.map(([, t]) => t)).size !== topicNames.length) {
    p.push(`msk.topics must name a different topic per dataset, got ${show(k.topics)}`);
  }
  for (const [i, group] of k.consumerGroups.entries()) {
    // MSK publishes no lag metrics for a group whose name contains a colon.
    if (typeof group !== 'string' || !CONSUMER_GROUP.test(group)) {
      p.push(`msk.consumerGroups[${i}] must be 1-255 of [a-zA-Z0-9._-] (no colon), got ${show(group)}`);
    }
  }
  if (!/^\d+\.\d+\.(\d+|x)(\.tiered)?$/.test(k.kafkaVersion)) {
    p.push(`msk.kafkaVersion must be an MSK Kafka version like 3.9.x, got ${show(k.kafkaVersion)}`);
  }
  if (!/^kafka\.[a-z0-9]+\.[a-z0-9]+$/.test(k.brokerInstanceType)) {
    p.push(
      `msk.brokerInstanceType must be an MSK broker type like kafka.m7g.large, got ${show(k.brokerInstanceType)}`,
    );
  }
  int('msk.brokersPerAz', k.brokersPerAz, 1, 10);
  int('msk.volumeSizeGiB', k.volumeSizeGiB, 1, 16384);

  for (const key of ['openMeteoSchedule', 'ercotSchedule'] as const) {
    const v = c.producers[key];
    if (!CRON.test(v) && !RATE.test(v)) {
      p.push(`producers.${key} must be rate(N unit) or cron(...), got ${show(v)}`);
    }
  }
  int('producers.desiredCount', c.producers.desiredCount, 0, 20);
  if (!(c.producers.eventsPerSecond > 0 && c.producers.eventsPerSecond <= 10_000)) {
    p.push(`producers.eventsPerSecond must be in (0, 10000], got ${show(c.producers.eventsPerSecond)}`);
  }

  const lt = c.loadtest;
  const memory = FARGATE_MEMORY_MIB[lt.cpu];
  if (!memory) {
    p.push(
      `loadtest.cpu must be one of ${Object.keys(FARGATE_MEMORY_MIB).join(', ')} (Fargate vCPU units), got ${show(lt.cpu)}`,
    );
  } else if (
    !(lt.memoryMiB >= memory.min && lt.memoryMiB <= memory.max && lt.memoryMiB % memory.step === 0)
  ) {
    p.push(
      `loadtest.memoryMiB must be a multiple of ${memory.step} in ${memory.min}..${memory.max} with loadtest.cpu ${lt.cpu}, got ${show(lt.memoryMiB)}`,
    );
  }
  if (lt.clusterName !== '' && !/^[A-Za-z0-9_-]{1,255}$/.test(lt.clusterName)) {
    p.push(
      `loadtest.clusterName must be empty or an ECS cluster name (1-255 of [A-Za-z0-9_-]), got ${show(lt.clusterName)}`,
    );
  }
  if (
    lt.imageRepository !== '' &&
    !/^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(lt.imageRepository)
  ) {
    p.push(
      `loadtest.imageRepository must be empty or an ECR repository name, got ${show(lt.imageRepository)}`,
    );
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(lt.imageTag)) {
    p.push(`loadtest.imageTag must be an image tag (1-128 of [A-Za-z0-9_.-]), got ${show(lt.imageTag)}`);
  }
  int('loadtest.resultsExpirationDays', lt.resultsExpirationDays, 1, 3650);

  for (const [i, arn] of c.lakeFormation.adminRoleArns.entries()) {
    if (typeof arn !== 'string' || !ROLE_ARN.test(arn)) {
      p.push(`lakeFormation.adminRoleArns[${i}] must be an IAM role ARN, got ${show(arn)}`);
    }
  }
  if (!/^[a-z0-9]{1,10}$/.test(c.lakeFormation.cdkQualifier)) {
    p.push(
      `lakeFormation.cdkQualifier must be 1-10 lowercase letters or digits, got ${show(c.lakeFormation.cdkQualifier)}`,
    );
  }

  int('monitoring.iteratorAgeMs', c.monitoring.iteratorAgeMs, 1000);
  int('monitoring.dataFreshnessSeconds', c.monitoring.dataFreshnessSeconds, 60);
  int('monitoring.kafkaOffsetLag', c.monitoring.kafkaOffsetLag, 1);
  int('monitoring.kafkaTimeLagSeconds', c.monitoring.kafkaTimeLagSeconds, 1);
  const ratio = c.monitoring.putRecordsSuccessRatio;
  if (!(ratio > 0 && ratio <= 1))
    p.push(`monitoring.putRecordsSuccessRatio must be in (0, 1], got ${show(ratio)}`);
  if (c.monitoring.dataFreshnessSeconds <= c.firehose.bufferIntervalSeconds) {
    p.push(
      `monitoring.dataFreshnessSeconds must exceed firehose.bufferIntervalSeconds (${c.firehose.bufferIntervalSeconds}), got ${c.monitoring.dataFreshnessSeconds}`,
    );
  }

  try {
    validateThresholds(c.alerts);
  } catch (err) {
    if (!(err instanceof InvalidThresholdError)) throw err;
    p.push(`alerts: ${err.message}`);
  }

  if (c.alarmEmail !== '' && !EMAIL.test(c.alarmEmail)) {
    p.push(`alarmEmail must be an e-mail address or empty, got ${show(c.alarmEmail)}`);
  }
  oneOf('removalPolicy', c.removalPolicy, ['retain', 'destroy']);
  return p;
}

/**
 * Merges partial configurations over {@link DEFAULT_CONFIG} (later inputs win) and validates the result.
 *
 * @param inputs - partial configurations (from the file, cdk.json, the command line), lowest precedence first
 * @param source - where the inputs came from, for the error message
 * @throws ConfigError listing every problem, each naming the value received
 * @example
 * ```ts
 * const config = resolveConfig([{ envName: 'prod', redshift: { enabled: false } }]);
 * ```
 */
export function resolveConfig(inputs: readonly unknown[] = [], source?: string): GridstreamConfig {
  const problems: string[] = [];
  for (const input of inputs) shapeProblems(input, DEFAULT_CONFIG, '', problems);
  if (problems.length > 0) throw new ConfigError(problems, source);
  const merged = inputs.reduce<unknown>(
    (acc, input) => deepMerge(acc, input),
    DEFAULT_CONFIG,
  ) as GridstreamConfig;
  const semantic = semanticProblems(merged);
  if (semantic.length > 0) throw new ConfigError(semantic, source);
  return merged;
}
