import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { kafkaConnection } from '../../kafka/kafkaConnection.js';
import { KafkaSink } from '../../producers/kafka/KafkaSink.js';
import { KinesisSink } from '../../producers/kinesis/KinesisSink.js';
import type { BufferedRecord, SettledOutcome } from '../../producers/kinesis/types.js';
import type { Dataset } from '../../schemas/index.js';
import type { WorkerTarget } from './types.js';

/** What the load worker needs of a sink: both the Kinesis and the Kafka sink have it. */
export type LoadSink = Pick<KinesisSink, 'put' | 'counters' | 'close'>;

/**
 * The sink of one dataset for a worker's target: a KafkaSink on the target's brokers (topic = the
 * dataset's stream name) when the target is Kafka, else a KinesisSink on the shared client. Both report
 * every acknowledged and written-off record through `onSettled`.
 *
 * @param target - the worker's target
 * @param dataset - the dataset of the sink
 * @param client - the Kinesis client (unused for Kafka)
 * @param onSettled - told of every settled record
 */
export function createLoadSink(
  target: WorkerTarget,
  dataset: Dataset,
  client: () => KinesisClient,
  onSettled: (records: readonly BufferedRecord[], outcome: SettledOutcome) => void,
): LoadSink {
  const name = target.streams[dataset] ?? dataset;
  if (target.kafka) {
    return new KafkaSink({
      dataset,
      topic: name,
      // Secrets (SCRAM's user and password) from this process's environment, never from the run's files.
      connection: kafkaConnection(target.kafka.brokers, target.kafka),
      metrics: 'off',
      rejectFile: null,
      onSettled,
    }) as unknown as LoadSink;
  }
  return new KinesisSink({
    dataset,
    streamName: name,
    client: client(),
    metrics: 'off',
    rejectFile: null,
    onSettled,
  });
}
