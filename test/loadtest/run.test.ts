// `gridstream loadtest run` end to end on the real embedded pipeline: the CLI (dist/) starts
// `gridstream kinesis`, `gridstream deliver` and the load workers as processes, curates and reconciles.
// Loads are kept small (2 shared cores); nothing is timed.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb } from '../../datalake/duckdb/openDuckDb.js';
import { SUMMARY_SCHEMA_FILE } from '../../loadtest/report/renderReport.js';
import type { RunSummary } from '../../loadtest/report/types.js';
import type { WorkerResult } from '../../loadtest/worker/types.js';
import { validateJson } from '../../schemas/index.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';

const CLI = join(REPO_ROOT, 'bin', 'gridstream.js');
const schema = JSON.parse(readFileSync(SUMMARY_SCHEMA_FILE, 'utf8'));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gridstream loadtest …`; `interruptWhen` sends SIGINT once stdout matches it. */
function loadtest(args: string[], interruptWhen?: RegExp): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'loadtest', ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (interruptWhen && !sent && interruptWhen.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A small embedded scenario file. */
function scenario(dir: string, body: string): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, `seed: 5\ntarget: { kind: embedded, shards: 1 }\n${body}`);
  return file;
}

const readSummary = (runDir: string): RunSummary =>
  JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;

describe('gridstream loadtest run', () => {
  it('runs smoke on the embedded pipeline: exit 0, exact reconciliation, a valid summary and a report', async () => {
    const dir = tempDir('lt-smoke');
    const out = join(dir, 'run');
    const r = await loadtest(['run', 'smoke', '--out', out]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const summary = readSummary(out);
    expect(validateJson(schema, summary)).toEqual([]);
    expect(summary.verdict).toBe('pass');
    expect(summary.reconciliation.lost).toBe(0);
    expect(summary.reconciliation.duplicated_raw).toBe(0);
    expect(summary.reconciliation.sent).toBeGreaterThan(0);
    expect(summary.reconciliation.found_raw).toBe(summary.reconciliation.sent);
    expect(Object.keys(summary.datasets).sort()).toEqual(['grid', 'transactions', 'weather']);
    expect(summary.processes?.map((p) => p.role).sort()).toEqual(
      expect.arrayContaining(['coordinator', 'curation', 'delivery', 'emulator', 'load']),
    );
    expect(r.stdout).toMatch(/^lost: 0$/m);
    expect(r.stdout).toMatch(/verdict: PASS/);
    for (const f of [
      'run.json',
      'scenario.yaml',
      'timeseries.jsonl',
      'samples.jsonl',
      'report.html',
      'workers/w0.json',
      'logs/kinesis.log',
      'logs/deliver.log',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({
      format: 'gridstream-loadtest-run/1',
      scenario: 'smoke',
      curated: true,
      target: { lake: 'lake' },
    });
    // The run folder reconciles again on its own, reading only the run's hours (the lake holds nothing
    // else), and the same with every hour; a margin that is not a number is a usage error.
    const again = await loadtest(['reconcile', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^lost: 0$/m);
    expect(again.stdout).toContain(`sent: ${summary.reconciliation.sent}`);
    const all = await loadtest(['reconcile', out, '--margin-hours', 'all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`found_raw: ${summary.reconciliation.sent}`);
    const bad = await loadtest(['reconcile', out, '--margin-hours', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--margin-hours must be a number of hours ≥ 0 or all, got "soon"/);
  });

  it('exits 1 and names the failed SLO on stderr when a threshold cannot hold', async () => {
    const dir = tempDir('lt-fail');
    const file = scenario(
      dir,
      `datasets:
  grid:
    profile: [{ kind: constant, name: plateau, rate: 40, duration: 3s }]
thresholds:
  - { metric: reconciliation.lost, max: 0 }
  - { name: instant-raw, metric: freshness.raw.p99, max: 1ms }
`,
    );
    const r = await loadtest(['run', file, '--out', join(dir, 'run')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/SLO failed: instant-raw: freshness\.raw\.p99 = [\d.]+ ms \(must be <= 1\)/);
    expect(r.stderr).not.toMatch(/SLO failed: reconciliation/);
    const summary = readSummary(join(dir, 'run'));
    expect(summary.verdict).toBe('fail');
    expect(summary.slos.find((s) => s.name === 'instant-raw')?.pass).toBe(false);
    expect(summary.reconciliation.lost).toBe(0);
  });

  it('Ctrl-C stops the load; delivery drains and the reconciliation is still exact (verdict interrupted, exit 130)', async () => {
    const dir = tempDir('lt-int');
    const file = scenario(
      dir,
      `datasets:
  grid:
    late_share: 0.05
    late_by: 1h
    profile: [{ kind: constant, name: plateau, rate: 60, duration: 5m }]
thresholds:
  - { metric: reconciliation.lost, max: 0 }
`,
    );
    const out = join(dir, 'run');
    // The second plain progress line (off a TTY one every 10 s): the load is under way.
    const r = await loadtest(['run', file, '--out', out], /^0:1\d\/5:00 /m);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(130);
    const summary = readSummary(out);
    expect(summary.verdict).toBe('interrupted');
    expect(summary.reconciliation.sent).toBeGreaterThan(0);
    // Far fewer than the 18,000 events of the whole profile were sent, and every one is in raw.
    expect(summary.reconciliation.sent).toBeLessThan(18_000);
    expect(summary.reconciliation.lost).toBe(0);
    expect(summary.reconciliation.duplicated_raw).toBe(0);
    const w0 = JSON.parse(readFileSync(join(out, 'workers', 'w0.json'), 'utf8')) as WorkerResult;
    expect(w0.interrupted).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('an aborting threshold stops the load early; a search stage reports its knee', async () => {
    const dir = tempDir('lt-abort');
    const file = scenario(
      dir,
      `datasets:
  grid:
    profile: [{ kind: search, name: search, start: 40, increase: 40, step_duration: 20s, max: 400, until: [instant] }]
thresholds:
  - { name: instant, metric: put_latency.p99, max: 1ms, abort: true }
  - { metric: reconciliation.lost, max: 0 }
`,
    );
    const out = join(dir, 'run');
    const r = await loadtest(['run', file, '--out', out]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stderr).toMatch(/threshold broke, stopping the load: instant \(put_latency\.p99 = /);
    const summary = readSummary(out);
    expect(summary.verdict).toBe('fail');
    expect(summary.knee).toEqual({ dataset: 'grid', rate: 0, broke: ['instant'] });
    // Stopped in the first 20 s plateau of 40 events/s, long before the profile's 22,000 events.
    expect(summary.datasets.grid!.asked).toBeLessThan(800);
    expect(summary.reconciliation.lost).toBe(0);
  });

  it('refuses an unreachable kinesis endpoint before any load, naming it', async () => {
    const dir = tempDir('lt-unreach');
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      `target: { kind: kinesis, endpoint: "http://127.0.0.1:9" }
datasets:
  grid:
    profile: [{ kind: constant, rate: 10, duration: 2s }]
`,
    );
    const out = join(dir, 'run');
    const r = await loadtest(['run', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/target unreachable: http:\/\/127\.0\.0\.1:9 \(stream grid\).*no load was sent/);
    expect(readdirSync(join(out, 'workers'))).toEqual([]);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });

  it('enforce_shard_limits: one shard asked 2,500 records/s throttles, nothing is lost; processes sampled through curation; live progress', async () => {
    const dir = tempDir('lt-limits');
    const file = join(dir, 'limits.yaml');
    writeFileSync(
      file,
      `seed: 9
target: { kind: embedded, shards: 1, enforce_shard_limits: true }
datasets:
  grid:
    profile: [{ kind: constant, name: burst, rate: 2500, duration: 3s }]
thresholds:
  - { metric: reconciliation.lost, max: 0 }
`,
    );
    const out = join(dir, 'run');
    const r = await loadtest(['run', file, '--out', out]);
    const log = `${r.stdout}\n${r.stderr}`;
    expect(log).not.toMatch(/not applied yet/);
    const summary = readSummary(out);
    expect(validateJson(schema, summary)).toEqual([]);
    // The emulator enforced 1,000 records/s per shard: the sinks were throttled and retried...
    expect(summary.datasets.grid!.throttles).toBeGreaterThan(0);
    // ...and the reconciliation is still exact.
    expect(summary.reconciliation.lost).toBe(0);
    expect(summary.reconciliation.duplicated_raw).toBe(0);
    expect(summary.reconciliation.found_raw).toBe(summary.reconciliation.sent);
    expect(summary.reconciliation.sent).toBe(7500);
    // The emulator's per-shard throttles stand beside the shard model's prediction for the one shard.
    const observed = summary.shards!.grid!.observed!;
    // Undefined when the emulator wrote no stop statistics (it did not stop in time): a clear failure.
    expect(observed.byShard, 'logs/kinesis-stats.json was not read').toBeDefined();
    expect(observed.throttles).toBe(summary.datasets.grid!.throttles);
    expect(observed.byShard!.map((s) => s.shardId)).toEqual(['shardId-000000000000']);
    expect(observed.byShard![0]!.throttles).toBeGreaterThan(0);
    // 2,500 grid events/s of ~530 bytes are ~1.3 MB/s on one shard: predicted over the 1 MiB/s limit.
    expect(observed.byShard![0]!.predictedThrottling).toBe(true);
    expect(observed.agrees).toBe(true);
    // ProcessSampler: CPU/RSS of every process, the curation run included, in timeseries.jsonl.
    const points = readFileSync(join(out, 'timeseries.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; name?: string });
    const sampled = new Set(points.filter((p) => p.kind === 'process').map((p) => p.name));
    for (const name of ['coordinator', 'kinesis', 'deliver', 'w0', 'curate']) expect(sampled).toContain(name);
    expect(summary.processes?.find((p) => p.name === 'curate')?.rss_mib_max).toBeGreaterThan(0);
    // ProgressWriter off a TTY: plain status lines (elapsed/length, stage, asked/achieved, p99s, lost).
    expect(r.stdout).toMatch(/^0:0\d\/0:03 burst · grid 2,?500\/[\d,.k]+ ev\/s · put p99 .* · lost 0/m);
    expect(r.code, log).toBe(0);
  });

  it('merges two workers: counts add up exactly, event ids and natural keys are disjoint', async () => {
    const dir = tempDir('lt-two');
    const file = scenario(
      dir,
      `workers: 2
datasets:
  grid:
    out_of_order_share: 0.05
    profile: [{ kind: constant, name: plateau, rate: 120, duration: 4s }]
  transactions:
    profile: [{ kind: constant, name: plateau, rate: 30, duration: 4s }]
thresholds:
  - { metric: reconciliation.lost, max: 0 }
  - { metric: reconciliation.duplicated_raw, max: 0 }
`,
    );
    const out = join(dir, 'run');
    const r = await loadtest(['run', file, '--out', out]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const workers = ['w0', 'w1'].map(
      (w) => JSON.parse(readFileSync(join(out, 'workers', `${w}.json`), 'utf8')) as WorkerResult,
    );
    const summary = readSummary(out);
    const emitted = workers.reduce(
      (n, w) => n + w.datasets.grid!.emitted + w.datasets.transactions!.emitted,
      0,
    );
    // The profile's 480 grid and 120 trade events, split between the workers, each sent once.
    expect(workers.map((w) => w.datasets.grid!.emitted).reduce((a, b) => a + b)).toBe(480);
    expect(workers.map((w) => w.datasets.transactions!.emitted).reduce((a, b) => a + b)).toBe(120);
    expect(summary.reconciliation).toMatchObject({
      sent: emitted,
      found_raw: emitted,
      lost: 0,
      duplicated_raw: 0,
    });
    expect(summary.datasets.grid!.acknowledged).toBe(480);
    expect(new Set(workers.map((w) => w.datasets.grid!.producer_id)).size).toBe(2);
    const db = await openDuckDb({ threads: 1 });
    try {
      const raw = (d: string) =>
        `read_parquet('${join(out, 'lake', 'raw', d)}/**/*.parquet', hive_partitioning = false)`;
      const [grid] = await db.rows(
        `SELECT count(*) AS n, count(DISTINCT (record_type, market, coalesce(settlement_point, load_zone), interval_minutes, event_time)) AS keys,
                count(DISTINCT producer_id) AS producers FROM ${raw('grid')}`,
      );
      expect(Number(grid!.n)).toBe(480);
      expect(Number(grid!.keys)).toBe(480);
      expect(Number(grid!.producers)).toBe(2);
      const [trades] = await db.rows(
        `SELECT count(*) AS n, count(DISTINCT (trade_id, version)) AS keys FROM ${raw('transactions')}`,
      );
      expect(Number(trades!.keys)).toBe(Number(trades!.n));
    } finally {
      db.close();
    }
  });
});
