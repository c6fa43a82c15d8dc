import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalLakeStorage } from '../../datalake/storage/index.js';
import { encodeAggregatedRecord, KPL_MAGIC } from '../../kinesis/index.js';
import type { EmbeddedKinesis } from '../../local/index.js';
import {
  ERROR_CODES,
  ERROR_TYPES,
  type ErrorRecord,
  MAX_EVENT_BYTES,
} from '../../stream-processors/delivery/index.js';
import { decoderTestSwitches } from '../../stream-processors/delivery/recordDecoder.js';
import { gridEvent, weatherEvent } from '../helpers/events.js';
import { uniqueStream, useKinesisAndTempDir } from '../helpers/kinesis.js';
import { duckDbPoison, type PoisonCase, poisonRecords } from '../helpers/poison.js';
import { deliverOnce } from './support/deliverOnce.js';
import { duckRows, putEntries, rawParquet } from './support/lakeKit.js';

let kinesis: EmbeddedKinesis;
let dir: string;

useKinesisAndTempDir('errors', (k, d) => {
  kinesis = k;
  dir = d;
});

const json = (o: object): Buffer => Buffer.from(JSON.stringify(o));

function withBadChecksum(aggregate: Buffer): Buffer {
  const copy = Buffer.from(aggregate);
  copy[copy.length - 1]! ^= 0xff;
  return copy;
}

function truncated(aggregate: Buffer): Buffer {
  // Cut the protobuf body short and give it a correct MD5, so only the protobuf is broken.
  const body = aggregate.subarray(KPL_MAGIC.length, aggregate.length - 16 - 40);
  return Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
}

async function errorLines(lake: LocalLakeStorage): Promise<ErrorRecord[]> {
  const out: ErrorRecord[] = [];
  for (const key of await lake.list('errors/')) {
    const text = Buffer.from((await lake.getBytes(key))!).toString('utf8');
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as ErrorRecord);
  }
  return out;
}

describe('bad input', () => {
  it('sends each bad record to errors/<type>/ with its reason, and delivers its valid neighbours', async () => {
    // Prepare
    const stream = uniqueStream('bad');
    await kinesis.createStream(stream, 1);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const good = Array.from({ length: 9 }, (_, i) => gridEvent({ event_id: `good-${i}` }));
    const aggregateOf = (events: object[]): Buffer =>
      encodeAggregatedRecord(events.map((e) => ({ partitionKey: 'pk', data: json(e) })));
    const badMarket = { ...gridEvent({ event_id: 'bad-market' }), market: 'XYZ' };
    const mixed = encodeAggregatedRecord([
      { partitionKey: 'pk', data: json(good[0]!) },
      { partitionKey: 'pk', data: Buffer.from('{"event_id": "not-json"') },
      { partitionKey: 'pk', data: json(good[1]!) },
      { partitionKey: 'pk', data: json(badMarket) },
      { partitionKey: 'pk', data: Buffer.from([0xc3, 0x28, 0x7b, 0x7d]) },
      { partitionKey: 'pk', data: json(weatherEvent({ event_id: 'wrong-dataset' })) },
      { partitionKey: 'pk', data: json(good[2]!) },
      // 1e400 is valid JSON that parses to Infinity, which no column should hold.
      {
        partitionKey: 'pk',
        data: Buffer.from(
          JSON.stringify(gridEvent({ event_id: 'infinite' })).replace(
            /"lmp_usd_mwh":[^,]+/,
            '"lmp_usd_mwh":1e400',
          ),
        ),
      },
    ]);
    const oversized = json(gridEvent({ event_id: 'too-big', producer_id: 'x'.repeat(MAX_EVENT_BYTES) }));
    const badMd5 = withBadChecksum(aggregateOf([gridEvent({ event_id: 'lost-md5' })]));
    const cut = truncated(
      aggregateOf([gridEvent({ event_id: 'lost-cut-1' }), gridEvent({ event_id: 'lost-cut-2' })]),
    );
    await putEntries(kinesis.client, stream, [
      { Data: json(good[3]!), PartitionKey: 'pk' },
      { Data: mixed, PartitionKey: 'pk' },
      { Data: badMd5, PartitionKey: 'pk' },
      { Data: json(good[4]!), PartitionKey: 'pk' },
      { Data: cut, PartitionKey: 'pk' },
      { Data: aggregateOf([good[5]!, good[6]!]), PartitionKey: 'pk' },
      { Data: Buffer.from('plain text, not JSON'), PartitionKey: 'pk' },
      { Data: oversized, PartitionKey: 'pk' },
      { Data: aggregateOf([good[7]!, good[8]!]), PartitionKey: 'pk' },
    ]);
    // Act
    const { stats } = await deliverOnce(kinesis.client, lake, [{ dataset: 'grid', streamName: stream }]);
    const rows = await duckRows(
      `select event_id from ${rawParquet(lake.location, 'grid')} order by event_id`,
    );
    const errors = await errorLines(lake);
    const keys = await lake.list('errors/');
    // Assess
    expect(rows.map((r) => r.event_id)).toEqual(good.map((g) => g.event_id).sort());
    expect(stats.totals).toMatchObject({ delivered: 9, rejected: 9 });
    const byCode = (code: string) => errors.filter((e) => e.errorCode === code);
    expect(errors.map((e) => [e.errorType, e.errorCode]).sort()).toEqual(
      [
        [ERROR_TYPES.deaggregation, ERROR_CODES.checksumMismatch],
        [ERROR_TYPES.deaggregation, ERROR_CODES.truncated],
        [ERROR_TYPES.formatConversion, ERROR_CODES.invalidJson],
        [ERROR_TYPES.formatConversion, ERROR_CODES.invalidJson],
        [ERROR_TYPES.formatConversion, ERROR_CODES.invalidUtf8],
        [ERROR_TYPES.formatConversion, ERROR_CODES.contractViolation],
        [ERROR_TYPES.formatConversion, ERROR_CODES.contractViolation],
        [ERROR_TYPES.formatConversion, ERROR_CODES.contractViolation],
        [ERROR_TYPES.processing, ERROR_CODES.recordTooLarge],
      ].sort(),
    );
    for (const e of errors) {
      expect(e).toMatchObject({ dataset: 'grid', stream, shardId: 'shardId-000000000000' });
      expect(e.sequenceNumber).toMatch(/^\d+$/);
      expect(e.arrivalTimestamp).toBeGreaterThan(0);
      expect(keys.some((k) => k.startsWith(`errors/${e.errorType}/dt=`))).toBe(true);
    }
    expect(Buffer.from(byCode(ERROR_CODES.checksumMismatch)[0]!.rawData, 'base64').equals(badMd5)).toBe(true);
    expect(byCode(ERROR_CODES.checksumMismatch)[0]!.subSequenceNumber).toBeNull();
    const contract = byCode(ERROR_CODES.contractViolation);
    const market = contract.find((e) => e.eventId === 'bad-market')!;
    expect(market.errorMessage).toContain('market');
    expect(market.violations?.map((v) => v.path)).toEqual(['market']);
    expect(market.subSequenceNumber).toBe(3);
    expect(Buffer.from(market.rawData, 'base64').toString()).toBe(JSON.stringify(badMarket));
    const wrong = contract.find((e) => e.eventId === 'wrong-dataset')!;
    expect(wrong.violations?.map((v) => v.path)).toEqual(
      expect.arrayContaining(['location_id', 'temperature_c']),
    );
    expect(wrong.errorMessage).toContain('is not in the grid contract');
    const infinite = contract.find((e) => e.eventId === 'infinite')!;
    expect(infinite.errorMessage).toContain('lmp_usd_mwh: expected a finite number, got Infinity');
    expect(infinite.subSequenceNumber).toBe(7);
    expect(byCode(ERROR_CODES.invalidUtf8)[0]!.subSequenceNumber).toBe(4);
    expect(byCode(ERROR_CODES.recordTooLarge)[0]!.errorMessage).toContain(String(oversized.length));
    expect(
      byCode(ERROR_CODES.invalidJson)
        .map((e) => e.subSequenceNumber)
        .sort(),
    ).toEqual([0, 1]);
  });
});

/**
 * A stream holding each poison record twice, once as a plain Kinesis record and once inside a KPL
 * aggregate between valid events, with valid plain records around them. Returns the valid event ids
 * and the poison records' event ids (`<plain|agg>-<name>`).
 */
async function putPoison(
  stream: string,
  cases: (prefix: string) => PoisonCase[],
): Promise<{ good: string[]; poison: Map<string, PoisonCase> }> {
  const good: string[] = [];
  const goodEvent = () => {
    const e = gridEvent({ event_id: `good-${good.length}` });
    good.push(e.event_id);
    return json(e);
  };
  const poison = new Map<string, PoisonCase>();
  const plain = cases('plain');
  const aggregated = cases('agg');
  for (const p of [...plain, ...aggregated]) poison.set(p.eventId, p);
  const entries = [{ Data: goodEvent(), PartitionKey: 'pk' }];
  for (const p of plain) {
    entries.push({ Data: Buffer.from(p.text), PartitionKey: 'pk' });
    entries.push({ Data: goodEvent(), PartitionKey: 'pk' });
  }
  entries.push({
    Data: encodeAggregatedRecord([
      { partitionKey: 'pk-a', data: goodEvent() },
      ...aggregated.flatMap((p) => [
        { partitionKey: 'pk-a', data: Buffer.from(p.text) },
        { partitionKey: 'pk-a', data: goodEvent() },
      ]),
    ]),
    PartitionKey: 'pk-a',
  });
  entries.push({ Data: goodEvent(), PartitionKey: 'pk' });
  await putEntries(kinesis.client, stream, entries);
  return { good, poison };
}

const eventIdOf = (e: ErrorRecord): string =>
  e.eventId ??
  (JSON.parse(Buffer.from(e.rawData, 'base64').toString('utf8')) as { event_id: string }).event_id;

describe('poison records', () => {
  afterEach(() => {
    decoderTestSwitches.textChecks = true;
  });

  it('deep nesting, duplicate keys and unpaired surrogates, plain and in aggregates, become error records naming the field; neighbours delivered once', async () => {
    // Prepare
    const stream = uniqueStream('poison');
    await kinesis.createStream(stream, 1);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const { good, poison } = await putPoison(stream, poisonRecords);
    // Act
    const { stats } = await deliverOnce(kinesis.client, lake, [{ dataset: 'grid', streamName: stream }]);
    const rows = await duckRows(
      `select event_id, count(*)::INTEGER as n from ${rawParquet(lake.location, 'grid')} group by event_id order by event_id`,
    );
    const errors = await errorLines(lake);
    // Assess
    expect(rows).toEqual(good.sort().map((event_id) => ({ event_id, n: 1 })));
    expect(stats.totals).toMatchObject({ delivered: good.length, rejected: poison.size });
    expect(errors).toHaveLength(poison.size);
    expect(errors.map(eventIdOf).sort()).toEqual([...poison.keys()].sort());
    for (const e of errors) {
      const p = poison.get(eventIdOf(e))!;
      expect(Buffer.from(e.rawData, 'base64').toString('utf8')).toBe(p.text);
      expect(e).toMatchObject({ errorType: ERROR_TYPES.formatConversion, errorCode: p.code });
      expect(e.errorMessage).toContain(`${p.path}: `);
      expect(e.errorMessage).toContain(p.reason);
      expect(e.violations?.[0]?.path).toBe(p.path);
    }
    const aggregated = errors.filter((e) => e.partitionKey === 'pk-a');
    expect(aggregated.map((e) => e.subSequenceNumber)).toEqual(
      Array.from({ length: aggregated.length }, (_, k) => 2 * k + 1),
    );
  });

  it('an empty KPL aggregate (valid MD5, no user record) leaves an error record, and its neighbours are delivered', async () => {
    // Prepare
    const stream = uniqueStream('empty-agg');
    await kinesis.createStream(stream, 1);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const empty = Buffer.concat([KPL_MAGIC, createHash('md5').update(Buffer.alloc(0)).digest()]);
    const good = [gridEvent(), gridEvent()];
    await putEntries(kinesis.client, stream, [
      { Data: json(good[0]!), PartitionKey: 'pk' },
      { Data: empty, PartitionKey: 'pk-empty' },
      { Data: json(good[1]!), PartitionKey: 'pk' },
    ]);
    // Act
    const { stats } = await deliverOnce(kinesis.client, lake, [{ dataset: 'grid', streamName: stream }]);
    const errors = await errorLines(lake);
    // Assess
    expect(stats.totals).toMatchObject({ delivered: 2, rejected: 1 });
    expect(errors).toEqual([
      expect.objectContaining({
        errorType: ERROR_TYPES.deaggregation,
        errorCode: ERROR_CODES.emptyAggregate,
        partitionKey: 'pk-empty',
        subSequenceNumber: null,
        rawData: empty.toString('base64'),
      }),
    ]);
    expect(errors[0]!.errorMessage).toContain('holds no user record');
  });

  it('when DuckDB refuses rows the checks let through, exactly those go to format-conversion-failed with its message; the rest of the batch is delivered once', async () => {
    // Prepare: the text checks off, so duplicate keys and lone surrogates reach DuckDB.
    decoderTestSwitches.textChecks = false;
    const stream = uniqueStream('refused');
    await kinesis.createStream(stream, 1);
    const lake = new LocalLakeStorage(`${dir}/${stream}`);
    const { good, poison } = await putPoison(stream, duckDbPoison);
    // Act
    const { stats, flushes } = await deliverOnce(
      kinesis.client,
      lake,
      [{ dataset: 'grid', streamName: stream }],
      {
        // One batch: every poison record shares a partition with valid rows.
        bufferIntervalMs: 60_000,
      },
    );
    const rows = await duckRows(
      `select event_id, count(*)::INTEGER as n from ${rawParquet(lake.location, 'grid')} group by event_id order by event_id`,
    );
    const errors = await errorLines(lake);
    // Assess
    expect(flushes).toHaveLength(1);
    expect(rows).toEqual(good.sort().map((event_id) => ({ event_id, n: 1 })));
    expect(stats.totals).toMatchObject({ delivered: good.length, rejected: poison.size });
    expect(errors.map(eventIdOf).sort()).toEqual([...poison.keys()].sort());
    for (const e of errors) {
      expect(e).toMatchObject({
        errorType: ERROR_TYPES.formatConversion,
        errorCode: ERROR_CODES.conversionRefused,
      });
      // DuckDB's own words, without the transient file's name.
      expect(e.errorMessage).toMatch(
        /^DuckDB refused the row when converting it to Parquet: Invalid Input Error: (JSON transform error in line 1: .*(duplicate key|"oops")|Malformed JSON at byte \d+ in line \d+: .* surrogate)/,
      );
      expect(e.errorMessage).not.toMatch(/\.ndjson/);
      expect(e.sequenceNumber).toMatch(/^\d+$/);
    }
    const aggregated = errors.filter((e) => e.partitionKey === 'pk-a');
    expect(aggregated.map((e) => e.subSequenceNumber).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: aggregated.length }, (_, k) => 2 * k + 1),
    );
  });
});
