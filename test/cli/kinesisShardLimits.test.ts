import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createKinesisClient } from '../../kinesis/index.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';

describe('gridstream kinesis --enforce-shard-limits', () => {
  it('throttles a burst past 1,000 records/s on a shard and counts the throttled records on stop (--stats: per shard)', async () => {
    // Prepare: the emulator with one shard per dataset stream
    const statsFile = join(tempDir('kinesis-stats'), 'stats.json');
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'gridstream.js'),
        'kinesis',
        '--port',
        '0',
        '--shards',
        '1',
        '--enforce-shard-limits',
        '--stats',
        statsFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const endpoint = await waitFor(
      'the export line',
      () => /AWS_ENDPOINT_URL_KINESIS=(\S+)/.exec(out)?.[1],
      60_000,
    );
    const client = createKinesisClient({ endpoint });

    // Act: 3,000 records for the one grid shard at once
    const answers = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((c) =>
        client.send(
          new PutRecordsCommand({
            StreamName: 'grid',
            Records: Array.from({ length: 500 }, (_, i) => ({
              Data: Buffer.from(`{"n":${c * 500 + i}}`),
              PartitionKey: `k${i}`,
            })),
          }),
        ),
      ),
    );
    client.destroy();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    const throttled = answers.reduce((sum, a) => sum + (a.FailedRecordCount ?? 0), 0);
    expect(throttled).toBeGreaterThan(0);
    expect(out).toContain('per-shard write limits 1,000 records/s and 1.0 MiB/s');
    expect(out).toContain(`throttled ${throttled.toLocaleString('en-US')} records over shard limits`);
    expect(code).toBe(0);
    const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    expect(stats).toMatchObject({
      format: 'gridstream-kinesis-stats/1',
      throttled_records: throttled,
      throttled_by_shard: { 'grid/shardId-000000000000': throttled },
    });
    expect(stats.held_records).toBe(3000 - throttled);
  });
});
