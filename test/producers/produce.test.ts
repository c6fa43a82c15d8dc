import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProducer, TooManyRejectsError } from '../../producers/index.js';
import {
  createRetrier,
  EmbeddedKinesis,
  KinesisSink,
  RETRY_TEST_DEFAULTS,
  SINK_TEST_DEFAULTS,
} from '../../producers/kinesis/index.js';
import { createGenerator, type EventGenerator } from '../../producers/sources/index.js';
import { contractFor, DATASETS, type Dataset } from '../../schemas/index.js';
import { readBack, uniqueStream } from './kinesis/readBack.js';

let kinesis: EmbeddedKinesis;
let dir: string;

beforeAll(async () => {
  kinesis = await EmbeddedKinesis.start();
  dir = mkdtempSync(join(tmpdir(), 'gridstream-produce-'));
});
afterAll(async () => {
  await kinesis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sinkFor<D extends Dataset>(dataset: D, streamName: string, aggregate = true): KinesisSink<D> {
  return new KinesisSink({
    dataset,
    streamName,
    client: kinesis.client,
    aggregate,
    defaults: SINK_TEST_DEFAULTS,
    retrier: createRetrier(RETRY_TEST_DEFAULTS),
    rejectFile: join(dir, `${streamName}.jsonl`),
  });
}

describe.each(DATASETS)('runProducer(%s)', (dataset) => {
  it('sends exactly count generated events, all valid, then stops', async () => {
    // Prepare
    const streamName = uniqueStream(`run-${dataset}`);
    await kinesis.createStream(streamName, 2);
    const sink = sinkFor(dataset, streamName);
    // Act
    const result = await runProducer({ generator: createGenerator(dataset, { seed: 7 }), sink, count: 1_000 });
    const totals = await sink.close();
    const back = await readBack(kinesis.client, streamName);
    // Assess
    expect(result).toMatchObject({ stoppedBy: 'count', accepted: 1_000, rejected: 0 });
    expect(totals.sent).toBe(1_000);
    expect(new Set(back.map((r) => r.event.event_id)).size).toBe(1_000);
    expect(back.every((r) => contractFor(dataset).isValid(r.event))).toBe(true);
  });
});

describe('runProducer', () => {
  it('never runs ahead of the target rate', async () => {
    const streamName = uniqueStream('rate');
    await kinesis.createStream(streamName, 1);
    const sink = sinkFor('grid', streamName);
    const rate = 2_000;
    const result = await runProducer({
      generator: createGenerator('grid', { seed: 1 }),
      sink,
      rate,
      durationMs: 300,
    });
    await sink.close();
    expect(result.stoppedBy).toBe('duration');
    expect(result.generated).toBeGreaterThan(0);
    // An upper bound only: a slow machine produces fewer, never more.
    expect(result.generated).toBeLessThanOrEqual(Math.floor((rate * result.elapsedMs) / 1000) + 1);
  });

  it('stops on the abort signal; closing the sink then delivers everything accepted', async () => {
    // Prepare: the generator aborts the run after 700 events, as SIGINT would
    const streamName = uniqueStream('abort');
    await kinesis.createStream(streamName, 1);
    const sink = sinkFor('weather', streamName);
    const controller = new AbortController();
    const inner = createGenerator('weather', { seed: 3 });
    let n = 0;
    const generator: EventGenerator<'weather'> = {
      dataset: 'weather',
      next: () => {
        n += 1;
        if (n === 700) controller.abort();
        return inner.next();
      },
    };
    // Act
    const result = await runProducer({ generator, sink, signal: controller.signal });
    const totals = await sink.close({ deadlineMs: 10_000 });
    // Assess
    expect(result.stoppedBy).toBe('signal');
    expect(result.accepted).toBe(700);
    expect(totals.sent).toBe(700);
    expect((await readBack(kinesis.client, streamName)).length).toBe(700);
  });

  it('gives up with TooManyRejectsError when the source only yields invalid events', async () => {
    const streamName = uniqueStream('bad-source');
    await kinesis.createStream(streamName, 1);
    const sink = sinkFor('grid', streamName);
    const broken = { dataset: 'grid', next: () => ({ event_id: 'x' }) } as unknown as EventGenerator<'grid'>;
    await expect(runProducer({ generator: broken, sink, maxConsecutiveRejects: 50 })).rejects.toBeInstanceOf(
      TooManyRejectsError,
    );
    const totals = await sink.close();
    expect(totals).toMatchObject({ rejected: 50, accepted: 0 });
  });
});

function gridstream(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/gridstream.js', ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('gridstream produce (CLI, against an emulator named by AWS_ENDPOINT_URL_KINESIS)', () => {
  it('sends exactly --count events per dataset and exits 0', async () => {
    // Prepare
    const prefix = uniqueStream('cli');
    const env = { AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint };
    // Act
    const run = await gridstream(
      [
        'produce',
        '--dataset',
        'all',
        '--count',
        '400',
        '--rate',
        '0',
        '--stream',
        `${prefix}-{dataset}`,
        '--shards',
        '2',
        '--reject-file',
        join(dir, 'cli-rejects.jsonl'),
      ],
      env,
    );
    // Assess
    expect(run.stderr).not.toContain('embedded Kinesis');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/sent 1200 of 1200 events/);
    for (const dataset of DATASETS) {
      const back = await readBack(kinesis.client, `${prefix}-${dataset}`);
      expect(new Set(back.map((r) => r.event.event_id)).size).toBe(400);
      expect(back.every((r) => contractFor(dataset).isValid(r.event))).toBe(true);
    }
  });

  it('exits 2 naming the stream when it does not exist and --shards is not given', async () => {
    const stream = uniqueStream('absent');
    const run = await gridstream(['produce', '--dataset', 'grid', '--count', '5', '--stream', stream], {
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(stream);
  });

  it('exits 2 on contradictory options', async () => {
    const run = await gridstream(['produce', '--count', '5', '--duration', '1'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--count or --duration');
  });
});
