import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type IHeaders,
  type KafkaConfig,
  type SASLOptions,
  type LogEntry,
  type RequestEvent,
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
import {
  DEFAULT_RETRIES,
  namespacing,
  nodeTlsOptions,
  type KafkaClientSettings,
  type Namespacing,
} from './client-settings';
import { waitUntilServed } from './topics-served';
import { CoalescingSender } from './coalescing-sender';
import { countKafkaRequest } from './request-counter';
import { refusalOf } from './connection-refusal';

export type KafkajsClientConfig = KafkaClientSettings;

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
    retry: { retries: config.retries ?? DEFAULT_RETRIES },
    ...securityOptions(config),
  });
  /** Connects, explaining a refusal of the client's TLS or SASL settings. */
  const connect = async (client: { connect(): Promise<void> }) => {
    try {
      await client.connect();
    } catch (error) {
      throw refusalOf(error, config) ?? error;
    }
  };

  const names = namespacing(config.namespace);

  return {
    async producer(options: ProducerOptions = {}): Promise<KafkaProducer> {
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      producer.on(producer.events.REQUEST, countRequest);
      await connect(producer);
      const acks = options.acksAll === false ? 1 : -1;
      const coalesced = new CoalescingSender((topicMessages) =>
        producer.sendBatch({ acks, topicMessages }),
      );
      return {
        send: (topic, messages) => coalesced.send(names.topic(topic), messages),
        disconnect: () => producer.disconnect(),
      };
    },

    async consumer(options: ConsumerOptions): Promise<KafkaConsumer> {
      const consumer = kafka.consumer({
        groupId: names.topic(options.groupId),
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
        allowAutoTopicCreation: false,
      });
      consumer.on(consumer.events.REQUEST, countRequest);
      await connect(consumer);
      await consumer.subscribe({
        topics: options.topics.map(names.topic),
        fromBeginning: options.fromBeginning ?? false,
      });
      return wrapConsumer(consumer, options, names);
    },

    async admin(): Promise<KafkaAdmin> {
      const admin = kafka.admin();
      admin.on(admin.events.REQUEST, countRequest);
      await connect(admin);
      const createMissing = async (specs: TopicSpec[]) => {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !existing.has(names.topic(spec.topic)));
        if (missing.length === 0) return;
        await admin.createTopics({
          waitForLeaders: true,
          timeout: 30_000,
          topics: missing.map((spec) => ({
            topic: names.topic(spec.topic),
            numPartitions: spec.partitions ?? 1,
            configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({
              name,
              value,
            })),
          })),
        });
      };
      return {
        async ensureTopics(specs: TopicSpec[]) {
          // Creating many partitions can outlast one wait for their leaders; the retry then
          // finds those topics made and creates only what is still missing.
          for (let attempt = 1; ; attempt++) {
            try {
              await createMissing(specs);
              break;
            } catch (error) {
              if (attempt >= 5 || !(error as { retriable?: boolean }).retriable) throw error;
              await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
            }
          }
          // Also when another process made them: they may be listed before they are served.
          const topics = specs.map((spec) => names.topic(spec.topic));
          await waitUntilServed(topics, () =>
            Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))),
          );
        },
        async listTopics() {
          return (await admin.listTopics()).flatMap((topic) => names.logical(topic) ?? []);
        },
        async deleteTopics(topics: string[]) {
          await admin.deleteTopics({ topics: topics.map(names.topic) });
        },
        async describeGroups(groupIds: string[]) {
          const { groups } = await admin.describeGroups(groupIds.map(names.topic));
          return groups.map((group) => ({
            groupId: names.logical(group.groupId) ?? group.groupId,
            state: group.state,
            members: group.members.length,
          }));
        },
        async topicOffsets(topic: string) {
          const offsets = await admin.fetchTopicOffsets(names.topic(topic));
          return offsets
            .map(({ partition, low, high }) => ({ partition, earliest: low, latest: high }))
            .sort((a, b) => a.partition - b.partition);
        },
        async describeCluster(): Promise<ClusterDescription> {
          const cluster = await admin.describeCluster();
          return { clusterId: cluster.clusterId, brokers: cluster.brokers };
        },
        async consumerLag(groupId: string, topics: string[]) {
          const committed = await admin.fetchOffsets({
            groupId: names.topic(groupId),
            topics: topics.map(names.topic),
          });
          return Promise.all(
            committed.map(async ({ topic, partitions }) => {
              const latest = await admin.fetchTopicOffsets(topic);
              let lag = 0;
              for (const partition of latest) {
                const mine = partitions.find((entry) => entry.partition === partition.partition);
                const done = Number(mine?.offset ?? '-1');
                const from = done >= 0 ? done : Number(partition.low);
                lag += Math.max(0, Number(partition.high) - from);
              }
              return { topic: names.logical(topic) ?? topic, lag };
            }),
          );
        },
        disconnect: () => admin.disconnect(),
      };
    },
  };
}

/** kafkajs's `ssl` and `sasl` options for the client's settings. */
function securityOptions(config: KafkajsClientConfig): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = config;
  return {
    ...(tls ? { ssl: nodeTlsOptions(tls) } : {}),
    // kafkajs types each mechanism apart; every one of ours takes a username and a password.
    ...(sasl ? { sasl: { ...sasl } as SASLOptions } : {}),
  };
}

function wrapConsumer(
  consumer: Consumer,
  options: ConsumerOptions,
  names: Namespacing,
): KafkaConsumer {
  const physical = (partitions: TopicPartitions[]) =>
    partitions.map((entry) => ({ ...entry, topic: names.topic(entry.topic) }));
  if (options.onGroupJoin) consumer.on(consumer.events.GROUP_JOIN, options.onGroupJoin);
  return {
    // eachMessage's next message waits for its handler, and kafkajs commits what was handed over.
    commitsWhenDurable: false,
    async run(handler: MessageHandler) {
      let timer: NodeJS.Timeout | undefined;
      const joined = new Promise<void>((resolve, reject) => {
        const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
          stop();
          clearTimeout(timer);
          resolve();
        });
        timer = setTimeout(() => {
          stop();
          reject(
            new Error(`consumer group ${names.topic(options.groupId)} was not joined within 60 s`),
          );
        }, 60_000);
      });
      await consumer.run({
        autoCommit: options.autoCommit ?? true,
        ...(options.autoCommitIntervalMs
          ? { autoCommitInterval: options.autoCommitIntervalMs }
          : {}),
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async ({ topic, partition, message }) => {
          const consumed: ConsumedMessage = {
            topic: names.logical(topic) ?? topic,
            partition,
            offset: message.offset,
            key: message.key === null ? null : message.key.toString('utf8'),
            value: message.value ?? Buffer.alloc(0),
            tombstone: message.value === null,
            headers: decodeHeaders(message.headers),
            timestamp: Number(message.timestamp),
          };
          const answer = await handler(consumed);
          if (answer) await answer.durable;
        },
      });
      await joined;
    },
    async commit(offsets: TopicPartitionOffset[]) {
      await consumer.commitOffsets(physical(offsets) as TopicPartitionOffset[]);
    },
    pause(partitions: TopicPartitions[]) {
      consumer.pause(physical(partitions));
    },
    resume(partitions: TopicPartitions[]) {
      consumer.resume(physical(partitions));
    },
    disconnect: () => consumer.disconnect(),
  };
}

function countRequest(event: RequestEvent): void {
  countKafkaRequest(event.payload.apiKey);
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
