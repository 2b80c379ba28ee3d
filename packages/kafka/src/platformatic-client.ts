import type * as Platformatic from '@platformatic/kafka' with { 'resolution-mode': 'import' };
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
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import { INFERRED_REFUSALS, refusalOf } from './connection-refusal';
import { CoalescingSender } from './coalescing-sender';
import { waitUntilServed } from './topics-served';
import { doublingDelayMs } from './doubling-delay';

export type PlatformaticClientConfig = KafkaClientSettings;

type Library = typeof Platformatic;
type LibraryConsumer = Platformatic.Consumer;
type CommitOffset = Platformatic.CommitOptionsPartition;
type FetchResponse = Platformatic.fetchV17.FetchResponse;

let loading: Promise<Library> | undefined;

/**
 * The library ships as ES modules only, and this package compiles to CommonJS: a dynamic import
 * is the one way in that works on every Node version. Loaded on first use, so a process running
 * kafkajs never loads it.
 */
function library(): Promise<Library> {
  loading ??= import('@platformatic/kafka').then(
    (lib) => {
      lib.instancesChannel.subscribe(hearConnectionErrors);
      return lib;
    },
    (error: unknown) => {
      loading = undefined;
      throw new Error(`@platformatic/kafka could not be loaded: ${(error as Error).message}`, {
        cause: error,
      });
    },
  );
  return loading;
}

/**
 * A connection can emit 'error' twice, for instance when a broker refuses its TLS certificate
 * while SASL is under way, and the library listens only once: unheard, the second would crash
 * the process. Every failure also reaches the request waiting on the connection, so listening
 * loses nothing.
 */
function hearConnectionErrors(message: unknown): void {
  const { type, instance } = message as { type?: string; instance?: Platformatic.Connection };
  if (type === 'connection') instance?.on('error', () => undefined);
}

/** Kafka's "earliest" and "latest" pseudo-timestamps for ListOffsets. */
const EARLIEST = -2n;
const LATEST = -1n;
/** Bit 5 of a record batch's attributes marks a transaction marker, which carries no message. */
const CONTROL_BATCH = 0x20;
/** Matches kafkajs: at most 1 MiB per partition in one fetch, 10 MiB in all. */
const MAX_BYTES_PER_PARTITION = 1_048_576;
/** A partition is fetched again once fewer than this many of its messages wait for the handler. */
const PREFETCH_BELOW = 500;
/** Messages one partition hands over in a row before the others get their turn. */
const DRAIN_TURN = 100;
/** How long the coordinator waits for every member to rejoin in a rebalance (kafkajs's default). */
const REBALANCE_TIMEOUT_MS = 60_000;
/** How long `run` waits to join the group, and `disconnect` for handlers and leaving. */
const JOIN_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 30_000;
const LEAVE_TIMEOUT_MS = 10_000;

/** Creates a {@link KafkaClient} backed by `@platformatic/kafka`. */
export function createPlatformaticClient(config: PlatformaticClientConfig): KafkaClient {
  const names = namespacing(config.namespace);
  const log = logger(config.logLevel ?? 'warn');
  const base = {
    clientId: config.clientId ?? 'weft',
    bootstrapBrokers: config.brokers,
    connectTimeout: config.connectionTimeoutMs ?? 3000,
    retries: config.retries ?? DEFAULT_RETRIES,
    // Backs off exponentially, as kafkajs does; the library's default waits a fixed second.
    retryDelay: (_client: unknown, _operation: string, attempt: number) =>
      doublingDelayMs(250, 5_000, attempt - 1),
    autocreateTopics: false,
    ...securityOptions(config),
  };

  return {
    async producer(options: ProducerOptions = {}): Promise<KafkaProducer> {
      const lib = await library();
      const acks = options.acksAll === false ? lib.ProduceAcks.LEADER : lib.ProduceAcks.ALL;
      const producer = new lib.Producer({
        ...base,
        acks,
        // kafkajs's (and Java's) key hashing: one runId lands on the same partition whichever
        // client produced it. The library's own default hashes differently.
        partitioner: lib.compatibilityPartitioner,
      });
      // Connects now, as kafkajs's connect() does, so a missing broker or a refusal fails here.
      await firstContact(producer, [], config);
      const coalesced = new CoalescingSender((topicMessages) =>
        producer.send({
          // Per send: the library reads `acks` from the send's options only, and without it a
          // producer that is not idempotent waits for the leader alone (acks=1), which loses
          // acknowledged messages when that leader dies before its followers copied them.
          acks,
          messages: topicMessages.flatMap(({ topic, messages }) =>
            messages.map((message) => ({
              topic,
              key: Buffer.from(message.key),
              // A null value is written as Kafka's null (length -1): a tombstone. The library's
              // types say Buffer, but its writer takes null for any nullable bytes.
              value:
                typeof message.value === 'string'
                  ? Buffer.from(message.value)
                  : (message.value as Buffer),
              headers: encodeHeaders(message.headers),
            })),
          ),
        }),
      );
      return {
        send: (topic, messages) => coalesced.send(names.topic(topic), messages),
        disconnect: () => producer.close(),
      };
    },

    async consumer(options: ConsumerOptions): Promise<KafkaConsumer> {
      const lib = await library();
      const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
      const rebalanceTimeout = Math.max(REBALANCE_TIMEOUT_MS, sessionTimeout);
      const connection = {
        ...base,
        // A JoinGroup is answered only once the rebalance completes, which may take up to the
        // rebalance timeout; the library's 30 s default would cut a slow rebalance short.
        requestTimeout: rebalanceTimeout + 5_000,
      };
      const client = new lib.Consumer({
        ...connection,
        groupId: names.topic(options.groupId),
        sessionTimeout,
        rebalanceTimeout,
        heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
        // kafkajs's assignor name and wire format: both clients can share one group while a
        // deployment moves from one to the other.
        protocols: [{ name: 'RoundRobinAssigner', version: 0, metadata: Buffer.alloc(0) }],
        maxWaitTime: options.maxWaitTimeMs ?? 1000,
        maxBytes: 10 * MAX_BYTES_PER_PARTITION,
        autocommit: false,
      });
      // The library's heartbeat reports a failed rejoin as an 'error' event; unheard, it would
      // crash the process. The watchdog in PlatformaticConsumer rejoins.
      client.on('error', (error: Error) => log('warn', 'consumer group error', { error }));
      const topics = options.topics.map(names.topic);
      client.topics.trackAll(...topics);
      // As kafkajs's subscribe: connects and proves the topics exist before run().
      await firstContact(client, topics, config);
      // Fetches wait up to maxWaitTime on the broker, and a broker answers one connection's
      // requests in order: on a connection of their own they never delay heartbeats or commits.
      const fetchConnections = new lib.ConnectionPool(`${base.clientId}-fetch`, connection);
      return new PlatformaticConsumer(client, fetchConnections, options, topics, names, log);
    },

    async admin(): Promise<KafkaAdmin> {
      const lib = await library();
      const admin = new lib.Admin(base);
      await firstContact(admin, [], config);
      return platformaticAdmin(admin, names);
    },
  };
}

/** The library's `tls` and `sasl` options for the client's settings. */
function securityOptions(config: PlatformaticClientConfig): {
  tls?: ConnectionOptions;
  tlsServerName?: boolean;
  sasl?: Platformatic.SASLOptions;
} {
  const { tls, sasl } = config;
  return {
    ...(tls
      ? {
          tls: nodeTlsOptions(tls),
          // Names the broker in the handshake (SNI), which clusters behind one address route by,
          // as kafkajs does. Not for addresses, which SNI forbids and Node warns of; the library
          // applies it to every broker alike, so the bootstrap brokers decide for all.
          tlsServerName: config.brokers.some((broker) => isIP(hostOf(broker)) === 0),
        }
      : {}),
    ...(sasl
      ? {
          sasl: {
            mechanism: sasl.mechanism.toUpperCase() as Platformatic.SASLMechanismValue,
            username: sasl.username,
            password: sasl.password,
          },
        }
      : {}),
  };
}

/** `host` of `host:port`, or of `[v6 address]:port`. */
function hostOf(broker: string): string {
  const host = broker.slice(0, broker.lastIndexOf(':'));
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** A producer, consumer or admin of the library, before it is handed out. */
interface Contactable {
  metadata(options: Platformatic.MetadataOptions): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Proves the brokers answer (and that `topics` exist), closing the client when they do not. A
 * refusal of its TLS or SASL settings fails at once, unless inferred: the library would retry even
 * a refused password, and take 20 s to say so.
 */
async function firstContact(
  client: Contactable,
  topics: string[],
  settings: PlatformaticClientConfig,
): Promise<void> {
  const retries = settings.retries ?? DEFAULT_RETRIES;
  try {
    try {
      await client.metadata({ topics, retries: 0 });
    } catch (error) {
      const refusal = refusalOf(error, settings);
      if (retries === 0 || (refusal && !INFERRED_REFUSALS.has(refusal.code))) throw error;
      await client.metadata({ topics, retries: retries - 1 });
    }
  } catch (error) {
    await client.close().catch(() => undefined);
    throw refusalOf(error, settings) ?? error;
  }
}

function platformaticAdmin(admin: Platformatic.Admin, names: Namespacing): KafkaAdmin {
  const createMissing = async (specs: TopicSpec[]) => {
    const existing = new Set(await admin.listTopics({ includeInternals: true }));
    const missing = specs.filter((spec) => !existing.has(names.topic(spec.topic)));
    if (missing.length === 0) return;
    await Promise.all(
      missing.map(async (spec) => {
        try {
          await admin.createTopics({
            topics: [names.topic(spec.topic)],
            partitions: spec.partitions ?? 1,
            replicas: -1,
            configs: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
          });
        } catch (error) {
          // Another process made it between our listing and our request: what we wanted.
          if (!hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
        }
      }),
    );
  };

  return {
    async ensureTopics(specs: TopicSpec[]) {
      // Creating many partitions can outlast one wait for their leaders; the retry then finds
      // those topics made and creates only what is still missing.
      for (let attempt = 1; ; attempt++) {
        try {
          await createMissing(specs);
          break;
        } catch (error) {
          if (attempt >= 5 || !isRetriable(error)) throw error;
          await sleep(500 * attempt);
        }
      }
      // Also when another process made them: they may be listed before they are served.
      const topics = specs.map((spec) => names.topic(spec.topic));
      await waitUntilServed(topics, async () => {
        const metadata = await admin.metadata({ topics, forceUpdate: true });
        await admin.listOffsets({
          topics: topics.map((name) => ({
            name,
            partitions: Array.from(
              { length: metadata.topics.get(name)?.partitionsCount ?? 0 },
              (_, partitionIndex) => ({ partitionIndex, timestamp: LATEST }),
            ),
          })),
        });
      });
    },
    async listTopics() {
      return (await admin.listTopics()).flatMap((topic) => names.logical(topic) ?? []);
    },
    async deleteTopics(topics: string[]) {
      await admin.deleteTopics({ topics: topics.map(names.topic) });
    },
    async describeGroups(groupIds: string[]) {
      const groups = await admin.describeGroups({ groups: groupIds.map(names.topic) });
      return [...groups.values()].map((group) => ({
        groupId: names.logical(group.id) ?? group.id,
        state: GROUP_STATES[group.state] ?? group.state,
        members: group.members.size,
      }));
    },
    async topicOffsets(topic: string) {
      const physical = names.topic(topic);
      const metadata = await admin.metadata({ topics: [physical] });
      const partitions = Array.from(
        { length: metadata.topics.get(physical)?.partitionsCount ?? 0 },
        (_, partitionIndex) => partitionIndex,
      );
      const offsetsAt = async (timestamp: bigint) => {
        const [listed] = await admin.listOffsets({
          topics: [
            {
              name: physical,
              partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })),
            },
          ],
        });
        return new Map(
          (listed?.partitions ?? []).map((entry) => [entry.partitionIndex, entry.offset]),
        );
      };
      const [earliest, latest] = await Promise.all([offsetsAt(EARLIEST), offsetsAt(LATEST)]);
      return partitions.map((partition) => ({
        partition,
        earliest: String(earliest.get(partition) ?? 0n),
        latest: String(latest.get(partition) ?? 0n),
      }));
    },
    async describeCluster(): Promise<ClusterDescription> {
      const cluster = await admin.metadata({ topics: [] });
      return {
        clusterId: cluster.id,
        brokers: [...cluster.brokers].map(([nodeId, broker]) => ({
          nodeId,
          host: broker.host,
          port: broker.port,
        })),
      };
    },
    async consumerLag(groupId: string, topics: string[]) {
      const physical = topics.map(names.topic);
      const metadata = await admin.metadata({ topics: physical });
      const partitionsOf = (topic: string) =>
        Array.from({ length: metadata.topics.get(topic)?.partitionsCount ?? 0 }, (_, i) => i);
      const offsetsAt = (timestamp: bigint) =>
        admin.listOffsets({
          topics: physical.map((name) => ({
            name,
            partitions: partitionsOf(name).map((partitionIndex) => ({ partitionIndex, timestamp })),
          })),
        });
      const [groups, earliest, latest] = await Promise.all([
        admin.listConsumerGroupOffsets({
          groups: [
            {
              groupId: names.topic(groupId),
              topics: physical.map((name) => ({ name, partitionIndexes: partitionsOf(name) })),
            },
          ],
        }),
        offsetsAt(EARLIEST),
        offsetsAt(LATEST),
      ]);
      const offsetOf = (listed: Platformatic.ListedOffsetsTopic[], topic: string, p: number) =>
        listed.find((entry) => entry.name === topic)?.partitions.find((e) => e.partitionIndex === p)
          ?.offset ?? 0n;
      const committed = groups[0]?.topics ?? [];
      return physical.map((topic) => {
        let lag = 0n;
        for (const partition of partitionsOf(topic)) {
          const mine = committed
            .find((entry) => entry.name === topic)
            ?.partitions.find((entry) => entry.partitionIndex === partition)?.committedOffset;
          const from =
            mine !== undefined && mine >= 0n ? mine : offsetOf(earliest, topic, partition);
          const behind = offsetOf(latest, topic, partition) - from;
          if (behind > 0n) lag += behind;
        }
        return { topic: names.logical(topic) ?? topic, lag: Number(lag) };
      });
    },
    disconnect: () => admin.close(),
  };
}

/** kafkajs's spelling of a group's state; the library upper-cases the broker's. */
const GROUP_STATES: Record<string, string> = {
  STABLE: 'Stable',
  EMPTY: 'Empty',
  DEAD: 'Dead',
  PREPARINGREBALANCE: 'PreparingRebalance',
  COMPLETINGREBALANCE: 'CompletingRebalance',
};

/** One assigned topic-partition: where it is read from, and what waits for the handler. */
interface PartitionState {
  /** The physical topic name. */
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** The next offset to fetch; undefined until the group's committed offset is known. */
  position: bigint | undefined;
  /** Fetched messages not yet handed to the handler, in offset order. */
  queue: ConsumedMessage[];
  /** A handler runs for this partition: the next message waits for it. */
  busy: boolean;
  fetching: boolean;
  /** Bumped whenever the position is reset, so what was fetched for the old one is dropped. */
  epoch: number;
  /** Handler failures in a row, for the redelivery backoff. */
  failures: number;
  /** After a handler failure: not before this time (ms since the epoch). */
  retryAt: number;
  /** One past the last message whose handler resolved; undefined before the first. */
  handled: bigint | undefined;
  /** Messages handled whose `durable` has yet to resolve: nothing at or past them is committed. */
  unsettled: Set<bigint>;
}

/**
 * The library's MessagesStream commits a batch's offsets as it is read rather than once it is
 * handled, and pauses only whole streams; so this drives the library's group membership, fetch
 * and commit calls itself, to keep the semantics of {@link KafkaConsumer}.
 */
class PlatformaticConsumer implements KafkaConsumer {
  readonly commitsWhenDurable = true;
  private readonly states = new Map<string, PartitionState>();
  private readonly autoCommit: boolean;
  private readonly concurrency: number;
  private handler: MessageHandler | undefined;
  private generation: number | undefined;
  private seeking: Promise<void> = Promise.resolve();
  private stopping = false;
  private closing: Promise<void> | undefined;

  /** Topics paused whole, with the partitions resumed since; and single paused partitions. */
  private readonly pausedTopics = new Map<string, Set<number>>();
  private readonly pausedPartitions = new Set<string>();

  private active = 0;
  private readonly handling = new Set<Promise<void>>();
  private cursor = 0;
  private scheduled = false;
  private metadataPending = false;
  private readonly fetchingFrom = new Set<number>();
  private fetchFailures = 0;
  private fetchNotBefore = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly toCommit = new Map<string, CommitOffset>();
  private committing: Promise<void> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private inactiveChecks = 0;
  private rejoining = false;

  constructor(
    private readonly client: LibraryConsumer,
    private readonly fetchConnections: Platformatic.ConnectionPool,
    private readonly options: ConsumerOptions,
    private readonly topics: string[],
    private readonly names: Namespacing,
    private readonly log: Log,
  ) {
    this.autoCommit = options.autoCommit ?? true;
    this.concurrency = Math.max(1, options.partitionsConsumedConcurrently ?? 1);
  }

  async run(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    this.client.on('consumer:group:join', this.onJoin);
    this.client.on('consumer:heartbeat:error', this.onHeartbeatError);
    await withTimeout(
      this.client.joinGroup({}),
      JOIN_TIMEOUT_MS,
      `consumer group ${this.client.groupId} was not joined within 60 s`,
    );
    // The first positions are known before run() resolves: a consumer starting at the latest
    // offset then sees every message produced after run() returned.
    await this.seeking;
    // The library rejoins on its own when the coordinator asks; a rejoin that failed (the
    // broker away too long) leaves the consumer without heartbeats, so try again from here.
    this.watchdog = setInterval(() => this.checkMembership(), 2_000);
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    await this.client.commit({
      offsets: offsets.map((entry) => ({
        topic: this.names.topic(entry.topic),
        partition: entry.partition,
        offset: BigInt(entry.offset),
        leaderEpoch: -1,
      })),
    });
  }

  pause(partitions: TopicPartitions[]): void {
    for (const { topic: logical, partitions: some } of partitions) {
      const topic = this.names.topic(logical);
      if (some === undefined) {
        this.pausedTopics.set(topic, new Set());
        for (const key of [...this.pausedPartitions]) {
          if (key.startsWith(`${topic}:`)) this.pausedPartitions.delete(key);
        }
        continue;
      }
      const resumed = this.pausedTopics.get(topic);
      for (const partition of some) {
        if (resumed) resumed.delete(partition);
        else this.pausedPartitions.add(`${topic}:${partition}`);
      }
    }
  }

  resume(partitions: TopicPartitions[]): void {
    for (const { topic: logical, partitions: some } of partitions) {
      const topic = this.names.topic(logical);
      if (some === undefined) {
        this.pausedTopics.delete(topic);
        for (const key of [...this.pausedPartitions]) {
          if (key.startsWith(`${topic}:`)) this.pausedPartitions.delete(key);
        }
        continue;
      }
      const resumed = this.pausedTopics.get(topic);
      for (const partition of some) {
        resumed?.add(partition);
        this.pausedPartitions.delete(`${topic}:${partition}`);
      }
    }
    this.schedule();
  }

  disconnect(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    clearTimeout(this.commitTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.client.off('consumer:group:join', this.onJoin);
    this.client.off('consumer:heartbeat:error', this.onHeartbeatError);
    // Ends the fetch waiting on the broker now rather than after maxWaitTime.
    await this.fetchConnections.close().catch(() => undefined);
    await withTimeout(
      Promise.allSettled([...this.handling]),
      DRAIN_TIMEOUT_MS,
      'message handlers still running',
    ).catch((error: unknown) => this.log('warn', 'disconnecting with handlers running', { error }));
    await this.flushCommits();
    await withTimeout(
      this.client.close(),
      LEAVE_TIMEOUT_MS,
      `consumer group ${this.client.groupId} was not left within 10 s`,
    ).catch((error: unknown) => this.log('warn', 'could not leave the group cleanly', { error }));
  }

  /** A (re)join: keep what is still ours, drop what moved, find where new partitions start. */
  private readonly onJoin = (payload: Platformatic.ConsumerGroupJoinPayload): void => {
    if (this.stopping) return;
    const generation = payload.generationId ?? this.client.generationId;
    // Between two consecutive generations of the group nobody else held our partitions, so what
    // was fetched for them is still good; after a gap (we were evicted) another member may have
    // read and committed on, so start again from the committed offsets.
    const continuous =
      this.generation !== undefined &&
      (generation === this.generation || generation === this.generation + 1);
    this.generation = generation;
    this.options.onGroupJoin?.();
    const assigned = new Set<string>();
    const fresh: PartitionState[] = [];
    for (const { topic, partitions } of payload.assignments ?? this.client.assignments ?? []) {
      for (const partition of partitions) {
        const key = `${topic}:${partition}`;
        assigned.add(key);
        let state = this.states.get(key);
        if (state && continuous) continue;
        // What we meant to commit before the gap is no guide to where the group is now.
        this.toCommit.delete(key);
        if (state) reset(state);
        else {
          state = {
            topic,
            partition,
            key,
            position: undefined,
            queue: [],
            busy: false,
            fetching: false,
            epoch: 0,
            failures: 0,
            retryAt: 0,
            handled: undefined,
            unsettled: new Set(),
          };
          this.states.set(key, state);
        }
        fresh.push(state);
      }
    }
    for (const [key, state] of this.states) {
      if (assigned.has(key)) continue;
      // A handler still running for it finishes, but commits nothing: the partition is not ours.
      reset(state);
      this.states.delete(key);
      this.toCommit.delete(key);
    }
    this.log('info', 'joined the consumer group', {
      groupId: this.client.groupId,
      generation,
      partitions: [...assigned],
    });
    if (fresh.length > 0) this.seeking = this.seek(fresh);
    this.schedule();
  };

  /** Sets each partition's position: the group's committed offset, else earliest or latest. */
  private async seek(states: PartitionState[]): Promise<void> {
    const epochs = new Map(states.map((state) => [state, state.epoch]));
    const current = (state: PartitionState) =>
      this.states.get(state.key) === state && epochs.get(state) === state.epoch;
    try {
      const byTopic = groupBy(states, (state) => state.topic);
      const committed = await this.client.listCommittedOffsets({
        topics: [...byTopic].map(([topic, of]) => ({
          topic,
          partitions: of.map((state) => state.partition),
        })),
      });
      const unset = states.filter((state) => {
        const offset = committed.get(state.topic)?.[state.partition];
        if (offset === undefined || offset < 0n) return true;
        if (current(state)) state.position = offset;
        return false;
      });
      await this.seekToDefault(unset.filter(current));
    } catch (error) {
      if (this.stopping) return;
      this.log('warn', 'could not read the committed offsets; retrying', { error });
      this.later(1_000, () => {
        const still = states.filter((state) => current(state) && state.position === undefined);
        if (still.length > 0) this.seeking = this.seek(still);
      });
    }
    this.schedule();
  }

  /** Where a partition with no committed offset (or one no longer retained) starts. */
  private async seekToDefault(states: PartitionState[]): Promise<void> {
    if (states.length === 0) return;
    const epochs = new Map(states.map((state) => [state, state.epoch]));
    const byTopic = groupBy(states, (state) => state.topic);
    const offsets = await this.client.listOffsets({
      topics: [...byTopic.keys()],
      partitions: Object.fromEntries(
        [...byTopic].map(([topic, of]) => [topic, of.map((state) => state.partition)]),
      ),
      timestamp: this.options.fromBeginning ? EARLIEST : LATEST,
    });
    for (const state of states) {
      const offset = offsets.get(state.topic)?.[state.partition];
      if (offset === undefined) continue;
      if (this.states.get(state.key) === state && epochs.get(state) === state.epoch) {
        state.position = offset;
      }
    }
  }

  private checkMembership(): void {
    if (this.stopping || this.client.isActive()) {
      this.inactiveChecks = 0;
      return;
    }
    // A rejoin the library runs itself is brief; only one that has stalled is retried here.
    if (++this.inactiveChecks < 3) return;
    this.inactiveChecks = 0;
    this.rejoin();
  }

  /**
   * After a heartbeat fails for a reason other than a rebalance (the broker unreachable), the
   * library (1.35.0) schedules no further heartbeat; without one the coordinator evicts us once
   * the session times out, so rejoin well before that.
   */
  private readonly onHeartbeatError = (): void => {
    this.later(1_000, () => {
      if (!this.client.isActive()) this.rejoin();
    });
  };

  private rejoin(): void {
    if (this.rejoining || this.stopping) return;
    this.rejoining = true;
    this.client
      .joinGroup({})
      .catch((error: unknown) => {
        this.log('warn', 'could not rejoin the consumer group; retrying', { error });
      })
      .finally(() => {
        this.rejoining = false;
      });
  }

  private isPaused(state: PartitionState): boolean {
    const resumed = this.pausedTopics.get(state.topic);
    if (resumed) return !resumed.has(state.partition);
    return this.pausedPartitions.has(state.key);
  }

  /** Runs `pump` once on the next turn of the event loop, however often it is asked for. */
  private schedule(): void {
    if (this.scheduled || this.stopping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopping || !this.handler) return;
      this.deliver();
      this.fetch();
    });
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) action();
    }, ms);
    this.timers.add(timer);
  }

  /** Starts draining partitions with messages waiting, up to the concurrency. */
  private deliver(): void {
    const states = [...this.states.values()];
    const now = Date.now();
    // Starting where the last round stopped, so no partition starves the others.
    const start = this.cursor;
    for (let i = 0; i < states.length && this.active < this.concurrency; i++) {
      const index = (start + i) % states.length;
      const state = states[index];
      if (!state || state.busy || state.queue.length === 0 || this.isPaused(state)) continue;
      if (state.retryAt > now) {
        this.later(state.retryAt - now, () => this.schedule());
        continue;
      }
      this.cursor = index + 1;
      this.drain(state);
    }
  }

  /**
   * Hands one partition's messages to the handler, each once the previous one resolved. The next
   * message follows at once rather than on a later turn of the event loop, which under load
   * (fetches and sends completing on every turn) would cap delivery at a few thousand a second;
   * after DRAIN_TURN messages the partition gives its place to the others.
   */
  private drain(state: PartitionState): void {
    const handler = this.handler;
    if (!handler) return;
    state.busy = true;
    this.active++;
    const epoch = state.epoch;
    const ours = () => this.states.get(state.key) === state && state.epoch === epoch;
    const done = (async () => {
      for (let turn = 0; turn < DRAIN_TURN; turn++) {
        if (this.stopping || !ours() || this.isPaused(state) || state.retryAt > Date.now()) return;
        const message = state.queue.shift();
        if (!message) return;
        try {
          const answer = await handler(message);
          state.failures = 0;
          if (this.autoCommit && ours()) {
            const offset = BigInt(message.offset);
            state.handled = offset + 1n;
            if (answer) {
              state.unsettled.add(offset);
              void answer.durable.then(() => {
                if (!ours()) return;
                state.unsettled.delete(offset);
                this.queueCommit(state);
              });
            }
            this.queueCommit(state);
          }
        } catch (error) {
          // As kafkajs: a message whose handler failed is delivered again, never skipped.
          const delay = doublingDelayMs(300, 30_000, state.failures++);
          this.log('error', 'message handler failed; it will be delivered again', {
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            retryInMs: delay,
            error,
          });
          if (ours()) {
            state.queue.unshift(message);
            state.retryAt = Date.now() + delay;
          }
          return;
        }
      }
    })().finally(() => {
      state.busy = false;
      this.active--;
      this.handling.delete(done);
      this.schedule();
    });
    this.handling.add(done);
  }

  /** Fetches for every partition that is ready for more, one request per leader at a time. */
  private fetch(): void {
    if (this.metadataPending || Date.now() < this.fetchNotBefore) return;
    const wanted = () =>
      [...this.states.values()].filter(
        (state) =>
          state.position !== undefined &&
          !state.fetching &&
          state.queue.length < PREFETCH_BELOW &&
          !this.isPaused(state),
      );
    if (wanted().length === 0) return;
    this.metadataPending = true;
    this.client.metadata({ topics: this.topics }).then(
      (metadata) => {
        this.metadataPending = false;
        if (this.stopping) return;
        const byLeader = new Map<number, PartitionState[]>();
        for (const state of wanted()) {
          const leader = metadata.topics.get(state.topic)?.partitions[state.partition]?.leader;
          if (leader === undefined || leader < 0 || this.fetchingFrom.has(leader)) continue;
          const list = byLeader.get(leader) ?? [];
          list.push(state);
          byLeader.set(leader, list);
        }
        for (const [leader, states] of byLeader) this.fetchFrom(leader, states, metadata);
      },
      (error: unknown) => {
        this.metadataPending = false;
        this.fetchFailed(error);
      },
    );
  }

  private fetchFrom(
    leader: number,
    states: PartitionState[],
    metadata: Platformatic.ClusterMetadata,
  ): void {
    const requested = new Map<string, { state: PartitionState; epoch: number; offset: bigint }>();
    const topicNames = new Map<string, string>();
    const request = new Map<string, Platformatic.fetchV17.FetchRequestTopic>();
    for (const state of states) {
      const topicId = metadata.topics.get(state.topic)?.id;
      if (topicId === undefined || state.position === undefined) continue;
      topicNames.set(topicId, state.topic);
      const entry = request.get(topicId) ?? { topicId, partitions: [] };
      entry.partitions.push({
        partition: state.partition,
        fetchOffset: state.position,
        partitionMaxBytes: MAX_BYTES_PER_PARTITION,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
      request.set(topicId, entry);
      requested.set(state.key, { state, epoch: state.epoch, offset: state.position });
      state.fetching = true;
    }
    if (requested.size === 0) return;
    this.fetchingFrom.add(leader);
    this.client
      .fetch({
        node: leader,
        topics: [...request.values()],
        maxWaitTime: this.options.maxWaitTimeMs ?? 1000,
        connectionPool: this.fetchConnections,
      })
      .then(
        (response) => {
          this.fetchFailures = 0;
          this.accept(response, requested, topicNames);
        },
        (error: unknown) => {
          if (this.stopping) return;
          // A response naming a partition-level error still carries the other partitions.
          const response = responseOf(error);
          if (response) this.accept(response, requested, topicNames);
          else this.fetchFailed(error);
        },
      )
      .finally(() => {
        for (const { state } of requested.values()) state.fetching = false;
        this.fetchingFrom.delete(leader);
        this.schedule();
      });
  }

  private fetchFailed(error: unknown): void {
    if (this.stopping) return;
    const delay = doublingDelayMs(200, 5_000, this.fetchFailures++);
    this.log(this.fetchFailures > 3 ? 'error' : 'warn', 'fetch failed; retrying', {
      groupId: this.client.groupId,
      retryInMs: delay,
      error,
    });
    this.client.clearMetadata();
    this.fetchNotBefore = Date.now() + delay;
    this.later(delay, () => this.schedule());
  }

  private accept(
    response: FetchResponse,
    requested: Map<string, { state: PartitionState; epoch: number; offset: bigint }>,
    topicNames: Map<string, string>,
  ): void {
    const outOfRange: PartitionState[] = [];
    let stale = false;
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId);
      if (topic === undefined) continue;
      for (const answer of topicResponse.partitions) {
        const asked = requested.get(`${topic}:${answer.partitionIndex}`);
        if (!asked) continue;
        const { state, epoch, offset: from } = asked;
        if (this.states.get(state.key) !== state || state.epoch !== epoch) continue;
        if (answer.errorCode === OFFSET_OUT_OF_RANGE) {
          outOfRange.push(state);
          continue;
        }
        if (answer.errorCode !== 0) {
          stale = true;
          continue;
        }
        let next = from;
        for (const batch of answer.records ?? []) {
          const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
          if (last + 1n > next) next = last + 1n;
          if (batch.attributes & CONTROL_BATCH) continue;
          for (const record of batch.records) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            // A compressed batch comes whole, from before the offset asked for.
            if (offset < from) continue;
            state.queue.push({
              topic: this.names.logical(topic) ?? topic,
              partition: state.partition,
              offset: offset.toString(),
              key: record.key ? record.key.toString('utf8') : null,
              value: record.value ?? Buffer.alloc(0),
              tombstone: record.value === null,
              headers: decodeHeaders(record.headers),
              timestamp: Number(batch.firstTimestamp + record.timestampDelta),
            });
          }
        }
        state.position = next;
      }
    }
    if (stale) {
      // A leader moved: ask again where the partitions are before the next fetch.
      this.client.clearMetadata();
    }
    if (outOfRange.length > 0) {
      // As kafkajs: a position the log no longer holds restarts where a new group would.
      for (const state of outOfRange) state.position = undefined;
      this.seekToDefault(outOfRange).then(
        () => this.schedule(),
        (error: unknown) => this.fetchFailed(error),
      );
    }
  }

  /**
   * Queues the partition's position for the next commit: below its oldest message not yet
   * durable, else past the last handled. With an interval, commits go at most that often.
   */
  private queueCommit(state: PartitionState): void {
    let offset = state.handled;
    for (const unsettled of state.unsettled) {
      if (offset === undefined || unsettled < offset) offset = unsettled;
    }
    if (offset === undefined) return;
    this.toCommit.set(state.key, {
      topic: state.topic,
      partition: state.partition,
      offset,
      leaderEpoch: -1,
    });
    this.scheduleCommit();
  }

  /** Starts a commit now, or, with an interval, once the interval has passed. */
  private scheduleCommit(): void {
    const interval = this.options.autoCommitIntervalMs ?? 0;
    if (interval <= 0) {
      this.committing ??= this.flushCommits().finally(() => {
        this.committing = undefined;
      });
      return;
    }
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      // One request a round: what handlers finish meanwhile waits for the next.
      this.committing ??= this.flushCommits(1).finally(() => {
        this.committing = undefined;
        if (this.toCommit.size > 0) this.scheduleCommit();
      });
    }, interval);
  }

  /**
   * Commits what handlers finished, one request at a time, each carrying the latest per
   * partition, until nothing is left or after `rounds` requests.
   */
  private async flushCommits(rounds = Infinity): Promise<void> {
    await this.committing;
    for (let round = 0; round < rounds && this.toCommit.size > 0; round++) {
      const offsets = [...this.toCommit.values()];
      this.toCommit.clear();
      try {
        await this.client.commit({ offsets });
      } catch (error) {
        this.log('warn', 'offset commit failed', { groupId: this.client.groupId, error });
        if (this.stopping) return;
        // Retried unless a later offset of the partition was queued meanwhile.
        for (const entry of offsets) {
          const key = `${entry.topic}:${entry.partition}`;
          if (this.states.has(key) && !this.toCommit.has(key)) this.toCommit.set(key, entry);
        }
        await sleep(1_000);
      }
    }
  }
}

const OFFSET_OUT_OF_RANGE = 1;

function reset(state: PartitionState): void {
  state.epoch++;
  state.queue = [];
  state.position = undefined;
  state.failures = 0;
  state.retryAt = 0;
  state.handled = undefined;
  state.unsettled = new Set();
}

/** The fetch response a partition-level error was raised with, if any. */
function responseOf(error: unknown): FetchResponse | undefined {
  const seen = new Set<unknown>();
  const visit = (candidate: unknown): FetchResponse | undefined => {
    if (typeof candidate !== 'object' || candidate === null || seen.has(candidate)) return;
    seen.add(candidate);
    const response = (candidate as { response?: unknown }).response;
    if (typeof response === 'object' && response !== null && 'responses' in response) {
      return response as FetchResponse;
    }
    for (const inner of (candidate as { errors?: unknown[] }).errors ?? []) {
      const found = visit(inner);
      if (found) return found;
    }
    return undefined;
  };
  return visit(error);
}

function hasProtocolError(error: unknown, id: string): boolean {
  const found = (error as { findBy?: (property: string, value: unknown) => unknown }).findBy?.(
    'apiId',
    id,
  );
  return Boolean(found);
}

function isRetriable(error: unknown): boolean {
  const blocker = (error as { findBy?: (property: string, value: unknown) => unknown }).findBy?.(
    'canRetry',
    false,
  );
  return typeof (error as { findBy?: unknown }).findBy === 'function' && !blocker;
}

function encodeHeaders(headers: Record<string, string> | undefined): Map<Buffer, Buffer> {
  const encoded = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    encoded.set(Buffer.from(name), Buffer.from(value));
  }
  return encoded;
}

function decodeHeaders(headers: [Buffer | null, Buffer | null][]): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name === null) continue;
    const key = name.toString();
    // As the kafkajs client: of a repeated header, the first value.
    if (!(key in decoded)) decoded[key] = value?.toString() ?? '';
  }
  return decoded;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  return groups;
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

type Level = 'error' | 'warn' | 'info' | 'debug';
type Log = (level: Level, message: string, fields?: Record<string, unknown>) => void;

const RANKS = { nothing: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;

/** JSON lines on stderr, shaped as the kafkajs client writes its own. */
function logger(threshold: keyof typeof RANKS): Log {
  return (level, message, fields = {}) => {
    if (RANKS[level] > RANKS[threshold]) return;
    const { error, ...rest } = fields;
    process.stderr.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        source: 'platformatic-kafka',
        msg: message,
        ...rest,
        ...(error === undefined ? {} : { error: describeError(error) }),
      }) + '\n',
    );
  };
}

/** An error's message and code, with those of the errors it aggregates. */
function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  const inner = (error as { errors?: unknown[] }).errors;
  return {
    message: error.message,
    ...((error as { code?: unknown }).code === undefined
      ? {}
      : { code: (error as { code?: unknown }).code }),
    ...(Array.isArray(inner) && inner.length > 0 ? { errors: inner.map(describeError) } : {}),
  };
}
