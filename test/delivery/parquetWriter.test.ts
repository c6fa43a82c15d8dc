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
