import { readFileSync } from 'node:fs';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import { contractFor, DATASETS, type Dataset, partitionOf } from '../../schemas/index.js';
import { eventOf } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { hasPython, pythonPath } from '../helpers/python.js';
import { run } from '../helpers/run.js';
import { deliverOnce } from './support/deliverOnce.js';
import { duckRows, putEvents, rawParquet } from './support/lakeKit.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('delivery', (k, d) => {
  kinesis = k;
  dir = d;
});

/** Events of a dataset spread over two event-time hours, produced "now". */
function makeEvents<D extends Dataset>(dataset: D, n: number, base: number): ReturnType<typeof eventOf<D>>[] {
  return Array.from({ length: n }, (_, i) =>
    eventOf(dataset, {
      event_id: `${dataset}-${base}-${i}`,
      event_time: base + (i % 2) * HOUR + i,
      produced_at: Date.now(),
    } as never),
  );
}

describe.each(DATASETS)('delivery of %s', (dataset) => {
  it('delivers N events as exactly N unique rows, partitioned by event time, and a rerun adds nothing', async () => {
    // Prepare
    const stream = uniqueStream(dataset);
    await kinesis.createStream(stream, 2);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const base = Date.UTC(2026, 10, 20, 10, 0, 0);
    const events = makeEvents(dataset, 1_500, base);
    await putEvents(kinesis.client, stream, events.slice(0, 1_000), { perAggregate: 50 });
    await putEvents(kinesis.client, stream, events.slice(1_000));
    // Act
    const first = await deliverOnce(kinesis.client, lake, [{ dataset, streamName: stream }]);
    const second = await deliverOnce(kinesis.client, lake, [{ dataset, streamName: stream }]);
    const rows = await duckRows(
      `select event_id, dt::VARCHAR as dt, hr::INTEGER as hr, epoch_ms(event_time) as et from ${rawParquet(lake.location, dataset)}`,
    );
    // Assess
    expect(first.stats.totals.delivered).toBe(1_500);
    expect(second.stats.totals.delivered).toBe(0);
    expect(rows).toHaveLength(1_500);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(events.map((e) => e.event_id)));
    for (const r of rows) {
      const p = partitionOf(Number(r.et));
      expect([r.dt, r.hr]).toEqual([p.dt, Number(p.hr)]);
    }
    expect(new Set(rows.map((r) => r.hr))).toEqual(new Set([10, 11]));
  });
});

describe('delivery', () => {
  it('stays within a tiny memory budget by flushing early, and still delivers everything once', async () => {
    // Prepare
    const stream = uniqueStream('budget');
    await kinesis.createStream(stream, 2);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const events = makeEvents('grid', 3_000, Date.UTC(2026, 10, 20, 10, 0, 0));
    await putEvents(kinesis.client, stream, events, { perAggregate: 20 });
    // Act
    const { stats, flushes } = await deliverOnce(
      kinesis.client,
      lake,
      [{ dataset: 'grid', streamName: stream }],
      {
        bufferIntervalMs: 60_000,
        targetBytesPerCall: 40_000,
        bufferSizeBytes: 150_000,
        maxBufferedBytes: 150_000,
      },
    );
    const rows = await duckRows(
      `select count(distinct event_id) as ids, count(*) as n from ${rawParquet(lake.location, 'grid')}`,
    );
    // Assess
    expect(stats.totals.delivered).toBe(3_000);
    expect(rows).toEqual([{ ids: 3_000n, n: 3_000n }]);
    expect(flushes.length).toBeGreaterThan(4);
    expect(Math.max(...flushes.map((f) => f.rows))).toBeLessThan(3_000);
  });

  it('puts a 3-days-late event in its own day partition', async () => {
    // Prepare
    const stream = uniqueStream('late');
    await kinesis.createStream(stream, 1);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const now = Date.now();
    const onTime = Array.from({ length: 20 }, (_, i) =>
      eventOf('grid', { event_id: `on-${i}`, event_time: now }),
    );
    const late = eventOf('grid', { event_id: 'late-1', event_time: now - 3 * DAY, produced_at: now });
    await putEvents(kinesis.client, stream, [...onTime.slice(0, 10), late, ...onTime.slice(10)], {
      perAggregate: 7,
    });
    // Act
    await deliverOnce(kinesis.client, lake, [{ dataset: 'grid', streamName: stream }]);
    const keys = await lake.list('raw/grid/');
    const rows = await duckRows(
      `select event_id, dt::VARCHAR as dt from ${rawParquet(lake.location, 'grid')} where event_id = 'late-1'`,
    );
    // Assess
    const lateDay = partitionOf(now - 3 * DAY);
    expect(rows).toEqual([{ event_id: 'late-1', dt: lateDay.dt }]);
    expect(keys.filter((k) => k.startsWith(`raw/grid/dt=${lateDay.dt}/hr=${lateDay.hr}/`))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith(`raw/grid/dt=${partitionOf(now).dt}/`))).toHaveLength(1);
  });

  it('writes Parquet (Snappy) with exactly the contract columns and types, read by hyparquet and pyarrow', async () => {
    // Prepare
    const lake = new LocalLakeStorage(`${dir}/types`);
    const streams = DATASETS.map((dataset) => ({ dataset, streamName: uniqueStream(`types-${dataset}`) }));
    const base = Date.UTC(2026, 10, 21, 8, 30, 0, 123);
    for (const s of streams) {
      await kinesis.createStream(s.streamName, 1);
      await putEvents(kinesis.client, s.streamName, makeEvents(s.dataset, 30, base), { perAggregate: 10 });
    }
    // Act
    await deliverOnce(kinesis.client, lake, streams);
    // Assess
    const pyarrowType: Record<string, string> = {
      string: 'string',
      int: 'int32',
      bigint: 'int64',
      double: 'double',
      boolean: 'bool',
      timestamp: 'timestamp[us, tz=UTC]',
    };
    for (const { dataset } of streams) {
      const contract = contractFor(dataset);
      const files = (await lake.list(`raw/${dataset}/`)).map((k) => lake.urlFor(k));
      expect(files.length).toBeGreaterThan(0);
      const bytes = readFileSync(files[0]!);
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const leaves = meta.schema.slice(1);
      expect(leaves.map((e) => e.name)).toEqual(contract.columns.map((c) => c.name));
      for (const c of contract.columns) {
        const e = leaves.find((x) => x.name === c.name)!;
        if (c.type === 'timestamp') {
          expect(e.type).toBe('INT64');
          expect(e.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
        }
        if (c.type === 'string') expect([e.type, e.converted_type]).toEqual(['BYTE_ARRAY', 'UTF8']);
      }
      expect(meta.row_groups[0]!.columns.every((col) => col.meta_data?.codec === 'SNAPPY')).toBe(true);
      if (!hasPython()) continue;
      const r = await run(pythonPath(), ['test/delivery/support/read_parquet.py', 'pyarrow', ...files]);
      expect(r.code, r.stderr).toBe(0);
      const schema = JSON.parse(r.stdout).schema as Record<string, string>;
      expect(schema).toEqual(Object.fromEntries(contract.columns.map((c) => [c.name, pyarrowType[c.type]])));
    }
  });

  it.skipIf(!hasPython())(
    'timestamps read as the same UTC instants by DuckDB, pyarrow and Spark',
    async () => {
      // Prepare
      const lake = new LocalLakeStorage(`${dir}/instants`);
      const stream = uniqueStream('instants');
      await kinesis.createStream(stream, 1);
      const times = [
        Date.UTC(2026, 2, 8, 7, 59, 59, 999),
        Date.UTC(2026, 10, 1, 6, 30, 0, 1),
        Date.UTC(2024, 1, 29, 23, 0, 0, 500),
      ];
      const events = times.map((t, i) =>
        eventOf('weather', {
          event_id: `ts-${i}`,
          event_time: t,
          produced_at: t + 1_234,
          record_type: i === 0 ? 'OBSERVATION' : 'FORECAST',
          forecast_issued_at: i === 0 ? null : t - DAY,
          forecast_horizon_hours: i === 0 ? null : 24,
        }),
      );
      await putEvents(kinesis.client, stream, events, { perAggregate: 2 });
      await deliverOnce(kinesis.client, lake, [{ dataset: 'weather', streamName: stream }]);
      const files = (await lake.list('raw/weather/')).map((k) => lake.urlFor(k));
      const expected = Object.fromEntries(
        events.map((e) => [
          e.event_id,
          {
            event_time: e.event_time * 1000,
            produced_at: e.produced_at * 1000,
            forecast_issued_at: e.forecast_issued_at === null ? null : e.forecast_issued_at * 1000,
          },
        ]),
      );
      // Act
      const duck = await duckRows(
        `select event_id, epoch_us(event_time) as event_time, epoch_us(produced_at) as produced_at, ` +
          `epoch_us(forecast_issued_at) as forecast_issued_at, typeof(event_time) as t from ${rawParquet(lake.location, 'weather')}`,
      );
      const arrow = await run(pythonPath(), ['test/delivery/support/read_parquet.py', 'pyarrow', ...files]);
      const spark = await run(pythonPath(), ['test/delivery/support/read_parquet.py', 'spark', ...files]);
      // Assess
      const byId = (rows: Record<string, unknown>[]) =>
        Object.fromEntries(
          rows.map((r) => [
            r.event_id,
            {
              event_time: Number(r.event_time),
              produced_at: Number(r.produced_at),
              forecast_issued_at: r.forecast_issued_at === null ? null : Number(r.forecast_issued_at),
            },
          ]),
        );
      expect(duck.every((r) => r.t === 'TIMESTAMP WITH TIME ZONE')).toBe(true);
      expect(byId(duck)).toEqual(expected);
      expect(arrow.code, arrow.stderr).toBe(0);
      expect(byId(JSON.parse(arrow.stdout).rows)).toEqual(expected);
      expect(spark.code, spark.stderr.slice(-2_000)).toBe(0);
      const sparkOut = JSON.parse(spark.stdout);
      expect(sparkOut.schema.event_time).toBe('timestamp');
      expect(sparkOut.schema.forecast_issued_at).toBe('timestamp');
      expect(byId(sparkOut.rows)).toEqual(expected);
    },
  );
});
