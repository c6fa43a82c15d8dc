import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { type DeaggregatedRecord, deaggregate } from '../../../kinesis/kplAggregation.js';

/** A user record read back from a stream, with where it was found. */
export interface ReadBackRecord extends DeaggregatedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Partition key of the Kinesis record that carried it (the first user record's key for aggregates). */
  readonly outerPartitionKey: string;
  /** The user record's data parsed as JSON. */
  readonly event: Record<string, unknown>;
}

/**
 * Reads every shard of a stream from TRIM_HORIZON to the tip with GetRecords and de-aggregates each
 * Kinesis record (MD5 verified).
 *
 * @param client - Kinesis client
 * @param streamName - stream
 */
export async function readBack(client: KinesisClient, streamName: string): Promise<ReadBackRecord[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: ReadBackRecord[] = [];
  for (const shard of shards) {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of page.Records ?? []) {
        for (const u of deaggregate(r.Data!, r.PartitionKey!)) {
          out.push({
            ...u,
            shardId: shard.ShardId!,
            sequenceNumber: r.SequenceNumber!,
            outerPartitionKey: r.PartitionKey!,
            event: JSON.parse(Buffer.from(u.data).toString('utf8')) as Record<string, unknown>,
          });
        }
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}
