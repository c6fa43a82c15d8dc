// One load worker's maximum rate, with and without the harness: `npm run bench -- loadtest`.
// Issue 13's floor: a worker with the harness's schedule and accounting reaches ≥ 0.9× the bare
// producer's rate on the same events into a PutRecords endpoint that accepts everything. Both run in
// this process one after the other (rounds alternate, so load from other work hits both alike):
// - bare: `runProducer` (what `gridstream produce --rate 0` runs) with the worker's generator and a KinesisSink;
// - harness: `runLoadWorker` with a constant profile far above what one core can send (the open model
//   then catches up in full batches, so it runs flat out), its metrics, freshness samples and result file.
// The endpoint is a child process answering ListShards and PutRecords (every record accepted), so its
// CPU is not this process's. BENCH_SECONDS sets the harness's profile length (default 8; 600 for the
// memory check, with BENCH_RATE=50000 BENCH_ROUNDS=1: RSS is printed every 10 s of that run).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silenceSdkNodeVersionWarning } from '../../common/sdkNodeWarning.js';
import { createKinesisClient } from '../../kinesis/kinesisClient.js';
import { KinesisSink } from '../../producers/kinesis/KinesisSink.js';
import { runProducer } from '../../producers/runProducer.js';
import { createGenerator } from '../../producers/sources/createGenerator.js';
import { RateProfile } from '../profile/RateProfile.js';
import { loadScenario } from '../scenario/loadScenario.js';
import { runLoadWorker } from '../worker/runLoadWorker.js';
import { workerSlice } from '../worker/workerSlice.js';

silenceSdkNodeVersionWarning();

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * Asked of the harness: by default far above one core, so it sends as fast as it can. The memory check
 * asks a rate the worker holds (BENCH_RATE=50000), so 10 minutes of profile take 10 minutes.
 */
const ASKED_RATE = Number(process.env.BENCH_RATE ?? 400_000);
const STREAM = 'bench-grid';
const SIM_START = Date.UTC(2026, 0, 1);

// The endpoint: answers every PutRecords record with success (records counted by their PartitionKey).
const ENDPOINT_SOURCE = `
const http = require('node:http');
const SHARD = 'shardId-000000000000';
let seq = 0n;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] || '');
    let body;
    if (target.endsWith('.PutRecords')) {
      const text = Buffer.concat(chunks).toString();
      let n = 0;
      for (let i = text.indexOf('"PartitionKey"'); i !== -1; i = text.indexOf('"PartitionKey"', i + 14)) n++;
      const records = [];
      for (let i = 0; i < n; i++) records.push({ SequenceNumber: String(++seq), ShardId: SHARD });
      body = { FailedRecordCount: 0, Records: records };
    } else if (target.endsWith('.ListShards')) {
      body = { Shards: [{ ShardId: SHARD, HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' }, SequenceNumberRange: { StartingSequenceNumber: '1' } }] };
    } else if (target.endsWith('.DescribeStreamSummary')) {
      body = { StreamDescriptionSummary: { StreamName: '${STREAM}', StreamStatus: 'ACTIVE', OpenShardCount: 1 } };
    } else {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      return res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

async function startEndpoint(dir: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const file = join(dir, 'acceptAll.cjs');
  writeFileSync(file, ENDPOINT_SOURCE);
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`the accept-all endpoint exited (${code})`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

function scenarioFile(dir: string): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(
    file,
    `target: { kind: kinesis, endpoint: "http://127.0.0.1:1" }\ndatasets:\n  grid:\n    profile: [{ kind: constant, name: flat, rate: ${ASKED_RATE}, duration: ${SECONDS}s }]\n`,
  );
  return file;
}

/** The harness: one load worker, flat out. Returns events/s acknowledged. */
async function harness(
  dir: string,
  endpoint: string,
  round: number,
): Promise<{ rate: number; events: number }> {
  const started = performance.now();
  const r = await runLoadWorker(
    {
      runId: `bench-${round}`,
      scenarioFile: scenarioFile(dir),
      name: 'w0',
      index: 0,
      of: 1,
      target: { endpoint, region: 'us-east-1', streams: { grid: STREAM } },
      simulatedStartMs: SIM_START,
      resultFile: join(dir, `w0-${round}.json`),
    },
    { start: async () => Date.now() },
  );
  const seconds = (performance.now() - started) / 1000;
  const g = r.datasets.grid!;
  if (g.acknowledged !== g.emitted)
    throw new Error(`harness: ${g.emitted} emitted, ${g.acknowledged} acknowledged`);
  return { rate: g.acknowledged / seconds, events: g.acknowledged };
}

/** The bare producer on the same generator and the same number of events. Returns events/s. */
async function bare(dir: string, endpoint: string, events: number, round: number): Promise<number> {
  const scenario = loadScenario(scenarioFile(dir));
  const load = scenario.datasets.grid!;
  const slice = workerSlice('grid', load, new RateProfile(load.profile), {
    runId: `bench-bare-${round}`,
    name: 'w0',
    index: 0,
    of: 1,
    seed: scenario.seed,
    simulatedStartMs: SIM_START,
  });
  const client = createKinesisClient({ endpoint, region: 'us-east-1' });
  const sink = new KinesisSink({
    dataset: 'grid',
    streamName: STREAM,
    client,
    metrics: 'off',
    rejectFile: null,
  });
  const generator = createGenerator('grid', { ...slice.generatorOptions, clock: slice.plan.clock() });
  const started = performance.now();
  await runProducer({ generator, sink, rate: 0, count: events });
  await sink.close();
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  if (sink.counters.sent !== events) throw new Error(`bare: ${sink.counters.sent} of ${events} sent`);
  return events / seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'gridstream-bench-worker-'));
const { endpoint, child } = await startEndpoint(dir);
let rss: NodeJS.Timeout | undefined;
if (SECONDS >= 60) {
  const t0 = Date.now();
  rss = setInterval(() => {
    const m = process.memoryUsage();
    process.stdout.write(
      `  t=${Math.round((Date.now() - t0) / 1000)} s rss ${(m.rss / 2 ** 20).toFixed(1)} MiB heap ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB\n`,
    );
  }, 10_000);
}
try {
  const rows: { round: number; harness: number; bare: number; events: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const h = await harness(dir, endpoint, round);
    const b = await bare(dir, endpoint, h.events, round);
    rows.push({ round, harness: h.rate, bare: b, events: h.events });
  }
  clearInterval(rss);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9);
  process.stdout.write(
    `one load worker flat out into an accept-all PutRecords endpoint (grid, ${SECONDS} s profiles)\n` +
      `round  events      bare producer  harness (worker)  ratio\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${String(r.round).padStart(5)}  ${fmt(r.events)}  ${fmt(r.bare)}/s     ${fmt(r.harness)}/s      ${(r.harness / r.bare).toFixed(2)}×\n`,
    );
  }
  const ratios = rows.map((r) => r.harness / r.bare).sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  process.stdout.write(
    `median ratio ${median.toFixed(2)}× (floor ≥ 0.9×: ${median >= 0.9 ? 'PASS' : 'FAIL'})\n`,
  );
} finally {
  clearInterval(rss);
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
