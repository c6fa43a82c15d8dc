import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { isRetriable, type Retrier } from '../common/retry/index.js';

/** A shard as delivery sees it: id, lineage and where its sequence numbers start. */
export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly startingSequenceNumber: string;
  /** Set once the shard is closed (split or merged). */
  readonly endingSequenceNumber?: string;
}

function toInfo(s: Shard): ShardInfo {
  return {
    shardId: s.ShardId!,
    ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}),
    ...(s.AdjacentParentShardId ? { adjacentParentShardId: s.AdjacentParentShardId } : {}),
    startingSequenceNumber: s.SequenceNumberRange?.StartingSequenceNumber ?? '',
    ...(s.SequenceNumberRange?.EndingSequenceNumber
      ? { endingSequenceNumber: s.SequenceNumberRange.EndingSequenceNumber }
      : {}),
  };
}

/**
 * Every shard of a stream, open and closed (within retention), following ListShards pagination.
 *
 * @param kinesis - client
 * @param retrier - retries throttling (ListShards allows 1,000 calls/s per stream) and 5xx
 * @param stream - stream name
 */
export async function listShards(
  kinesis: KinesisClient,
  retrier: Retrier,
  stream: string,
): Promise<ShardInfo[]> {
  const out: ShardInfo[] = [];
  let token: string | undefined;
  do {
    const page = await retrier(async (bail) => {
      try {
        return await kinesis.send(
          new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
        );
      } catch (err) {
        if (!isRetriable(err)) bail(err);
        throw err;
      }
    });
    for (const s of page.Shards ?? []) if (s.ShardId) out.push(toInfo(s));
    token = page.NextToken;
  } while (token);
  return out;
}

/**
 * True when a shard may be read: each parent it names is finished, or no longer listed (past
 * retention, so nothing is left to read before it). Reading parents to their end first keeps the
 * order of every partition key across a split or merge.
 *
 * @param shard - the shard
 * @param listed - ids of every listed shard
 * @param finished - ids of shards read to their end and checkpointed
 */
export function parentsDone(
  shard: ShardInfo,
  listed: ReadonlySet<string>,
  finished: ReadonlySet<string>,
): boolean {
  for (const p of [shard.parentShardId, shard.adjacentParentShardId]) {
    if (p !== undefined && listed.has(p) && !finished.has(p)) return false;
  }
  return true;
}

/**
 * A stream's StreamCreationTimestamp, epoch ms (DescribeStreamSummary).
 *
 * @param kinesis - client
 * @param retrier - retries throttling and 5xx
 * @param stream - stream name
 * @throws ResourceNotFoundException when the stream does not exist
 */
export async function streamCreatedMs(
  kinesis: KinesisClient,
  retrier: Retrier,
  stream: string,
): Promise<number> {
  const r = await retrier(async (bail) => {
    try {
      return await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    } catch (err) {
      if (!isRetriable(err)) bail(err);
      throw err;
    }
  });
  return r.StreamDescriptionSummary?.StreamCreationTimestamp?.getTime() ?? 0;
}
