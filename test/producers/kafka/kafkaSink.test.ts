import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KafkaUnavailableError, MissingTopicError } from '../../../kafka/index.js';
import { partitionKeyOf } from '../../../kinesis/partitionKeys.js';
import { KAFKA_SINK_TEST_DEFAULTS, KafkaSink } from '../../../producers/kafka/index.js';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import { generatedEvents, gridEvent } from '../../helpers/events.js';
import { createTopics, KAFKA_START_TIMEOUT_MS, sharedKafkaBroker, uniqueTopic } from '../../helpers/kafka.js';
import { tempDir } from '../../helpers/tempDir.js';

let brokers: string;
// The first broker of a fresh clone resolves its jars with Maven first (about a minute).
beforeAll(async () => {
  brokers = await sharedKafkaBroker();
}, KAFKA_START_TIMEOUT_MS);

/** Every message of a topic, read with a plain kafkajs consumer (an independent reader). */
async function readAll(
  topic: string,
  expected: number,
): Promise<{ key: string; value: string; partition: number }[]> {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `check-${topic}` });
  const out: { key: string; value: string; partition: number }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          out.push({ key: String(message.key), value: String(message.value), partition });
          if (out.length >= expected) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}

describe.each(DATASETS)('KafkaSink (%s) on a real broker', (dataset: Dataset) => {
  it('delivers every event once, keyed by the Kinesis partition key, in put order per key', async () => {
    // Prepare
    const topic = uniqueTopic(`sink-${dataset}`);
    await createTopics(brokers, [topic], 3);
    const events = generatedEvents(dataset, 60);
    const sink = new KafkaSink({
      dataset,
      topic,
      connection: { brokers: [brokers] },
      defaults: KAFKA_SINK_TEST_DEFAULTS,
      maxBatchRecords: 25,
      rejectFile: null,
    });
    // Act
    await sink.connect();
    for (const e of events) expect((await sink.put(e)).accepted).toBe(true);
    const totals = await sink.close();
    const got = await readAll(topic, events.length);
    // Assess
    expect(totals.sent).toBe(events.length);
    expect(totals.putRecordsCalls).toBeGreaterThan(1);
    expect(got).toHaveLength(events.length);
    const ids = got.map((m) => (JSON.parse(m.value) as { event_id: string }).event_id);
    expect(new Set(ids).size).toBe(events.length);
    for (const m of got) expect(m.key).toBe(partitionKeyOf(dataset, JSON.parse(m.value)));
    const order = (list: { key: string; value: string }[]) => {
      const byKey = new Map<string, string[]>();
      for (const m of list)
        byKey.set(m.key, [
          ...(byKey.get(m.key) ?? []),
          (JSON.parse(m.value) as { event_id: string }).event_id,
        ]);
      return byKey;
    };
    const sent = order(
      events.map((e) => ({ key: partitionKeyOf(dataset, e as never), value: JSON.stringify(e) })),
    );
    expect(order(got)).toEqual(sent);
  });
});

describe('KafkaSink onSettled', () => {
  it('tells onSettled of every event once its send is acknowledged, with its put tag, and of nothing else', async () => {
    // Prepare
    const topic = uniqueTopic('sink-settled');
    await createTopics(brokers, [topic], 2);
    const events = generatedEvents('grid', 40);
    const settled: { id: string; outcome: string; tag: number }[] = [];
    const sink = new KafkaSink({
      dataset: 'grid',
      topic,
      connection: { brokers: [brokers] },
      defaults: KAFKA_SINK_TEST_DEFAULTS,
      maxBatchRecords: 15,
      rejectFile: null,
      onSettled: (records, outcome) => {
        for (const r of records)
          settled.push({ id: (JSON.parse(r.data) as { event_id: string }).event_id, outcome, tag: r.tag });
      },
    });
    // Act
    await sink.connect();
    for (const [i, e] of events.entries()) await sink.put(e, i + 1);
    const totals = await sink.close();
    // Assess
    expect(totals.sent).toBe(events.length);
    const tagOf = new Map(settled.map((s) => [s.id, s.tag]));
    for (const [i, e] of events.entries()) expect(tagOf.get(String(e.event_id))).toBe(i + 1);
    expect(settled.every((s) => s.outcome === 'acknowledged')).toBe(true);
    expect(settled.map((s) => s.id).sort()).toEqual(events.map((e) => e.event_id).sort());
  });
});

describe('KafkaSink faults and bad input', () => {
  it('rejects an invalid event into the reject file and sends its neighbours', async () => {
    const topic = uniqueTopic('sink-bad');
    await createTopics(brokers, [topic], 1);
    const rejectFile = join(tempDir('kafka-sink'), 'rejects.jsonl');
    const sink = new KafkaSink({
      dataset: 'grid',
      topic,
      connection: { brokers: [brokers] },
      defaults: KAFKA_SINK_TEST_DEFAULTS,
      rejectFile,
    });
    await sink.put(gridEvent({ event_id: 'good-1' }));
    const bad = await sink.put({ ...gridEvent({ event_id: 'bad-1' }), lmp_usd_mwh: 'x' });
    await sink.put(gridEvent({ event_id: 'good-2' }));
    const totals = await sink.close();
    expect(bad.accepted).toBe(false);
    expect(totals).toMatchObject({ sent: 2, rejected: 1 });
    const lines = readFileSync(rejectFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ kind: 'rejected', event_id: 'bad-1' })]);
    expect((await readAll(topic, 2)).map((m) => JSON.parse(m.value).event_id).sort()).toEqual([
      'good-1',
      'good-2',
    ]);
  });

  it('names a missing topic before sending anything', async () => {
    const sink = new KafkaSink({
      dataset: 'grid',
      topic: uniqueTopic('absent'),
      connection: { brokers: [brokers] },
      rejectFile: null,
    });
    await expect(sink.connect()).rejects.toBeInstanceOf(MissingTopicError);
    await expect(sink.connect()).rejects.toThrow(/topic absent-\d+-\d+ not found on 127\.0\.0\.1:\d+/);
    await sink.close({ deadlineMs: 100 });
  });

  it('names the brokers when none answers', async () => {
    const sink = new KafkaSink({
      dataset: 'grid',
      connection: { brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500 },
      rejectFile: null,
    });
    const err = await sink.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaUnavailableError);
    expect((err as Error).message).toMatch(/no Kafka broker answered at 127\.0\.0\.1:1/);
    await sink.close({ deadlineMs: 100 });
  });

  it('holds put() while the buffer is full and never buffers past its limit', async () => {
    const topic = uniqueTopic('sink-bp');
    await createTopics(brokers, [topic], 1);
    const sink = new KafkaSink({
      dataset: 'grid',
      topic,
      connection: { brokers: [brokers] },
      defaults: KAFKA_SINK_TEST_DEFAULTS,
      maxBufferedRecords: 20,
      maxBatchRecords: 10,
      rejectFile: null,
    });
    const puts = Array.from({ length: 200 }, (_, i) => sink.put(gridEvent({ event_id: `bp-${i}` })));
    await Promise.all(puts);
    const totals = await sink.close();
    expect(totals.sent).toBe(200);
    expect(totals.peakBufferedRecords).toBeLessThanOrEqual(20);
  });
});
