import { ShardMap } from '../../../../kinesis/ShardMap.js';
import type { BufferedRecord, SinkEntry } from '../../../../producers/kinesis/types.js';

const hex = (n: bigint) => n.toString(16).padStart(32, '0');
const TOP = 2n ** 128n;

/**
 * A shard map of `count` equal hash key ranges named `${prefix}0`, `${prefix}1`, …; with `covered` < 1
 * only that fraction of the key space (from 0) belongs to a shard, as during a resharding.
 */
export function evenShards(count: number, prefix = 'shard-', covered = 1): ShardMap {
  const end = covered === 1 ? TOP : (TOP * BigInt(Math.round(covered * 1000))) / 1000n;
  const size = end / BigInt(count);
  return new ShardMap(
    Array.from({ length: count }, (_, i) => ({
      shardId: `${prefix}${i}`,
      startingHashKey: hex(size * BigInt(i)),
      endingHashKey: hex(i === count - 1 ? end - 1n : size * BigInt(i + 1) - 1n),
    })),
  );
}

/**
 * A user record as the sink buffers it (ASCII JSON data, sizes exact), without a contract: the stages
 * only look at keys, sizes and deadlines.
 *
 * @param partitionKey - its key
 * @param seq - a number that makes its id and data unique
 * @param options - data length (padded with `x`) and deadline
 */
export function bufferedRecord(
  partitionKey: string,
  seq: number,
  options: { dataBytes?: number; deadline?: number } = {},
): BufferedRecord {
  const head = `{"event_id":"e-${seq}","key":"${partitionKey}","pad":"`;
  const tail = '"}';
  const padding = Math.max(0, (options.dataBytes ?? 80) - head.length - tail.length);
  const data = `${head}${'x'.repeat(padding)}${tail}`;
  return {
    eventId: `e-${seq}`,
    partitionKey,
    data,
    dataLength: data.length,
    size: data.length + partitionKey.length,
    deadline: options.deadline ?? Number.MAX_SAFE_INTEGER,
    tag: 0,
  };
}

/**
 * A PutRecords entry of `size` bytes holding the given user records (or one made up).
 *
 * @param options - size, deadline, predicted shard and user records
 */
export function sinkEntry(
  options: {
    size?: number;
    deadline?: number;
    predictedShard?: string;
    users?: BufferedRecord[];
    key?: string;
  } = {},
): SinkEntry {
  const users = options.users ?? [bufferedRecord(options.key ?? 'k', 0)];
  return {
    partitionKey: options.key ?? users[0]!.partitionKey,
    data: new Uint8Array(0),
    size: options.size ?? users.reduce((n, u) => n + u.size, 0),
    users,
    predictedShard: options.predictedShard,
    deadline: options.deadline ?? users[0]!.deadline,
  };
}

/** Whether a promise has settled once the microtasks queued so far ran (no timer, no time passing). */
export async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}
