import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { contractFor } from '../../schemas/index.js';
import { MAX_EVENT_BYTES } from '../../stream-processors/delivery/constants.js';
import { ParquetWriter } from '../../stream-processors/delivery/ParquetWriter.js';
import { gridEvent } from '../helpers/events.js';
import { tempDir } from '../helpers/tempDir.js';

describe('ParquetWriter memory', () => {
  it('converts full batches of events at the size limit, several at once, with the default memory limit', async () => {
    // Prepare: 8 MiB batches (the default buffer size) of events just under the 1,000 KiB limit.
    const dir = tempDir('parquet-writer');
    const writer = await ParquetWriter.create();
    const event = (i: number) =>
      Buffer.from(
        `${JSON.stringify(gridEvent({ event_id: `big-${i}`, producer_id: 'x'.repeat(MAX_EVENT_BYTES - 1024) }))}\n`,
      );
    const batch = Array.from({ length: 9 }, (_, i) => event(i));
    expect(batch.every((b) => b.length <= MAX_EVENT_BYTES)).toBe(true);
    // Act
    try {
      await Promise.all(
        [0, 1, 2, 3].map((k) => writer.writeLines(contractFor('grid'), batch, join(dir, `${k}.parquet`))),
      );
    } finally {
      writer.close();
    }
    // Assess
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = await db.runAndReadAll(
      `select count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids, min(length(producer_id))::INTEGER AS len from '${dir}/*.parquet'`,
    );
    expect(rows.getRowObjects()).toEqual([{ n: 36, ids: 9, len: MAX_EVENT_BYTES - 1024 }]);
    db.closeSync();
  });
});

describe('ParquetWriter on edge forms the contract accepts', () => {
  it('converts them as JSON.parse reads them (so the decoder need not reject them)', async () => {
    // Prepare: each is valid JSON that JSON.parse + the grid contract accept, tried against DuckDB.
    const dir = tempDir('parquet-edge');
    const writer = await ParquetWriter.create();
    const base = JSON.stringify(gridEvent({ event_id: 'e', source: 'synthetic' }));
    const edits: [string, string, string][] = [
      ['nul', '"source":"synthetic"', '"source":"a\\u0000b"'],
      ['pair', '"source":"synthetic"', '"source":"\\ud83d\\ude00"'],
      ['escaped-key', '"source":"synthetic"', '"sour\\u0063e":"synthetic"'],
      ['long-digits', '"lmp_usd_mwh":42.5', `"lmp_usd_mwh":1${'0'.repeat(308)}`],
      ['underflow', '"lmp_usd_mwh":42.5', '"lmp_usd_mwh":1e-400'],
      ['int-fraction', '"interval_minutes":5', '"interval_minutes":5.0'],
      ['int-exponent', '"interval_minutes":5', '"interval_minutes":5e0'],
      ['negative-zero', '"interval_minutes":5', '"interval_minutes":-0'],
    ];
    const lines = edits.map(([name, from, to]) => {
      expect(base).toContain(from);
      return base.replace(from, to).replace('"event_id":"e"', `"event_id":"${name}"`);
    });
    const expected = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of expected) expect(contractFor('grid').validate(e)).toEqual([]);
    // Act
    try {
      await writer.writeLines(
        contractFor('grid'),
        lines.map((l) => Buffer.from(`${l}\n`)),
        join(dir, 'edge.parquet'),
      );
    } finally {
      writer.close();
    }
    // Assess
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await db.runAndReadAll(
        `select event_id, source, lmp_usd_mwh, interval_minutes from '${dir}/edge.parquet' order by event_id`,
      )
    ).getRowObjects();
    db.closeSync();
    expect(rows).toEqual(
      expected
        .map((e) => ({
          event_id: e.event_id,
          source: e.source,
          lmp_usd_mwh: e.lmp_usd_mwh,
          interval_minutes: e.interval_minutes === 0 ? 0 : e.interval_minutes,
        }))
        .sort((a, b) => String(a.event_id).localeCompare(String(b.event_id))),
    );
  });
});
