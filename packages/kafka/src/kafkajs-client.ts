import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type IHeaders,
  type LogEntry,
} from 'kafkajs';
import type {
  ClusterDescription,
  ConsumedMessage,
  ConsumerOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  MessageHandler,
  ProducerOptions,
  TopicPartitionOffset,
  TopicPartitions,
  TopicSpec,
} from './client';

export interface KafkajsClientConfig {
  /** `host:port` of one or more brokers. */
  brokers: string[];
  /** Names this process to the broker, and in its logs. Default: `weft`. */
  clientId?: string;
  /** How long to wait for a connection. Default: 3000 ms. */
  connectionTimeoutMs?: number;
  /** How many times a failed request is retried before it fails. Default: 5. */
  retries?: number;
  /** kafkajs log level; its messages go to stderr as JSON lines. Default: warn. */
  logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
}

const LOG_LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

/** Creates a {@link KafkaClient} backed by kafkajs. */
export function createKafkajsClient(config: KafkajsClientConfig): KafkaClient {
  const kafka = new Kafka({
    clientId: config.clientId ?? 'weft',
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    logLevel: LOG_LEVELS[config.logLevel ?? 'warn'],
    logCreator: () => writeLogEntry,
    retry: { retries: config.retries ?? 5 },
  });

  return {
    async producer(options: ProducerOptions = {}): Promise<KafkaProducer> {
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      const acks = options.acksAll === false ? 1 : -1;
      return {
        async send(topic, messages) {
          await producer.send({ topic, acks, messages });
        },
        disconnect: () => producer.disconnect(),
      };
    },

    async consumer(options: ConsumerOptions): Promise<KafkaConsumer> {
      const consumer = kafka.consumer({
        groupId: options.groupId,
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
        allowAutoTopicCreation: false,
      });
      await consumer.connect();
      await consumer.subscribe({
        topics: options.topics,
        fromBeginning: options.fromBeginning ?? false,
      });
      return wrapConsumer(consumer, options);
    },

    async admin(): Promise<KafkaAdmin> {
      const admin = kafka.admin();
      await admin.connect();
      return {
        async ensureTopics(specs: TopicSpec[]) {
          const existing = new Set(await admin.listTopics());
          const missing = specs.filter((spec) => !existing.has(spec.topic));
          if (missing.length === 0) return;
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions ?? 1,
              configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({
                name,
                value,
              })),
            })),
          });
        },
        listTopics: () => admin.listTopics(),
        async deleteTopics(topics: string[]) {
          await admin.deleteTopics({ topics });
        },
        async describeCluster(): Promise<ClusterDescription> {
          const cluster = await admin.describeCluster();
          return { clusterId: cluster.clusterId, brokers: cluster.brokers };
        },
        disconnect: () => admin.disconnect(),
      };
    },
  };
}

function wrapConsumer(consumer: Consumer, options: ConsumerOptions): KafkaConsumer {
  return {
    async run(handler: MessageHandler) {
      const joined = new Promise<void>((resolve) => {
        const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
          stop();
          resolve();
        });
      });
      await consumer.run({
        autoCommit: options.autoCommit ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async ({ topic, partition, message }) => {
          const consumed: ConsumedMessage = {
            topic,
            partition,
            offset: message.offset,
            key: message.key === null ? null : message.key.toString('utf8'),
            value: message.value ?? Buffer.alloc(0),
            headers: decodeHeaders(message.headers),
            timestamp: Number(message.timestamp),
          };
          await handler(consumed);
        },
      });
      await joined;
    },
    async commit(offsets: TopicPartitionOffset[]) {
      await consumer.commitOffsets(offsets);
    },
    pause(partitions: TopicPartitions[]) {
      consumer.pause(partitions);
    },
    resume(partitions: TopicPartitions[]) {
      consumer.resume(partitions);
    },
    disconnect: () => consumer.disconnect(),
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) decoded[name] = first.toString();
  }
  return decoded;
}

const LEVEL_NAMES: Record<number, string> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

function writeLogEntry({ level, log }: LogEntry): void {
  const { message, timestamp, ...fields } = log;
  process.stderr.write(
    JSON.stringify({
      time: timestamp,
      level: LEVEL_NAMES[level] ?? 'info',
      source: 'kafkajs',
      msg: message,
      ...fields,
    }) + '\n',
  );
}
