import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaTransport } from '../../kafka/index.js';
import { createKafkaClient } from '../../kafka/kafkajs/createKafkaClient.js';
import { KafkajsGroupConsumer } from '../../kafka/kafkajs/KafkajsGroupConsumer.js';
import { createTopics, KAFKA_START_TIMEOUT_MS, sharedKafkaBroker, uniqueTopic } from '../helpers/kafka.js';
import { waitFor } from '../helpers/waitFor.js';

let brokers: string;
beforeAll(async () => {
  brokers = await sharedKafkaBroker();
}, KAFKA_START_TIMEOUT_MS);

const started: KafkajsGroupConsumer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

/** A group member whose member id sorts by `clientId` (kafkajs' round-robin assigner sorts member ids). */
function member(clientId: string, groupId: string, topic: string) {
  const state = { assigned: [] as readonly number[], joins: 0 };
  const connection = { brokers: [brokers], clientId };
  const consumer = new KafkajsGroupConsumer(
    createKafkaClient(connection),
    {
      groupId,
      topic,
      onAssignment: (partitions) => {
        state.assigned = partitions;
        state.joins += 1;
      },
    },
    connection,
  );
  started.push(consumer);
  return { consumer, state };
}

async function produce(topic: string, count: number): Promise<void> {
  const producer = createKafkaTransport({ brokers: [brokers] }).producer({
    idempotent: true,
    compression: 'none',
    requestTimeoutMs: 30_000,
  });
  await producer.connect();
  for (let i = 0; i < count; i += 2000) {
    const n = Math.min(2000, count - i);
    await producer.send(
      topic,
      Array.from({ length: n }, (_, j) => ({ key: 'k', value: Buffer.from(`{"n":${i + j}}`) })),
    );
  }
  await producer.disconnect();
}

describe('KafkajsGroupConsumer on a real broker', () => {
  it('reads a partition the group gives back after taking it away while it was paused', async () => {
    // Prepare: one partition with more records than a member queues before pausing it (5,000)
    const topic = uniqueTopic('regain');
    const group = `g-${topic}`;
    await createTopics(brokers, [topic], 1);
    await produce(topic, 12_000);
    const z = member('z-member', group, topic);
    await z.consumer.start();
    await waitFor('the first member to be assigned partition 0', () => z.state.assigned.includes(0), 60_000);
    const signal = new AbortController().signal;
    const first = await waitFor(
      'a first pull',
      async () => (await z.consumer.fetch(0, '0', signal, 1000)).messages,
      60_000,
    );
    const next = (BigInt(first[first.length - 1]!.offset) + 1n).toString();
    // Nothing more is pulled: kafkajs fetches on until the queue passes 5,000 records, then pauses
    await waitFor('partition 0 to be paused', () => z.consumer.paused.includes(0), 60_000);

    // Act: a member sorting first joins (partition 0 moves to it), then leaves (partition 0 comes back)
    const a = member('a-member', group, topic);
    await a.consumer.start();
    await waitFor(
      'partition 0 to move',
      () => a.state.assigned.includes(0) && z.state.assigned.length === 0,
      60_000,
    );
    await a.consumer.stop();
    await waitFor('partition 0 to come back', () => z.state.assigned.includes(0), 60_000);

    // Assess: the partition given back is read again, from where the caller asks
    const again = await waitFor(
      'records of the partition given back',
      async () => {
        const f = await z.consumer.fetch(0, next, signal, 1000);
        return f.messages.length > 0 ? f.messages : undefined;
      },
      30_000,
    );
    expect(again[0]!.offset).toBe(next);
  }, 240_000);
});
