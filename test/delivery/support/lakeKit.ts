// Shared helpers of the delivery and query suites: putting events on a stream, reading the lake back
// with DuckDB.
import { join } from 'node:path';
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { DuckDBInstance } from '@duckdb/node-api';
import { createRetrier } from '../../../common/index.js';
import { encodeAggregatedRecord } from '../../../kinesis/index.js';
import { KINESIS_RETRY_TEST_DEFAULTS } from '../../../producers/kinesis/index.js';

const retry = createRetrier(KINESIS_RETRY_TEST_DEFAULTS);

/**
 * Puts entries with PutRecords (≤ 500 per call), re-sending failed entries until all are in.
 *
 * @param client - Kinesis client
 * @param stream - stream name
 * @param entries - records in order
 */
export async function putEntries(
  client: KinesisClient,
  stream: string,
  entries: PutRecordsRequestEntry[],
): Promise<void> {
  let i = 0;
  while (i < entries.length) {
    // PutRecords takes ≤ 500 entries and ≤ 5 MiB.
    let bytes = 0;
    let j = i;
    while (j < entries.length && j - i < 500 && bytes + (entries[j]!.Data?.length ?? 0) <= 4 * 1024 * 1024) {
      bytes += entries[j]!.Data?.length ?? 0;
      j++;
    }
    if (j === i) j = i + 1;
    let batch = entries.slice(i, j);
    while (batch.length > 0) {
      // A keep-alive socket the emulator closed while idle fails once: retry like a producer would.
      const r = await retry(() => client.send(new PutRecordsCommand({ StreamName: stream, Records: batch })));
      batch = batch.filter((_, k) => r.Records?.[k]?.ErrorCode !== undefined);
    }
    i = j;
  }
}

/**
 * Puts events as JSON, KPL-aggregated `perAggregate` at a time (1: plain records). Events of one
 * aggregate share its partition key (the first event's key), like the KPL does per shard.
 *
 * @param client - Kinesis client
 * @param stream - stream name
 * @param events - the events
 * @param options - aggregation and partition key
 */
export async function putEvents(
  client: KinesisClient,
  stream: string,
  events: readonly object[],
  options: { perAggregate?: number; partitionKey?: (e: object, i: number) => string } = {},
): Promise<void> {
  const per = options.perAggregate ?? 1;
  const key = options.partitionKey ?? ((e: object) => String((e as { event_id?: unknown }).event_id));
  const entries: PutRecordsRequestEntry[] = [];
  for (let i = 0; i < events.length; i += per) {
    const slice = events.slice(i, i + per);
    if (per === 1) {
      entries.push({ Data: Buffer.from(JSON.stringify(slice[0])), PartitionKey: key(slice[0]!, i) });
    } else {
      const pk = key(slice[0]!, i);
      entries.push({
        Data: encodeAggregatedRecord(
          slice.map((e) => ({ partitionKey: pk, data: Buffer.from(JSON.stringify(e)) })),
        ),
        PartitionKey: pk,
      });
    }
  }
  await putEntries(client, stream, entries);
}

/**
 * Runs SQL on an in-memory DuckDB (time zone UTC) and returns rows as JS values.
 *
 * @param sql - the query
 */
export async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** `read_parquet` over one dataset's raw zone, with hive partitions and the file name. */
export function rawParquet(lake: string, dataset: string): string {
  return `read_parquet('${join(lake, 'raw', dataset)}/**/*.parquet', hive_partitioning = true, filename = true)`;
}
