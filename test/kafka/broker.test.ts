import { describe, expect, it } from 'vitest';
import { createKafkaTransport, parseBrokers } from '../../kafka/index.js';
import { KAFKA_START_TIMEOUT_MS, sharedKafkaBroker } from '../helpers/kafka.js';

describe('gridstream kafka (the test run broker)', () => {
  it(
    'serves a real broker on 127.0.0.1 with the three dataset topics',
    async () => {
      // Prepare
      const brokers = await sharedKafkaBroker();
      // Act
      const admin = createKafkaTransport({ brokers: parseBrokers(brokers) }).admin();
      await admin.connect();
      const topics = await admin.existingTopics(['grid', 'weather', 'transactions', 'nope']);
      const partitions = await admin.partitions('grid');
      await admin.disconnect();
      // Assess
      expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(topics).toEqual(['grid', 'weather', 'transactions']);
      expect(partitions).toEqual([0, 1]);
    },
    KAFKA_START_TIMEOUT_MS,
  );
});

describe('parseBrokers', () => {
  it('takes host:port lists and names the entry that is not one', () => {
    expect(parseBrokers('127.0.0.1:9092, b-1.example:9098')).toEqual(['127.0.0.1:9092', 'b-1.example:9098']);
    expect(() => parseBrokers('localhost')).toThrow(/"localhost" is not host:port/);
    expect(() => parseBrokers('a:99999')).toThrow(/"a:99999"/);
    expect(() => parseBrokers(' , ')).toThrow(/no broker/);
  });
});
