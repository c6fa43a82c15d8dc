import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../../local/kafka/index.js';
import { KAFKA_SINK_TEST_DEFAULTS, KafkaSink } from '../../../producers/kafka/index.js';
import { gridEvent } from '../../helpers/events.js';
import { KAFKA_START_TIMEOUT_MS } from '../../helpers/kafka.js';
import { tempDir } from '../../helpers/tempDir.js';

describe('KafkaSink across a broker killed -9 and restarted', () => {
  it(
    'retries until the broker is back: every event acknowledged, none lost',
    async () => {
      // Prepare: a broker of this test's own, with its data kept across the restart
      const dataDir = tempDir('kafka-restart');
      let broker = await EmbeddedKafka.start({ dataDir, topics: { grid: 1 } });
      const port = broker.port;
      const sink = new KafkaSink({
        dataset: 'grid',
        connection: { brokers: [broker.brokers], connectionTimeoutMs: 1000 },
        defaults: KAFKA_SINK_TEST_DEFAULTS,
        recordTtlMs: 120_000,
        maxBatchRecords: 20,
        rejectFile: null,
      });
      try {
        await sink.connect();
        for (let i = 0; i < 100; i++) await sink.put(gridEvent({ event_id: `r-${i}` }));
        await sink.flush();
        // Act: kill -9, keep putting, restart on the same port and data
        await broker.kill();
        for (let i = 100; i < 200; i++) await sink.put(gridEvent({ event_id: `r-${i}` }));
        broker = await EmbeddedKafka.start({ dataDir, port });
        const totals = await sink.close({ deadlineMs: 120_000 });
        // Assess
        expect(totals).toMatchObject({ sent: 200, expired: 0, failed: 0 });
        const kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
        const consumer = kafka.consumer({ groupId: 'restart-check' });
        const ids = new Set<string>();
        await consumer.connect();
        await consumer.subscribe({ topic: 'grid', fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer
            .run({
              eachMessage: async ({ message }) => {
                ids.add((JSON.parse(String(message.value)) as { event_id: string }).event_id);
                if (ids.size >= 200) resolve();
              },
            })
            .catch(reject);
        });
        await consumer.disconnect();
        expect(ids.size).toBe(200);
      } finally {
        await sink.close({ deadlineMs: 0 }).catch(() => undefined);
        await broker.stop();
      }
    },
    KAFKA_START_TIMEOUT_MS,
  );
});
