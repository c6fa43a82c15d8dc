import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRetrier } from '../../common/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { abortOnSignals, runProducer, TooManyRejectsError } from '../../producers/index.js';
import {
  KINESIS_RETRY_TEST_DEFAULTS,
  KinesisSink,
  SINK_TEST_DEFAULTS,
} from '../../producers/kinesis/index.js';
import { createGenerator, type EventGenerator } from '../../producers/sources/index.js';
import { contractFor, DATASETS, type Dataset } from '../../schemas/index.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { run } from '../helpers/run.js';
import { readBack } from './kinesis/readBack.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('produce', (k, d) => {
  kinesis = k;
  dir = d;
});

function sinkFor<D extends Dataset>(dataset: D, streamName: string, aggregate = true): KinesisSink<D> {
  return new KinesisSink({
    dataset,
    streamName,
    client: kinesis.client,
    aggregate,
    defaults: SINK_TEST_DEFAULTS,
    retrier: createRetrier(KINESIS_RETRY_TEST_DEFAULTS),
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
    const result = await runProducer({
      generator: createGenerator(dataset, { seed: 7 }),
      sink,
      count: 1_000,
    });
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

  it('never sends an event before it is due: one due in an hour is not sent by a 50 ms run', async () => {
    // Prepare: every third event is due an hour from now, the others at once
    const streamName = uniqueStream('due');
    await kinesis.createStream(streamName, 1);
    const sink = sinkFor('grid', streamName);
    const inner = createGenerator('grid', { seed: 4 });
    const later = new Set<string>();
    let n = 0;
    const generator: EventGenerator<'grid'> = {
      dataset: 'grid',
      next: () => {
        const e = inner.next();
        if (++n % 3 === 0) later.add(e.event_id);
        return e;
      },
    };
    const startedAt = Date.now();
    // Act
    const result = await runProducer({
      generator,
      sink,
      durationMs: 50,
      dueAtMs: (e) => (later.has(e.event_id) ? startedAt + 3_600_000 : 0),
    });
    await sink.close();
    const back = await readBack(kinesis.client, streamName);
    // Assess: the first two went, the third was waited for until the run ended and never sent
    expect(result).toMatchObject({ stoppedBy: 'duration', accepted: 2 });
    expect(back.map((r) => r.event.event_id).filter((id) => later.has(String(id)))).toEqual([]);
    expect(back.length).toBe(2);
  });

  it('an abort while it waits for an event due in an hour ends the wait, and the process exits', async () => {
    // Act: a child process runs the producer, aborts it after 50 ms and must then exit by itself (a
    // timer left running would keep it, like `gridstream up` after Ctrl-C, alive for the hour)
    const r = await run(process.execPath, ['--import', 'tsx', 'test/producers/support/abortWaitChild.ts'], {
      timeoutMs: 120_000,
    });
    // Assess
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ stoppedBy: 'signal', accepted: 0 });
  }, 180_000);

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

describe('abortOnSignals', () => {
  it('aborts on the first signal and hands the second to onSecond', () => {
    const controller = new AbortController();
    const first: string[] = [];
    const second: string[] = [];
    const dispose = abortOnSignals(controller, {
      signals: ['SIGTERM'],
      onFirst: (s) => first.push(s),
      onSecond: (s) => second.push(s),
    });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(controller.signal.aborted).toBe(true);
      process.emit('SIGTERM', 'SIGTERM');
    } finally {
      dispose();
    }
    expect(first).toEqual(['SIGTERM']);
    expect(second).toEqual(['SIGTERM']);
    expect(process.listenerCount('SIGTERM')).toBe(0);
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

  it('on SIGINT stops, sends what is buffered, prints the summary and exits 0', async () => {
    // Prepare: an open-ended run
    const stream = uniqueStream('sigint');
    const child = spawn(
      process.execPath,
      [
        'bin/gridstream.js',
        'produce',
        '--dataset',
        'weather',
        '--rate',
        '2000',
        '--stream',
        stream,
        '--shards',
        '1',
      ],
      {
        env: { ...process.env, AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait (polling, with a timeout) until the child has delivered something; the stream appears when
    // the child creates it.
    const until = Date.now() + 30_000;
    while ((await readBack(kinesis.client, stream).catch(() => [])).length === 0) {
      if (Date.now() > until || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`no events arrived; child exit code ${child.exitCode}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // Act
    child.kill('SIGINT');
    const code = await exited;
    const back = await readBack(kinesis.client, stream);
    // Assess
    expect(code).toBe(0);
    const sent = Number(/sent (\d+) events/.exec(stdout)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(back).toHaveLength(sent);
    expect(new Set(back.map((r) => r.event.event_id)).size).toBe(sent);
    expect(stdout).toMatch(/expired 0, rejected 0, failed 0/);
  });

  it('exits 2 on contradictory options', async () => {
    const run = await gridstream(['produce', '--count', '5', '--duration', '1'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--count or --duration');
  });
});

describe('gridstream produce: rates that would repeat keys', () => {
  it('refuses --speed 1 with a rate above the widest universe, exit 2, saying why and what to change', async () => {
    const run = await gridstream(
      ['produce', '--dataset', 'grid', '--rate', '200', '--speed', '1', '--count', '5'],
      {},
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/would repeat an interval's keys/);
    expect(run.stderr).toMatch(/Raise --speed to at least \d+, or lower the rate/);
  });

  it('prints how it reaches the rate: universe and speed', async () => {
    const run = await gridstream(['produce', '--dataset', 'grid', '--rate', '0', '--count', '50'], {});
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /grid: as fast as the sink takes them = 215 settlement points .* 50 events cover/,
    );
  });
});
