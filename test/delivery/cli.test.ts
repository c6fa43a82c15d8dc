import { join } from 'node:path';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { gridEvent, transactionEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { run } from '../helpers/run.js';
import { waitFor } from '../helpers/waitFor.js';
import { deliverOnce } from './support/deliverOnce.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('deliver-cli', (k, d) => {
  kinesis = k;
  dir = d;
});

describe('gridstream deliver', () => {
  it('--stop-when-caught-up delivers every stream, prints a summary and exits 0', async () => {
    // Prepare
    const grid = uniqueStream('cli-grid');
    const trades = uniqueStream('cli-trades');
    await kinesis.createStream(grid, 2);
    await kinesis.createStream(trades, 1);
    await putEvents(
      kinesis.client,
      grid,
      Array.from({ length: 300 }, (_, i) => gridEvent({ event_id: `g-${i}` })),
      {
        perAggregate: 25,
      },
    );
    await putEvents(kinesis.client, trades, [transactionEvent({ event_id: 't-1' }), { not: 'a trade' }]);
    const lake = join(dir, 'lake');
    const metrics = join(dir, 'metrics.jsonl');
    // Act
    const r = await run(
      process.execPath,
      [
        'bin/gridstream.js',
        'deliver',
        '--streams',
        `grid=${grid},transactions=${trades}`,
        '--lake',
        lake,
        '--stop-when-caught-up',
        '--buffer-interval',
        '0.2',
        '--metrics-file',
        metrics,
      ],
      { env: { ...process.env, AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint } },
    );
    const rows = await duckRows(`select count(*) as n from ${rawParquet(lake, 'grid')}`);
    const emf = (await import('node:fs'))
      .readFileSync(metrics, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^deliver: delivered 301 events in \d+ files, rejected 1 in 1 error files \(2 streams, 3 shards\)/,
    );
    expect(r.stdout).toMatch(/freshness p50 .* p99 /);
    expect(rows).toEqual([{ n: 300n }]);
    expect(
      emf.some((m) => m.FreshnessP99 !== undefined && m._aws.CloudWatchMetrics[0].Namespace === 'Gridstream'),
    ).toBe(true);
  });

  it('rejects an unknown dataset with exit code 2', async () => {
    const r = await run(process.execPath, ['bin/gridstream.js', 'deliver', '--streams', 'power']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown dataset "power"/);
  });

  it('reads a stream deleted and created again under the same name from its start', async () => {
    // Prepare
    const stream = uniqueStream('recreated');
    const lake = new LocalLakeStorage(join(dir, stream));
    const createdSecond = Math.floor(Date.now() / 1000);
    await kinesis.createStream(stream, 1);
    await putEvents(kinesis.client, stream, [
      gridEvent({ event_id: 'old-1' }),
      gridEvent({ event_id: 'old-2' }),
    ]);
    await deliverOnce(kinesis.client, lake, [{ dataset: 'grid', streamName: stream }]);
    // kinesalite stamps streams and sequence numbers by the second: a stream re-created within the same
    // second would be indistinguishable from the old one (AWS never reuses them).
    await waitFor('the next second', () =>
      Math.floor(Date.now() / 1000) > createdSecond ? true : undefined,
    );
    await kinesis.client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitFor('stream deleted', async () => {
      try {
        await kinesis.createStream(stream, 1);
        return true;
      } catch {
        return undefined;
      }
    });
    await putEvents(kinesis.client, stream, [gridEvent({ event_id: 'new-1' })]);
    // Act
    const second = await deliverOnce(kinesis.client, lake, [{ dataset: 'grid', streamName: stream }]);
    const ids = await duckRows(`select event_id from ${rawParquet(lake.location, 'grid')} order by 1`);
    // Assess
    expect(second.warnings.some((w) => w.includes('earlier stream of the same name'))).toBe(true);
    expect(ids.map((r) => r.event_id)).toEqual(['new-1', 'old-1', 'old-2']);
  });
});
