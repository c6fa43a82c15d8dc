/** SASL settings of a connection. */
export type KafkaSasl =
  | {
      /** SASL/SCRAM (MSK's username/password auth, self-managed clusters). */
      readonly mechanism: 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    }
  | {
      /** MSK IAM: OAUTHBEARER tokens signed with the default AWS credential chain. */
      readonly mechanism: 'aws-msk-iam';
      /** Region of the cluster. @default `AWS_REGION` */
      readonly region?: string;
    };

/** Where and how to connect to a Kafka cluster. */
export interface KafkaConnection {
  /** Bootstrap brokers, `host:port` each. */
  readonly brokers: readonly string[];
  /** TLS to the brokers (MSK: always on for IAM and SCRAM). @default false */
  readonly tls?: boolean;
  /** SASL authentication. @default none */
  readonly sasl?: KafkaSasl;
  /** Client id announced to the brokers. @default `gridstream` */
  readonly clientId?: string;
  /** Connect timeout per broker, ms. @default 3000 */
  readonly connectionTimeoutMs?: number;
}

/** One message to produce: key (the partition key) and value bytes. */
export interface KafkaOutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
}

/** Compression of produced batches. */
export type KafkaCompression = 'none' | 'gzip';

/** Producer settings the sink asks a transport for. */
export interface KafkaProducerSettings {
  /** Idempotent producer (acks=all, sequence numbers): a retried batch is never written twice. */
  readonly idempotent: boolean;
  /** Batch compression. */
  readonly compression: KafkaCompression;
  /** Timeout of one produce request, ms. */
  readonly requestTimeoutMs: number;
}

/**
 * The producing side of a Kafka client, as the sink uses it. The one implementation is kafkajs
 * ({@link createKafkaTransport}); a replacement client implements this and nothing in producers/ changes.
 */
export interface KafkaProducerTransport {
  connect(): Promise<void>;
  /**
   * Sends messages to a topic, partitioned by key (murmur2, as the Java client), waiting for acks=all.
   *
   * @param topic - topic
   * @param messages - messages in order; order per key is kept
   */
  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** First and next offsets of one partition. */
export interface PartitionOffsets {
  readonly partition: number;
  /** Oldest offset still held. */
  readonly low: string;
  /** Offset the next record will get (the log end). */
  readonly high: string;
}

/** One record as fetched. */
export interface KafkaIncomingMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Record timestamp, epoch ms (create or log-append time, as the topic is configured). */
  readonly timestampMs: number;
}

/** A consumer group member's view of the partitions it owns. */
export interface GroupAssignmentListener {
  /** The group gave this member these partitions of the topic (after a rebalance), sorted. */
  onAssigned(partitions: readonly number[]): void;
}

/** Administrative calls delivery and the local broker use. */
export interface KafkaAdminTransport {
  connect(): Promise<void>;
  /** Topics that exist, of those asked for. */
  existingTopics(topics: readonly string[]): Promise<string[]>;
  /** Creates the topics that do not exist yet. */
  createTopics(topics: readonly string[], partitions: number): Promise<void>;
  /** Partition numbers of a topic. */
  partitions(topic: string): Promise<number[]>;
  /** Low and high offsets of every partition of a topic. */
  offsets(topic: string): Promise<PartitionOffsets[]>;
  disconnect(): Promise<void>;
}

/** Options of a {@link KafkaGroupConsumer}. */
export interface KafkaGroupConsumerOptions {
  /** Consumer group id: members of one group share the topic's partitions. */
  readonly groupId: string;
  /** The topic. */
  readonly topic: string;
  /**
   * The group gave this member a new set of partitions (after every rebalance; the set may be the same).
   * Partitions missing from it are no longer this member's.
   */
  readonly onAssignment: (partitions: readonly number[]) => void;
  /** The consumer stopped for good (an error the client does not recover from). */
  readonly onCrash?: (err: Error) => void;
}

/** One fetched run of records of one partition. */
export interface PartitionFetch {
  readonly messages: readonly KafkaIncomingMessage[];
  /** The partition's log end (high watermark) when fetched. */
  readonly highWatermark: string;
}

/**
 * A consumer group member reading one topic: the group assigns partitions; the caller pulls each
 * assigned partition from an offset of its choosing (its own checkpoint), and commits offsets as a mirror.
 */
export interface KafkaGroupConsumer {
  /** Joins the group and starts fetching. */
  start(): Promise<void>;
  /**
   * The next records of an assigned partition at or after `offset` (the first call for a partition, or
   * an `offset` other than where the last call ended, seeks there).
   *
   * @param partition - an assigned partition
   * @param offset - the first offset wanted
   * @param signal - ends the wait (resolves with no messages)
   * @param waitMs - how long to wait for records before returning none
   */
  fetch(partition: number, offset: string, signal: AbortSignal, waitMs: number): Promise<PartitionFetch>;
  /** Commits the group's offset of a partition (the next offset to read); failures are ignored. */
  commit(partition: number, nextOffset: string): Promise<void>;
  /** Leaves the group. */
  stop(): Promise<void>;
}
