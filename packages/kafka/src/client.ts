/**
 * The Kafka client as Weft uses it. Services talk to this interface only, so the client library
 * behind it can be swapped and measured without touching them.
 */

/** A message to produce. Weft keys every message by runId, so one run's messages stay in order. */
export interface OutgoingMessage {
  key: string;
  /** `null`: a tombstone, which removes the key from a compacted topic. */
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/** A message as consumed, with the coordinates needed to commit past it. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as a decimal string to stay exact. */
  offset: string;
  key: string | null;
  /** Empty for a tombstone. */
  value: Buffer;
  /** True when the value is null: on a compacted topic, the key's removal. */
  tombstone: boolean;
  headers: Record<string, string>;
  /** Broker or producer timestamp, milliseconds since the epoch. */
  timestamp: number;
}

/** A position to commit: the offset of the next message to read, as Kafka defines it. */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface TopicPartitions {
  topic: string;
  /** Omitted: every partition of the topic. */
  partitions?: number[];
}

export interface TopicSpec {
  topic: string;
  /** Default: 1. The ceiling of a consumer group's parallelism on this topic. */
  partitions?: number;
  config?: Record<string, string>;
}

export interface ProducerOptions {
  /** Wait for every in-sync replica before a send resolves. Default: true. */
  acksAll?: boolean;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default: false (latest). */
  fromBeginning?: boolean;
  /** Commit offsets after each handled message. Default: true; false leaves it to `commit`. */
  autoCommit?: boolean;
  /**
   * With `autoCommit`, commit at most this often instead of after every handled message: fewer
   * requests, and after a crash the messages of the last interval come again (only for handlers
   * that apply a message at most once in effect); what is left is committed on disconnect.
   * kafkajs commits at the end of each fetched batch all the same. Default: 0, at once.
   */
  autoCommitIntervalMs?: number;
  /** How long the broker waits for a heartbeat before evicting a member. Default: 30000 ms. */
  sessionTimeoutMs?: number;
  /**
   * How long a fetch waits on the broker for new messages. Data is returned as soon as it arrives;
   * this bounds idle polls and how long `disconnect` waits for the fetch in flight. Default: 1000 ms.
   */
  maxWaitTimeMs?: number;
  /** How many partitions are handled at once. Default: 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * Called each time the consumer has (re)joined its group, before it hands over a message of the
   * new assignment: a partition may have been another member's meanwhile, so what was learnt from
   * its messages may be stale.
   */
  onGroupJoin?: () => void;
}

/**
 * What a handler may answer instead of nothing: the partition's next message may go now, but this
 * one is committed only once `durable` resolves. It never rejects; one that never resolves leaves
 * the message to be delivered again after a restart or a rebalance.
 */
export interface HandledLater {
  durable: Promise<void>;
}

/**
 * Called for each message; the next message of the same partition waits until it resolves, and
 * for its `durable` too where the consumer cannot commit later (see commitsWhenDurable).
 */
export type MessageHandler = (message: ConsumedMessage) => Promise<void | HandledLater>;

export interface KafkaProducer {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaConsumer {
  /**
   * True when a handler's `durable` lets the partition's next message go at once and holds back
   * only the commit of its own; false when the next message waits for it.
   */
  readonly commitsWhenDurable: boolean;
  /** Starts consuming; resolves once the consumer has joined its group and is fetching. */
  run(handler: MessageHandler): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  pause(partitions: TopicPartitions[]): void;
  resume(partitions: TopicPartitions[]): void;
  disconnect(): Promise<void>;
}

/** The bounds of one partition, as offsets (decimal strings, as Kafka's are 64-bit). */
export interface PartitionOffsets {
  partition: number;
  earliest: string;
  latest: string;
}

export interface ClusterDescription {
  clusterId: string;
  brokers: { nodeId: number; host: string; port: number }[];
}

export interface KafkaAdmin {
  /**
   * Creates the topics that do not exist yet, leaving existing ones as they are; resolves once
   * every partition of every topic given is served by its leader, so a produce can follow at once.
   */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  listTopics(): Promise<string[]>;
  deleteTopics(topics: string[]): Promise<void>;
  /** Describes consumer groups; asking finds their coordinator, creating the offsets topic. */
  describeGroups(
    groupIds: string[],
  ): Promise<{ groupId: string; state: string; members: number }[]>;
  /**
   * Where each partition of `topic` begins and ends, by partition: `earliest`, the offset of its
   * first message still kept, and `latest`, the offset its next message will get (so `latest - 1`
   * is the last).
   */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** A metadata round trip: proves a broker answers. */
  describeCluster(): Promise<ClusterDescription>;
  /**
   * Messages the group has yet to consume, per topic: the sum over partitions of the latest offset
   * minus the group's committed one (from the earliest retained when it committed none).
   */
  consumerLag(groupId: string, topics: string[]): Promise<{ topic: string; lag: number }[]>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  producer(options?: ProducerOptions): Promise<KafkaProducer>;
  consumer(options: ConsumerOptions): Promise<KafkaConsumer>;
  admin(): Promise<KafkaAdmin>;
}
