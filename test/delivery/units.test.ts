import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidLakeLocationError,
  InvalidObjectKeyError,
  LocalLakeStorage,
  openLakeStorage,
  S3LakeStorage,
} from '../../datalake/storage/index.js';
import {
  batchFileName,
  checkpointKey,
  DeliveryConfigurationError,
  DeliveryWorker,
  dataObjectKey,
  errorObjectKey,
  LatencyHistogram,
  parentsDone,
  parseStreams,
} from '../../stream-processors/delivery/index.js';
import { tempDir } from '../helpers/tempDir.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('units');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('object names', () => {
  const batch = {
    stream: 'grid',
    shardId: 'shardId-000000000001',
    firstSequenceNumber: '4968',
    lastSequenceNumber: '4970',
    firstArrivalMs: Date.UTC(2026, 10, 22, 13, 4, 5, 678),
  };

  it('follow Firehose’s pattern and are a pure function of stream, shard and sequence range', () => {
    expect(batchFileName(batch, 'parquet')).toBe(
      'grid-1-2026-11-22-13-04-05-shardId-000000000001-4968-4970.parquet',
    );
    expect(dataObjectKey('grid', Date.UTC(2026, 10, 19, 23, 59), batch)).toBe(
      'raw/grid/dt=2026-11-19/hr=23/grid-1-2026-11-22-13-04-05-shardId-000000000001-4968-4970.parquet',
    );
    expect(errorObjectKey('format-conversion-failed', batch.firstArrivalMs, batch)).toBe(
      'errors/format-conversion-failed/dt=2026-11-22/hr=13/grid-1-2026-11-22-13-04-05-shardId-000000000001-4968-4970.jsonl',
    );
    expect(checkpointKey('grid', 'shardId-000000000001')).toBe('_checkpoints/grid/shardId-000000000001.json');
    expect(batchFileName({ ...batch, lastSequenceNumber: '4971' }, 'parquet')).not.toBe(
      batchFileName(batch, 'parquet'),
    );
  });
});

describe('LatencyHistogram', () => {
  it('reports p50/p99 within 1% and the exact max', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) h.record(ms);
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(Math.abs(s.p50Ms - 5_000)).toBeLessThanOrEqual(50);
    expect(Math.abs(s.p99Ms - 9_900)).toBeLessThanOrEqual(99);
    expect(s.maxMs).toBe(10_000);
  });

  it('merges, and counts negative latencies (clock skew) as 0', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(-5);
    b.record(2_000);
    a.merge(b);
    expect(a.summary()).toMatchObject({ count: 2, p50Ms: 0, maxMs: 2_000 });
  });
});

describe('shard lineage', () => {
  it('reads a child only when every listed parent is finished', () => {
    const child = {
      shardId: 'c',
      parentShardId: 'p',
      adjacentParentShardId: 'q',
      startingSequenceNumber: '1',
    };
    expect(parentsDone(child, new Set(['p', 'q', 'c']), new Set(['p']))).toBe(false);
    expect(parentsDone(child, new Set(['p', 'q', 'c']), new Set(['p', 'q']))).toBe(true);
    // A parent past retention is no longer listed: nothing left to read before the child.
    expect(parentsDone(child, new Set(['q', 'c']), new Set(['q']))).toBe(true);
  });
});

describe('configuration', () => {
  it('parses --streams with optional stream names and rejects unknown datasets', () => {
    expect(parseStreams('grid, weather=wx-dev')).toEqual([
      { dataset: 'grid' },
      { dataset: 'weather', streamName: 'wx-dev' },
    ]);
    expect(() => parseStreams('grid,power')).toThrow(/unknown dataset "power"/);
    expect(() => parseStreams(' , ')).toThrow(DeliveryConfigurationError);
  });

  it.each([
    [{ bufferIntervalMs: -1 }, /bufferIntervalMs .* got -1/],
    [{ maxRecordsPerCall: 20_000 }, /maxRecordsPerCall .* got 20000/],
    [{ streams: [] }, /at least one stream/],
    [
      { streams: [{ dataset: 'grid' }, { dataset: 'weather', streamName: 'grid' }] },
      /stream grid is listed twice/,
    ],
    [{ streams: [{ dataset: 'power' }] }, /unknown dataset "power"/],
  ])('rejects %j before any network call', async (options, message) => {
    const storage = new LocalLakeStorage(join(dir, 'never'));
    await expect(DeliveryWorker.create({ storage, ...(options as object) })).rejects.toThrow(message);
    await expect(DeliveryWorker.create({ storage, ...(options as object) })).rejects.toBeInstanceOf(
      DeliveryConfigurationError,
    );
  });
});

describe('lake storage', () => {
  it('opens directories and s3:// URLs, rejecting other schemes and bad buckets', () => {
    expect(openLakeStorage(join(dir, 'x'))).toBeInstanceOf(LocalLakeStorage);
    const s3 = openLakeStorage('s3://my-bucket/some/prefix/');
    expect(s3).toBeInstanceOf(S3LakeStorage);
    expect(s3.location).toBe('s3://my-bucket/some/prefix');
    expect(s3.urlFor('raw/grid/a.parquet')).toBe('s3://my-bucket/some/prefix/raw/grid/a.parquet');
    expect(() => openLakeStorage('gs://bucket')).toThrow(InvalidLakeLocationError);
    expect(() => openLakeStorage('s3://Bad_Bucket')).toThrow(/not a valid bucket name/);
  });

  it('writes atomically, lists without staging files, and rejects keys that leave the lake', async () => {
    // Prepare
    const lake = new LocalLakeStorage(join(dir, 'local'));
    // Act
    await lake.putBytes('raw/grid/dt=2026-11-22/hr=01/a.parquet', Buffer.from('a'));
    await lake.putBytes('raw/weather/b.parquet', Buffer.from('b'));
    await lake.putBytes('raw/grid/dt=2026-11-22/hr=01/a.parquet', Buffer.from('a2'));
    const staging = await lake.stagingDir();
    // Assess
    expect(await lake.list('')).toEqual(['raw/grid/dt=2026-11-22/hr=01/a.parquet', 'raw/weather/b.parquet']);
    expect(await lake.listFolders('raw/')).toEqual(['grid', 'weather']);
    expect(Buffer.from((await lake.getBytes('raw/grid/dt=2026-11-22/hr=01/a.parquet'))!).toString()).toBe(
      'a2',
    );
    expect(await lake.getBytes('raw/none')).toBeUndefined();
    expect(readdirSync(staging)).toEqual([]);
    for (const bad of ['../x', '/abs', 'a//b', 'a/./b', '']) {
      await expect(lake.putBytes(bad, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    await lake.close();
  });

  it('removes the staging debris of a killed process, never a live one’s', async () => {
    // Prepare
    const root = join(dir, 'debris');
    mkdirSync(join(root, '_tmp', '999999999-dead'), { recursive: true });
    mkdirSync(join(root, '_tmp', `${process.ppid}-alive`), { recursive: true });
    const lake = new LocalLakeStorage(root);
    // Act
    const mine = await lake.stagingDir();
    // Assess
    expect(readdirSync(join(root, '_tmp')).sort()).toEqual(
      [`${process.ppid}-alive`, mine.split('/').pop()].sort(),
    );
    await lake.close();
  });
});
