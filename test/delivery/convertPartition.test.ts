import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractFor } from '../../schemas/index.js';
import { convertPartition } from '../../stream-processors/delivery/convertPartition.js';
import { ParquetWriter } from '../../stream-processors/delivery/ParquetWriter.js';
import { PartitionBuffer } from '../../stream-processors/delivery/ShardBatch.js';
import { gridEvent } from '../helpers/events.js';
import { duckDbPoison } from '../helpers/poison.js';
import { tempDir } from '../helpers/tempDir.js';

let writer: ParquetWriter;
let dir: string;

beforeAll(async () => {
  writer = await ParquetWriter.create();
  dir = tempDir('convert-partition');
});

afterAll(() => writer.close());

/** A partition of the given rows (origins are their indexes). */
function partitionOf(rows: readonly string[]): PartitionBuffer {
  const p = new PartitionBuffer(0);
  rows.forEach((r, i) => {
    const b = Buffer.from(r);
    p.append(b, 0, b.length);
    p.producedAt.push(0);
    p.origins.push(i);
  });
  return p;
}

async function eventIds(path: string): Promise<string[]> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = (await db.runAndReadAll(`select event_id from '${path}'`)).getRowObjects();
  db.closeSync();
  return rows.map((r) => String(r.event_id));
}

describe('convertPartition', () => {
  it('leaves out exactly the rows DuckDB refuses, keeps the others in order, and splits the same way every time', async () => {
    // Prepare: 200 rows, the poison at scattered places (first and last row among them).
    const poison = duckDbPoison('cp');
    const at = [0, 37, 38, 120, 199];
    const rows = Array.from({ length: 200 }, (_, i) => JSON.stringify(gridEvent({ event_id: `row-${i}` })));
    at.forEach((i, k) => {
      rows[i] = poison[k % poison.length]!.text;
    });
    // Act
    const first = await convertPartition(
      writer,
      contractFor('grid'),
      partitionOf(rows),
      join(dir, 'a.parquet'),
    );
    const again = await convertPartition(
      writer,
      contractFor('grid'),
      partitionOf(rows),
      join(dir, 'b.parquet'),
    );
    // Assess
    expect(first.refused.map((r) => r.index)).toEqual(at);
    expect(first.refused.map((r) => r.data.toString())).toEqual(at.map((i) => rows[i]));
    for (const r of first.refused) expect(r.reason).toMatch(/^Invalid Input Error: /);
    expect(first.rows).toBe(200 - at.length);
    const kept = rows.map((_, i) => `row-${i}`).filter((_, i) => !at.includes(i));
    expect(await eventIds(join(dir, 'a.parquet'))).toEqual(kept);
    expect(again).toEqual(first);
    expect(await eventIds(join(dir, 'b.parquet'))).toEqual(kept);
  });

  it('writes no file when every row is refused', async () => {
    const rows = duckDbPoison('all').map((p) => p.text);
    const out = await convertPartition(
      writer,
      contractFor('grid'),
      partitionOf(rows),
      join(dir, 'none.parquet'),
    );
    expect(out.rows).toBe(0);
    expect(out.refused).toHaveLength(rows.length);
    expect(existsSync(join(dir, 'none.parquet'))).toBe(false);
  });

  it('converts a partition DuckDB accepts in one go, without looking at rows', async () => {
    const rows = [JSON.stringify(gridEvent({ event_id: 'only' }))];
    const out = await convertPartition(
      writer,
      contractFor('grid'),
      partitionOf(rows),
      join(dir, 'ok.parquet'),
    );
    expect(out).toEqual({ rows: 1, refused: [] });
    expect(await eventIds(join(dir, 'ok.parquet'))).toEqual(['only']);
  });

  it('throws a failure that is not a refusal of the input (output folder missing), bisecting nothing', async () => {
    const rows = [duckDbPoison('io')[0]!.text];
    await expect(
      convertPartition(writer, contractFor('grid'), partitionOf(rows), join(dir, 'missing', 'x.parquet')),
    ).rejects.toMatchObject({ name: 'ParquetWriteError', refusedInput: false });
  });
});
