import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmbeddedKinesis } from '../../local/index.js';
import type { GridEvent } from '../../schemas/index.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import {
  type KillOutcome,
  runUntilKilled,
  spawnDeliverCli,
  spawnDeliverWorker,
} from './support/deliverProcess.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';

const TOTAL = 200_000;
const PREFILL = 120_000;
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 22, 0, 0, 0);
let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('crash', (k, d) => {
  kinesis = k;
  dir = d;
});

/** A small grid event (~330 bytes); event times spread over 6 hours, so batches span several partitions. */
function smallEvent(i: number): GridEvent {
  return {
    event_id: `c${i}`,
    event_time: BASE + (i % 6) * HOUR + (i % 1000),
    record_type: 'SYSTEM_CONDITIONS',
    market: 'RTM',
    interval_minutes: 5,
    version: 1,
    load_zone: 'LZ_N',
    settlement_point: null,
    settlement_point_type: null,
    lmp_usd_mwh: null,
    energy_usd_mwh: null,
    congestion_usd_mwh: null,
    loss_usd_mwh: null,
    load_mw: i,
    wind_mw: null,
    solar_mw: null,
    gas_mw: null,
    coal_mw: null,
    nuclear_mw: null,
    hydro_mw: null,
    storage_mw: null,
    other_mw: null,
    source: 's',
    producer_id: 'p',
    produced_at: BASE,
  };
}

function putRange(stream: string, from: number, to: number): Promise<void> {
  const events = Array.from({ length: to - from }, (_, k) => smallEvent(from + k));
  return putEvents(kinesis.client, stream, events, {
    perAggregate: 100,
    partitionKey: (_e, i) => `pk-${i % 97}`,
  });
}

function workerChild(lake: string, stream: string, crashAt: string | undefined): Promise<KillOutcome> {
  const child = spawnDeliverWorker(kinesis.endpoint, lake, stream, crashAt ? { GS_CRASH_AT: crashAt } : {});
  return runUntilKilled(child, (line) => line.startsWith('STALL '));
}

function cliChild(lake: string, stream: string, killAfterFlushes: number): Promise<KillOutcome> {
  const child = spawnDeliverCli(kinesis.endpoint, lake, stream, ['--buffer-interval', '0.3', '-v']);
  let flushes = 0;
  return runUntilKilled(
    child,
    (line) => line.startsWith('deliver: flushed') && ++flushes === killAfterFlushes,
  );
}

describe('crash safety', () => {
  it('kill -9 at any point, restart: every event exactly once in raw', async () => {
    // Prepare
    const stream = uniqueStream('crash');
    await kinesis.createStream(stream, 4);
    const lake = join(dir, stream);
    await putRange(stream, 0, PREFILL);
    // Act: each run is killed at another point of the flush protocol, the rest arrives mid-run.
    const outcomes: KillOutcome[] = [];
    outcomes.push(await workerChild(lake, stream, 'object:3'));
    outcomes.push(await workerChild(lake, stream, 'checkpoint:2'));
    const [third] = await Promise.all([
      workerChild(lake, stream, 'object:9'),
      putRange(stream, PREFILL, TOTAL),
    ]);
    outcomes.push(third);
    outcomes.push(await workerChild(lake, stream, 'intent:2'));
    outcomes.push(await cliChild(lake, stream, 4));
    outcomes.push(await workerChild(lake, stream, 'checkpoint:5'));
    const final = await workerChild(lake, stream, undefined);
    const rows = await duckRows(
      `select count(*) as n, count(distinct event_id) as ids, min(load_mw) as lo, max(load_mw) as hi from ${rawParquet(lake, 'grid')}`,
    );
    const checkpoints = await Promise.all(
      (await readdir(join(lake, '_checkpoints', stream))).map(async (f) =>
        JSON.parse(await readFile(join(lake, '_checkpoints', stream, f), 'utf8')),
      ),
    );
    // Assess
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThanOrEqual(5);
    expect(final.code, final.lines.slice(-20).join('\n')).toBe(0);
    expect(final.lines.some((l) => l.startsWith('DONE '))).toBe(true);
    expect(rows[0]).toEqual({ n: BigInt(TOTAL), ids: BigInt(TOTAL), lo: 0, hi: TOTAL - 1 });
    const all = [...outcomes, final].flatMap((o) => o.lines);
    expect(all.some((l) => l.includes('replaying the interrupted flush'))).toBe(true);
    expect(checkpoints.every((c) => c.pending === null)).toBe(true);
    expect(await readdir(join(lake, '_tmp')).catch(() => [])).toEqual([]);
  });
});
