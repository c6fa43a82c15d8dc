// The reader's decode step on its own: GetRecords bodies parsed from their bytes, KPL aggregates
// de-aggregated in place, rows copied into the batch. Delivery reuses response buffers once a response
// is decoded, so nothing a batch keeps may refer to them: these tests overwrite every input after use.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../common/index.js';
import { parseBody } from '../../kinesis/getRecordsFast.js';
import { encodeAggregatedRecord } from '../../kinesis/index.js';
import { contractFor } from '../../schemas/index.js';
import { BufferBudget } from '../../stream-processors/delivery/BufferBudget.js';
import { decodeContext, decodeRecordInto } from '../../stream-processors/delivery/recordDecoder.js';
import { PartitionBuffer, ShardBatch } from '../../stream-processors/delivery/ShardBatch.js';
import { gridEvent } from '../helpers/events.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function body(records: { data: Buffer; seq: string }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      Records: records.map((r) => ({
        Data: r.data.toString('base64'),
        PartitionKey: 'pk',
        SequenceNumber: r.seq,
        ApproximateArrivalTimestamp: 1.7e9,
      })),
      NextShardIterator: 'it',
      MillisBehindLatest: 0,
    }),
  );
}

const text = (buffers: readonly Uint8Array[]): string => Buffer.concat(buffers).toString('utf8');

describe('decoding a GetRecords response', () => {
  it('parseBody decodes payloads into a pooled buffer and keeps nothing of the body', () => {
    const payloads = [Buffer.from('{"a":1}'), Buffer.alloc(70_000, 0xf3), Buffer.from('x')];
    const raw = body(payloads.map((data, i) => ({ data, seq: String(i) })));
    const pool = new BufferPool();
    const parsed = parseBody(raw, pool);
    raw.fill(0);
    expect(parsed.data.map((d, i) => Buffer.from(d).equals(payloads[i]!))).toEqual([true, true, true]);
    expect(parsed.doc.Records!.map((r) => r.SequenceNumber)).toEqual(['0', '1', '2']);
    expect(parsed.pooled).toBeDefined();
    expect(parsed.data.every((d) => d.buffer === parsed.pooled!.buffer)).toBe(true);
  });

  it('copies rows (fast path, byte scanner, re-serialised) and errors out of the response', () => {
    // Prepare: one aggregate with events of two hours in every form delivery handles, plus a bad one
    const canonical = gridEvent({ event_id: 'a', event_time: T0 + 1 });
    const reordered = gridEvent({ event_id: 'b', event_time: T0 + HOUR + 2 });
    const multiline = gridEvent({ event_id: 'c', event_time: T0 + 3 });
    const forms = [
      JSON.stringify(canonical),
      JSON.stringify(Object.fromEntries(Object.entries(reordered).reverse())),
      JSON.stringify(multiline, null, 2),
      '{"event_id":"bad"}',
    ];
    const aggregate = encodeAggregatedRecord(forms.map((f) => ({ partitionKey: 'k', data: Buffer.from(f) })));
    const pool = new BufferPool();
    const parsed = parseBody(body([{ data: aggregate, seq: '7' }]), pool);
    const budget = new BufferBudget(64 * 1024 * 1024);
    const batch = new ShardBatch(budget);
    const ctx = decodeContext('grid', 'grid', 'shardId-0', contractFor('grid'), 1_024_000);
    // Act
    decodeRecordInto(
      batch,
      { data: parsed.data[0]!, partitionKey: 'pk', sequenceNumber: '7', arrivalMs: T0 },
      ctx,
      T0,
    );
    parsed.pooled!.fill(0x7b); // the response's buffer is reused for the next call
    // Assess
    const [first, second] = batch.partitions();
    expect(batch.rows).toBe(3);
    expect(first!.hourStartMs).toBe(T0);
    expect(text(first!.ndjson())).toBe(`${forms[0]}\n${JSON.stringify(multiline)}\n`);
    expect(second!.hourStartMs).toBe(T0 + HOUR);
    expect(text(second!.ndjson())).toBe(`${forms[1]}\n`);
    expect(first!.producedAt).toEqual([canonical.produced_at, multiline.produced_at]);
    const [errors] = batch.errorGroups();
    expect(
      errors!.records.map((r) => [r.subSequenceNumber, Buffer.from(r.rawData, 'base64').toString()]),
    ).toEqual([[3, forms[3]]]);
    expect(budget.used).toBe(batch.bytes);
  });

  it('a small partition does not take a big pooled buffer (the budget counts rows, not chunks)', () => {
    const pool = new BufferPool();
    pool.give(pool.take(11 * 1024 * 1024));
    const p = new PartitionBuffer(T0, pool);
    p.append(Buffer.from('{"a":1}'), 0, 7);
    expect(pool.freeBytes).toBe(11 * 1024 * 1024);
    expect(text(p.ndjson())).toBe('{"a":1}\n');
  });

  it('PartitionBuffer grows its chunks, takes rows larger than a chunk, and gives them back', () => {
    const pool = new BufferPool({ maxFree: 64 });
    const p = new PartitionBuffer(T0, pool);
    const rows: string[] = [];
    for (let i = 0; i < 3_000; i++) rows.push(`{"i":${i},"pad":"${'x'.repeat((i * 7919) % 900)}"}`);
    rows.splice(1_500, 0, `{"big":"${'y'.repeat(1_500_000)}"}`);
    for (const r of rows) {
      const source = Buffer.from(`--${r}--`);
      p.append(source, 2, source.length - 2);
      source.fill(0);
    }
    expect(text(p.ndjson())).toBe(`${rows.join('\n')}\n`);
    expect(p.bytes).toBe(Buffer.byteLength(`${rows.join('\n')}\n`));
    expect(p.ndjson().length).toBeGreaterThan(3);
    p.release();
    expect(pool.freeBytes).toBeGreaterThan(1_500_000);
    expect(p.ndjson()).toEqual([]);
  });
});
