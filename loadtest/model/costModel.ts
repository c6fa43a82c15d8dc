import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../common/packageRoot.js';
import { LoadtestError } from '../errors.js';
import { SHARD_WRITE_LIMITS } from './shardModel.js';

/** The dated price table (loadtest/prices.json). Prices in `currency`, GB = 10⁹ bytes, TB = 10¹² bytes. */
export interface PriceTable {
  readonly as_of: string;
  readonly region: string;
  readonly currency: string;
  readonly source: string;
  readonly kinesis: {
    readonly on_demand: {
      readonly stream_hour: number;
      readonly ingest_per_gb: number;
      readonly retrieval_per_gb: number;
      readonly record_rounding_bytes: number;
    };
    readonly provisioned: {
      readonly shard_hour: number;
      readonly put_payload_units_per_million: number;
      readonly put_payload_unit_bytes: number;
    };
  };
  readonly firehose: {
    readonly ingest_per_gb: number;
    readonly ingest_increment_bytes: number;
    readonly format_conversion_per_gb: number;
    readonly dynamic_partitioning_per_gb: number;
    readonly dynamic_partitioning_per_1000_objects: number;
    readonly jq_processing_hour: number;
  };
  readonly s3: {
    readonly put_per_1000: number;
    readonly get_per_1000: number;
    readonly storage_gb_month: number;
  };
  readonly glue: { readonly dpu_hour: number; readonly minimum_billed_minutes: number };
  readonly athena: { readonly per_tb_scanned: number; readonly minimum_bytes_per_query: number };
  /** ECS Fargate, Linux on x86 (the load workers' tasks): per second, with a one-minute minimum per task. */
  readonly fargate: {
    readonly linux_x86_vcpu_hour: number;
    /** Per GB of task memory (AWS counts 1,024 MiB as a GB here). */
    readonly linux_x86_gb_hour: number;
    /** Ephemeral storage beyond the included amount. */
    readonly ephemeral_storage_gb_hour: number;
    readonly included_ephemeral_storage_gb: number;
    readonly minimum_billed_seconds: number;
  };
}

/** The shipped price table. */
export const PRICES_FILE = join(PACKAGE_ROOT, 'loadtest', 'prices.json');

/**
 * Reads a price table and checks it is dated and complete (every price a number ≥ 0).
 *
 * @param file - path of the table
 * @throws LoadtestError naming the missing or invalid entry
 */
export function loadPrices(file: string = PRICES_FILE): PriceTable {
  const table = JSON.parse(readFileSync(file, 'utf8')) as PriceTable;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(table.as_of))) {
    throw new LoadtestError(`${file}: as_of must be a date YYYY-MM-DD, got ${JSON.stringify(table.as_of)}`);
  }
  if (typeof table.region !== 'string' || table.region === '') {
    throw new LoadtestError(
      `${file}: region must name the AWS region the prices are of, got ${JSON.stringify(table.region)}`,
    );
  }
  const check = (path: string, v: unknown): void => {
    if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) check(`${path}.${k}`, x);
    else if (typeof v !== 'number' || !(v >= 0))
      throw new LoadtestError(`${file}: ${path} must be a number >= 0, got ${JSON.stringify(v)}`);
  };
  for (const service of ['kinesis', 'firehose', 's3', 'glue', 'athena', 'fargate'] as const)
    check(service, table[service]);
  return table;
}

/** One stream's load over the priced period. */
export interface StreamLoad {
  readonly dataset: string;
  /** User records (events) over the period. */
  readonly events: number;
  /** Highest rate of the period, events per second (sizes provisioned shards). */
  readonly peakEventsPerSecond: number;
  /** Mean JSON bytes per event. */
  readonly eventBytes: number;
  /** Events per Kinesis record after KPL aggregation (1: none). @default 1 */
  readonly eventsPerKinesisRecord?: number;
  /** Consumers reading the whole stream (Firehose, the alert consumer). @default 1 */
  readonly readers?: number;
  /** Provisioned mode: shards (else the fewest that carry the peak). */
  readonly shards?: number;
}

/** A Glue job's runs over the period. */
export interface GlueRuns {
  readonly job: string;
  readonly runs: number;
  readonly dpus: number;
  readonly minutesPerRun: number;
}

/** What {@link estimateCost} prices. */
export interface CostInput {
  /** Length of the period, hours. */
  readonly hours: number;
  readonly streams: readonly StreamLoad[];
  readonly kinesisMode: 'on_demand' | 'provisioned';
  readonly firehose?: {
    /** Partitions (dt/hr) receiving data at once per stream; late events add some. @default 1 */
    readonly activePartitions?: number;
    /** @default 300 (the CDK app's default) */
    readonly bufferSeconds?: number;
    /** @default 128 (the CDK app's default) */
    readonly bufferMiB?: number;
    /** JQ processing hours per stream per hour. @default 1/24 (about an hour a day) */
    readonly jqHoursPerHour?: number;
  };
  readonly glue?: readonly GlueRuns[];
  readonly athena?: { readonly queries: number; readonly bytesPerQuery: number };
  /** S3 PUTs beyond Firehose's objects (curated and gold writes). @default 0 */
  readonly extraS3Puts?: number;
}

/** One priced item. */
export interface CostLine {
  readonly service: 'kinesis' | 'firehose' | 's3' | 'glue' | 'athena';
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly cost: number;
}

/** A priced load. */
export interface CostEstimate {
  readonly asOf: string;
  readonly region: string;
  readonly currency: string;
  readonly hours: number;
  readonly events: number;
  readonly lines: readonly CostLine[];
  readonly total: number;
  readonly perHour: number;
  readonly perMillionEvents: number;
}

const GB = 1e9;
const TB = 1e12;

function roundUp(bytes: number, increment: number): number {
  return Math.ceil(bytes / increment) * increment;
}

/**
 * Prices a load on AWS from a dated price table: Kinesis (on-demand: stream-hours, ingest with each
 * record rounded up to 1 KB, retrieval per reader; provisioned: shard-hours and 25 KB PUT payload
 * units), Firehose (ingestion in 5 KB increments per record, format conversion on the same billed
 * volume, dynamic partitioning per GB, per 1,000 objects and per JQ hour), S3 PUTs, Glue DPU-hours (a
 * 1-minute minimum per run) and Athena bytes scanned (10 MB minimum per query). Pure: the same input and
 * table give the same estimate.
 *
 * @param input - the load over a period
 * @param prices - the price table ({@link loadPrices})
 * @example
 * ```ts
 * const e = estimateCost({ hours: 1, kinesisMode: 'on_demand', streams: [{ dataset: 'grid', events: 3.6e6, peakEventsPerSecond: 1000, eventBytes: 600 }] }, loadPrices());
 * e.perMillionEvents;
 * ```
 */
export function estimateCost(input: CostInput, prices: PriceTable): CostEstimate {
  if (!(input.hours > 0)) throw new RangeError(`hours must be > 0, got ${input.hours}`);
  const lines: CostLine[] = [];
  const add = (
    service: CostLine['service'],
    item: string,
    quantity: number,
    unit: string,
    unitPrice: number,
    per = 1,
  ): void => {
    lines.push({ service, item, quantity, unit, unitPrice, cost: (quantity / per) * unitPrice });
  };
  const k = prices.kinesis;
  const f = prices.firehose;
  const fh = input.firehose ?? {};
  const bufferSeconds = fh.bufferSeconds ?? 300;
  const bufferBytes = (fh.bufferMiB ?? 128) * 1_048_576;
  const partitions = fh.activePartitions ?? 1;
  let objects = 0;
  let events = 0;
  for (const s of input.streams) {
    events += s.events;
    const perRecord = s.eventsPerKinesisRecord ?? 1;
    const records = s.events / perRecord;
    const recordBytes = s.eventBytes * perRecord;
    const bytes = s.events * s.eventBytes;
    const d = s.dataset;
    if (input.kinesisMode === 'on_demand') {
      add('kinesis', `${d}: on-demand stream-hours`, input.hours, 'stream-hour', k.on_demand.stream_hour);
      add(
        'kinesis',
        `${d}: on-demand ingest (records rounded up to ${k.on_demand.record_rounding_bytes} B)`,
        (records * roundUp(recordBytes, k.on_demand.record_rounding_bytes)) / GB,
        'GB',
        k.on_demand.ingest_per_gb,
      );
      add(
        'kinesis',
        `${d}: on-demand retrieval × ${s.readers ?? 1} reader(s)`,
        (bytes * (s.readers ?? 1)) / GB,
        'GB',
        k.on_demand.retrieval_per_gb,
      );
    } else {
      const peakRecords = s.peakEventsPerSecond / perRecord;
      const shards =
        s.shards ??
        Math.max(
          1,
          Math.ceil(peakRecords / SHARD_WRITE_LIMITS.recordsPerSecond),
          Math.ceil((s.peakEventsPerSecond * s.eventBytes) / SHARD_WRITE_LIMITS.bytesPerSecond),
        );
      add(
        'kinesis',
        `${d}: ${shards} provisioned shard(s)`,
        shards * input.hours,
        'shard-hour',
        k.provisioned.shard_hour,
      );
      add(
        'kinesis',
        `${d}: PUT payload units (${k.provisioned.put_payload_unit_bytes / 1024} KB)`,
        records * Math.ceil(recordBytes / k.provisioned.put_payload_unit_bytes),
        'unit',
        k.provisioned.put_payload_units_per_million,
        1e6,
      );
    }
    const billed = (records * roundUp(recordBytes, f.ingest_increment_bytes)) / GB;
    add(
      'firehose',
      `${d}: ingestion (${f.ingest_increment_bytes / 1024} KB increments)`,
      billed,
      'GB',
      f.ingest_per_gb,
    );
    add('firehose', `${d}: format conversion JSON → Parquet`, billed, 'GB', f.format_conversion_per_gb);
    add('firehose', `${d}: dynamic partitioning`, bytes / GB, 'GB', f.dynamic_partitioning_per_gb);
    const streamObjects =
      partitions * Math.max(Math.ceil((input.hours * 3600) / bufferSeconds), Math.ceil(bytes / bufferBytes));
    objects += streamObjects;
    add(
      'firehose',
      `${d}: dynamic partitioning objects`,
      streamObjects,
      'object',
      f.dynamic_partitioning_per_1000_objects,
      1000,
    );
    add(
      'firehose',
      `${d}: JQ processing`,
      input.hours * (fh.jqHoursPerHour ?? 1 / 24),
      'hour',
      f.jq_processing_hour,
    );
  }
  add(
    's3',
    'PUTs (Firehose objects and curated writes)',
    objects + (input.extraS3Puts ?? 0),
    'request',
    prices.s3.put_per_1000,
    1000,
  );
  for (const g of input.glue ?? []) {
    const minutes = Math.max(g.minutesPerRun, prices.glue.minimum_billed_minutes);
    add(
      'glue',
      `${g.job}: ${g.runs} run(s) × ${g.dpus} DPU × ${minutes} min`,
      (g.runs * g.dpus * minutes) / 60,
      'DPU-hour',
      prices.glue.dpu_hour,
    );
  }
  if (input.athena && input.athena.queries > 0) {
    const perQuery = Math.max(input.athena.bytesPerQuery, prices.athena.minimum_bytes_per_query);
    add(
      'athena',
      `${input.athena.queries} probe queries (≥ ${prices.athena.minimum_bytes_per_query / 1_048_576} MB each)`,
      (input.athena.queries * perQuery) / TB,
      'TB',
      prices.athena.per_tb_scanned,
    );
  }
  const total = lines.reduce((sum, l) => sum + l.cost, 0);
  return {
    asOf: prices.as_of,
    region: prices.region,
    currency: prices.currency,
    hours: input.hours,
    events,
    lines,
    total,
    perHour: total / input.hours,
    perMillionEvents: events > 0 ? (total / events) * 1e6 : 0,
  };
}
