import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, type LakeStorage, openLakeStorage } from '../../datalake/storage/index.js';
import { EmbeddedKinesis } from '../../local/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream } from '../helpers/kinesis.js';
import { hasPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tempDir.js';
import { deliverOnce } from './support/deliverOnce.js';
import { duckRows, putEvents } from './support/lakeKit.js';
import { MotoServer } from './support/motoServer.js';

let kinesis: EmbeddedKinesis;
let moto: MotoServer;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  if (!hasPython()) return;
  [kinesis, moto] = await Promise.all([EmbeddedKinesis.start(), MotoServer.start()]);
  s3 = createS3Client(moto.endpoint);
  dir = tempDir('s3');
});
afterAll(async () => {
  s3?.destroy();
  await Promise.all([kinesis?.stop(), moto?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function download(lake: LakeStorage, prefix: string, to: string): Promise<string[]> {
  const files: string[] = [];
  for (const key of await lake.list(prefix)) {
    const file = join(to, key.replaceAll('/', '__'));
    writeFileSync(file, (await lake.getBytes(key))!);
    files.push(file);
  }
  return files;
}

describe.skipIf(!hasPython())('S3 lake (moto server)', () => {
  it('delivers exactly once to s3://bucket/prefix, checkpoints in the bucket, replaying an interrupted flush', async () => {
    // Prepare
    const bucket = `lake-${process.pid}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const lake = openLakeStorage(`s3://${bucket}/gridstream`, { s3Client: s3 });
    const stream = uniqueStream('s3');
    await kinesis.createStream(stream, 2);
    const events = Array.from({ length: 600 }, (_, i) => gridEvent({ event_id: `s3-${i}` }));
    await putEvents(kinesis.client, stream, events, { perAggregate: 20 });
    const binding = [{ dataset: 'grid' as const, streamName: stream }];
    // Act: the first run dies after its objects are written and before any checkpoint moves.
    const crashed = await deliverOnce(kinesis.client, lake, binding, {
      hooks: {
        beforeCheckpoint: () => {
          throw new Error('simulated crash before the checkpoint');
        },
      },
    }).catch((err: unknown) => err as Error);
    const afterCrash = await lake.list('raw/');
    const replay = await deliverOnce(kinesis.client, lake, binding);
    const rerun = await deliverOnce(kinesis.client, lake, binding);
    const keys = await lake.list('');
    const files = await download(lake, 'raw/', dir);
    const rows = await duckRows(
      `select count(*) as n, count(distinct event_id) as ids from read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`,
    );
    // Assess
    expect(crashed).toBeInstanceOf(Error);
    expect(afterCrash.length).toBeGreaterThan(0);
    expect(replay.warnings.some((w) => w.includes('replaying the interrupted flush'))).toBe(true);
    expect(replay.flushes.some((f) => f.replayed)).toBe(true);
    expect(rerun.stats.totals.delivered).toBe(0);
    expect(rows[0]).toEqual({ n: 600n, ids: 600n });
    expect(keys.filter((k) => k.startsWith('raw/'))).toEqual(expect.arrayContaining(afterCrash));
    expect(keys.filter((k) => k.startsWith('_checkpoints/'))).toHaveLength(2);
    expect(lake.location).toBe(`s3://${bucket}/gridstream`);
    await lake.close();
  });
});
