import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { encodeAggregatedRecord } from '../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { ERROR_CODES, type ErrorRecord } from '../../stream-processors/delivery/index.js';
import { gridEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { duckDbPoison } from '../helpers/poison.js';
import { type KillOutcome, runUntilKilled, spawnDeliverWorker } from './support/deliverProcess.js';
import { duckRows, putEntries, rawParquet } from './support/lakeKit.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 22, 0, 0, 0);
/** Aggregates of valid events; every `POISON_EVERY`-th entry carries poison too. */
const AGGREGATES = 240;
const PER_AGGREGATE = 50;
const POISON_EVERY = 5;

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('poison-crash', (k, d) => {
  kinesis = k;
  dir = d;
});

/**
 * Runs test/delivery/support/deliverChild.ts with the text checks off (so duplicate keys and lone
 * surrogates reach DuckDB, and the conversion's bisection runs), kills it with SIGKILL where it
 * stalls at `crashAt`, and resolves when it is gone.
 */
function child(lake: string, stream: string, crashAt: string | undefined): Promise<KillOutcome> {
  const proc = spawnDeliverWorker(kinesis.endpoint, lake, stream, {
    GS_NO_TEXT_CHECKS: '1',
    ...(crashAt ? { GS_CRASH_AT: crashAt } : {}),
  });
  return runUntilKilled(proc, (line) => line.startsWith('STALL '));
}

/**
 * The stream: aggregates of valid events spread over 6 event-time hours (so batches hold several
 * partitions); every 5th entry carries a poison record DuckDB refuses, alternately plain and inside an
 * aggregate between valid events.
 */
function entries(): { entries: PutRecordsRequestEntry[]; good: number; poison: string[] } {
  const out: PutRecordsRequestEntry[] = [];
  const poison: string[] = [];
  let good = 0;
  const event = () => {
    const i = good++;
    return Buffer.from(
      JSON.stringify(gridEvent({ event_id: `g${i}`, event_time: BASE + (i % 6) * HOUR + (i % 1000) })),
    );
  };
  const cases = () => duckDbPoison(`p${out.length}`);
  for (let a = 0; a < AGGREGATES; a++) {
    const pk = `pk-${a % 13}`;
    const records = Array.from({ length: PER_AGGREGATE }, () => ({ partitionKey: pk, data: event() }));
    if (a % POISON_EVERY === POISON_EVERY - 1) {
      const all = cases();
      const p = all[((a / POISON_EVERY) % all.length) | 0]!;
      poison.push(p.eventId);
      if (a % (2 * POISON_EVERY) === POISON_EVERY - 1) {
        out.push({ Data: Buffer.from(p.text), PartitionKey: pk });
      } else records.splice(PER_AGGREGATE / 2, 0, { partitionKey: pk, data: Buffer.from(p.text) });
    }
    out.push({ Data: encodeAggregatedRecord(records), PartitionKey: pk });
  }
  return { entries: out, good, poison };
}

async function errorRecords(lake: string): Promise<ErrorRecord[]> {
  const out: ErrorRecord[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else
        for (const line of (await readFile(path, 'utf8')).split('\n'))
          if (line) out.push(JSON.parse(line) as ErrorRecord);
    }
  };
  await walk(join(lake, 'errors'));
  return out;
}

describe('poison records across crashes', () => {
  it('kill -9 during the conversion fallback, restart: the same split, valid neighbours and refused rows each exactly once', async () => {
    // Prepare
    const stream = uniqueStream('poison-crash');
    await kinesis.createStream(stream, 2);
    const lake = join(dir, stream);
    const { entries: records, good, poison } = entries();
    await putEntries(kinesis.client, stream, records);
    // Act: killed while a batch with refused rows is being converted (twice in a row: the replay of a
    // replay), after one of its objects is published, and before its checkpoint. Every fifth aggregate
    // holds poison, so each run reaches its kill point whatever the batches' boundaries.
    const outcomes: KillOutcome[] = [];
    for (const at of ['refusal:1', 'refusal:1', 'refusal:2', 'object:3', 'checkpoint:2', 'refusal:1'])
      outcomes.push(await child(lake, stream, at));
    const final = await child(lake, stream, undefined);
    const rows = await duckRows(
      `select count(*)::INTEGER as n, count(distinct event_id)::INTEGER as ids from ${rawParquet(lake, 'grid')}`,
    );
    const errors = await errorRecords(lake);
    // Assess
    expect(outcomes.map((o) => o.killed)).toEqual([true, true, true, true, true, true]);
    expect(final.code, final.lines.slice(-20).join('\n')).toBe(0);
    expect(rows[0]).toEqual({ n: good, ids: good });
    expect(errors.map((e) => e.eventId).sort()).toEqual([...poison].sort());
    expect(errors.every((e) => e.errorCode === ERROR_CODES.conversionRefused)).toBe(true);
    const all = [...outcomes, final].flatMap((o) => o.lines);
    expect(all.some((l) => l.includes('replaying the interrupted flush'))).toBe(true);
    expect(all.filter((l) => l === 'STALL refusal').length).toBeGreaterThanOrEqual(3);
  });
});
