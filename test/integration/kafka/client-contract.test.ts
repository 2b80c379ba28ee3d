import { randomUUID } from 'node:crypto';
import {
  createKafkaClient,
  KAFKA_IMPLEMENTATIONS,
  type ConsumedMessage,
  type ConsumerOptions,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaImplementation,
  type MessageHandler,
  onKafkaRequest,
} from '@weft/kafka';
import { uniqueName, waitFor } from '../../support/test-infrastructure';

/**
 * What services rely on from a KafkaClient, checked on the real broker against every
 * implementation, so either can run the engine: keys, headers and timestamps; one partition's
 * messages one at a time and in order; commits (automatic after each handled message, or manual);
 * pause and resume per topic-partition; where a new group starts; rebalances; and a disconnect
 * that returns promptly.
 */

function brokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) throw new Error('KAFKA_BROKERS is not set: run under test/support/global-setup.ts');
  return value.split(',');
}

function clientOf(implementation: KafkaImplementation, namespace: string): KafkaClient {
  return createKafkaClient({
    implementation,
    brokers: brokers(),
    clientId: namespace,
    namespace,
    logLevel: 'nothing',
  });
}

/**
 * Creates a topic and waits until the broker lists it: under load a broker can answer metadata
 * without a topic it has just created, and kafkajs's subscribe then fails with "This server does
 * not host this topic-partition".
 */
async function createTopic(admin: KafkaAdmin, topic: string, partitions: number): Promise<void> {
  await admin.ensureTopics([{ topic, partitions }]);
  await waitFor(`${topic} to be listed`, async () =>
    (await admin.listTopics()).includes(topic) ? true : undefined,
  );
}

const text = (message: ConsumedMessage) => message.value.toString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for a fetch or two to return what a consumer should not have delivered. */
const QUIET_MS = 2_000;

describe.each(KAFKA_IMPLEMENTATIONS)('the %s client', (implementation) => {
  const namespace = uniqueName(`contract-${implementation}`);
  let kafka: KafkaClient;
  let admin: KafkaAdmin;
  const consumers: KafkaConsumer[] = [];

  beforeAll(async () => {
    kafka = clientOf(implementation, namespace);
    admin = await kafka.admin();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.disconnect()));
  });

  afterAll(async () => {
    const topics = await admin.listTopics();
    if (topics.length > 0) await admin.deleteTopics(topics);
    await admin.disconnect();
  });

  async function newTopic(partitions = 1): Promise<string> {
    const topic = uniqueName('topic');
    await createTopic(admin, topic, partitions);
    return topic;
  }

  async function produce(topic: string, values: string[], key = (i: number) => `key-${i}`) {
    const producer = await kafka.producer();
    try {
      await producer.send(
        topic,
        values.map((value, i) => ({ key: key(i), value })),
      );
    } finally {
      await producer.disconnect();
    }
  }

  /** A running consumer and what it has received so far. */
  async function consume(
    options: Partial<ConsumerOptions> & { topics: string[] },
    onMessage: MessageHandler = async () => undefined,
  ): Promise<{ consumer: KafkaConsumer; received: ConsumedMessage[] }> {
    const received: ConsumedMessage[] = [];
    const consumer = await kafka.consumer({ groupId: uniqueName('group'), ...options });
    consumers.push(consumer);
    await consumer.run(async (message) => {
      await onMessage(message);
      received.push(message);
    });
    return { consumer, received };
  }

  async function lagOf(groupId: string, topic: string): Promise<number> {
    const [entry] = await admin.consumerLag(groupId, [topic]);
    return entry?.lag ?? Number.NaN;
  }

  function waitForCount(received: unknown[], count: number, what = `${count} messages`) {
    return waitFor(what, async () => (received.length >= count ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 25,
    });
  }

  it('delivers keys, values, headers and timestamps intact, one key in order on one partition', async () => {
    const topic = await newTopic(3);
    const { received } = await consume({ topics: [topic], fromBeginning: true });
    const before = Date.now();
    const producer = await kafka.producer();
    await producer.send(
      topic,
      Array.from({ length: 30 }, (_, i) => ({
        key: `run-${i % 4}`,
        value: i % 2 === 0 ? `value-${i}` : Buffer.from(`value-${i}`),
        headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, index: String(i) },
      })),
    );
    await producer.disconnect();
    await waitForCount(received, 30);

    for (const message of received) {
      const index = Number(message.headers.index);
      expect(text(message)).toBe(`value-${index}`);
      expect(message.key).toBe(`run-${index % 4}`);
      expect(message.topic).toBe(topic);
      expect(message.headers.traceparent).toMatch(/^00-a{32}-b{16}-01$/);
      expect(message.timestamp).toBeGreaterThanOrEqual(before - 5_000);
      expect(message.timestamp).toBeLessThanOrEqual(Date.now() + 5_000);
      expect(message.offset).toMatch(/^\d+$/);
    }
    for (let key = 0; key < 4; key++) {
      const ofKey = received.filter((message) => message.key === `run-${key}`);
      expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
      const order = ofKey.map((message) => Number(message.headers.index));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('awaits the handler before the next message of a partition, and runs partitionsConsumedConcurrently partitions at once', async () => {
    const topic = await newTopic(4);
    const inFlight = new Map<number, number>();
    let running = 0;
    let mostAtOnce = 0;
    let overlapped = false;
    const { received } = await consume(
      { topics: [topic], fromBeginning: true, partitionsConsumedConcurrently: 2 },
      async (message) => {
        const mine = (inFlight.get(message.partition) ?? 0) + 1;
        inFlight.set(message.partition, mine);
        if (mine > 1) overlapped = true;
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await sleep(20);
        running--;
        inFlight.set(message.partition, mine - 1);
      },
    );
    await produce(
      topic,
      Array.from({ length: 60 }, (_, i) => `m-${i}`),
      (i) => `key-${i % 12}`,
    );
    await waitForCount(received, 60);
    expect(overlapped).toBe(false);
    expect(mostAtOnce).toBe(2);
    for (const partition of new Set(received.map((message) => message.partition))) {
      const offsets = received
        .filter((message) => message.partition === partition)
        .map((message) => Number(message.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it('commits after each handled message by default: the lag drops to 0 and the next member starts after them', async () => {
    const topic = await newTopic(2);
    const groupId = uniqueName('group');
    const first = await consume({ groupId, topics: [topic], fromBeginning: true });
    await produce(
      topic,
      Array.from({ length: 20 }, (_, i) => `old-${i}`),
    );
    await waitForCount(first.received, 20);
    await waitFor('the group to commit all 20', async () =>
      (await lagOf(groupId, topic)) === 0 ? true : undefined,
    );
    await first.consumer.disconnect();

    await produce(
      topic,
      Array.from({ length: 5 }, (_, i) => `new-${i}`),
    );
    const second = await consume({ groupId, topics: [topic], fromBeginning: true });
    await waitForCount(second.received, 5);
    await sleep(QUIET_MS);
    expect(second.received.map(text).sort()).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
  });

  it('commits a message handled with `durable` only once it resolves, and tells each join', async () => {
    const topic = await newTopic(1);
    const groupId = uniqueName('group');
    let joins = 0;
    let release = () => {};
    const durable = new Promise<void>((resolve) => (release = resolve));
    const received: string[] = [];
    const consumer = await kafka.consumer({
      groupId,
      topics: [topic],
      fromBeginning: true,
      onGroupJoin: () => joins++,
    });
    consumers.push(consumer);
    await consumer.run(async (message) => {
      received.push(text(message));
      if (text(message) === 'm-2') return { durable };
    });
    expect(joins).toBeGreaterThanOrEqual(1);
    await produce(
      topic,
      Array.from({ length: 5 }, (_, i) => `m-${i}`),
    );
    if (consumer.commitsWhenDurable) {
      // The partition goes on; its commit stops below the message not yet durable.
      await waitForCount(received, 5);
      await waitFor('m-0 and m-1 committed', async () =>
        (await lagOf(groupId, topic)) === 3 ? true : undefined,
      );
      await sleep(QUIET_MS);
      expect(await lagOf(groupId, topic)).toBe(3);
    } else {
      // The partition's next message waits for it.
      await waitForCount(received, 3);
      await sleep(QUIET_MS);
      expect(received).toEqual(['m-0', 'm-1', 'm-2']);
    }
    release();
    await waitForCount(received, 5);
    await waitFor('all five committed', async () =>
      (await lagOf(groupId, topic)) === 0 ? true : undefined,
    );
    expect(received).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
  });

  it('with autoCommitIntervalMs, commits no sooner than that, and what is left on disconnect', async () => {
    const topic = await newTopic(1);
    const groupId = uniqueName('group');
    const first = await consume({
      groupId,
      topics: [topic],
      fromBeginning: true,
      autoCommitIntervalMs: 60_000,
    });
    await produce(
      topic,
      Array.from({ length: 10 }, (_, i) => `m-${i}`),
    );
    await waitForCount(first.received, 10);
    await sleep(QUIET_MS);
    // kafkajs commits at the end of each fetched batch all the same (see autoCommitIntervalMs).
    expect(await lagOf(groupId, topic)).toBe(implementation === 'kafkajs' ? 0 : 10);
    await first.consumer.disconnect();
    expect(await lagOf(groupId, topic)).toBe(0);
  });

  it('with autoCommit false, commits exactly what commit() is given', async () => {
    const topic = await newTopic(1);
    const groupId = uniqueName('group');
    const first = await consume({
      groupId,
      topics: [topic],
      fromBeginning: true,
      autoCommit: false,
    });
    await produce(
      topic,
      Array.from({ length: 10 }, (_, i) => `m-${i}`),
    );
    await waitForCount(first.received, 10);
    await sleep(QUIET_MS);
    expect(await lagOf(groupId, topic)).toBe(10);

    await first.consumer.commit([{ topic, partition: 0, offset: '6' }]);
    expect(await lagOf(groupId, topic)).toBe(4);
    await first.consumer.disconnect();

    const second = await consume({
      groupId,
      topics: [topic],
      fromBeginning: true,
      autoCommit: false,
    });
    await waitForCount(second.received, 4);
    await sleep(QUIET_MS);
    expect(second.received.map(text)).toEqual(['m-6', 'm-7', 'm-8', 'm-9']);
  });

  it('delivers a message whose handler failed again, before the next of its partition', async () => {
    const topic = await newTopic(1);
    let failures = 0;
    const { received } = await consume(
      { topics: [topic], fromBeginning: true },
      async (message) => {
        if (text(message) === 'm-2' && failures++ === 0) throw new Error('a handler failing once');
      },
    );
    await produce(
      topic,
      Array.from({ length: 5 }, (_, i) => `m-${i}`),
    );
    await waitForCount(received, 5);
    expect(failures).toBe(2);
    expect(received.map(text)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
  });

  it('pauses one partition and resumes it where it stopped, the others flowing meanwhile', async () => {
    const topic = await newTopic(2);
    const { consumer, received } = await consume({ topics: [topic], fromBeginning: true });
    consumer.pause([{ topic, partitions: [0] }]);
    await produce(
      topic,
      Array.from({ length: 20 }, (_, i) => `m-${i}`),
    );
    const onPartition1 = await waitFor('the messages of partition 1', async () => {
      await sleep(QUIET_MS);
      return received.length > 0 ? received.length : undefined;
    });
    expect(received.every((message) => message.partition === 1)).toBe(true);
    expect(onPartition1).toBeLessThan(20);

    consumer.resume([{ topic, partitions: [0] }]);
    await waitForCount(received, 20);
    const offsets = received
      .filter((message) => message.partition === 0)
      .map((message) => Number(message.offset));
    expect(offsets).toEqual(Array.from({ length: 20 - onPartition1 }, (_, i) => i));
  });

  it('stops delivering at once when a handler pauses its topic, and continues on resume', async () => {
    const topic = await newTopic(1);
    // The handler pauses the consumer it runs in, known once consume() returns.
    const self: { consumer?: KafkaConsumer } = {};
    const started = await consume({ topics: [topic], fromBeginning: true }, async (message) => {
      if (text(message) === 'm-2') self.consumer?.pause([{ topic }]);
    });
    const consumer = started.consumer;
    self.consumer = consumer;
    await produce(
      topic,
      Array.from({ length: 10 }, (_, i) => `m-${i}`),
    );
    await waitForCount(started.received, 3);
    await sleep(QUIET_MS);
    expect(started.received.map(text)).toEqual(['m-0', 'm-1', 'm-2']);

    consumer.resume([{ topic }]);
    await waitForCount(started.received, 10);
    expect(started.received.map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `m-${i}`));
  });

  it('starts a new group at the end of the log, or at its start with fromBeginning', async () => {
    const topic = await newTopic(2);
    await produce(topic, ['before-0', 'before-1', 'before-2']);
    const latest = await consume({ topics: [topic] });
    const earliest = await consume({ topics: [topic], fromBeginning: true });
    await produce(topic, ['after-0', 'after-1']);
    await waitForCount(latest.received, 2);
    await waitForCount(earliest.received, 5);
    await sleep(QUIET_MS);
    expect(latest.received.map(text).sort()).toEqual(['after-0', 'after-1']);
    expect(earliest.received).toHaveLength(5);
  });

  it('shares partitions with a second member, takes them back when it leaves, and loses nothing', async () => {
    const topic = await newTopic(4);
    const groupId = uniqueName('group');
    const options = { groupId, topics: [topic], fromBeginning: true, sessionTimeoutMs: 10_000 };
    const values = (round: string) => Array.from({ length: 40 }, (_, i) => `${round}-${i}`);
    const first = await consume({ ...options, partitionsConsumedConcurrently: 4 });
    await produce(topic, values('one'));
    await waitForCount(first.received, 40);

    const second = await consume({ ...options, partitionsConsumedConcurrently: 4 });
    await produce(topic, values('two'));
    const seen = () => new Set([...first.received, ...second.received].map(text));
    await waitFor('round two, shared', async () =>
      values('two').every((value) => seen().has(value)) ? true : undefined,
    );
    expect(second.received.length).toBeGreaterThan(0);
    expect(new Set(second.received.map((message) => message.partition)).size).toBeLessThan(4);

    await second.consumer.disconnect();
    await produce(topic, values('three'));
    await waitFor('round three, all on the first member', async () =>
      values('three').every((value) => first.received.some((m) => text(m) === value))
        ? true
        : undefined,
    );
  });

  it('ensures topics only once their partitions take messages, whichever admin made them', async () => {
    // Retries would hide a partition its leader does not serve yet: these clients never retry.
    const eager = createKafkaClient({
      implementation,
      brokers: brokers(),
      clientId: namespace,
      namespace,
      logLevel: 'nothing',
      retries: 0,
    });
    const [first, second] = await Promise.all([eager.admin(), eager.admin()]);
    const producer = await eager.producer();
    try {
      for (let round = 0; round < 3; round++) {
        const topic = uniqueName('topic');
        // One makes the topics, the other may find them listed and not yet served.
        await Promise.all([
          first.ensureTopics([{ topic, partitions: 8 }]),
          second.ensureTopics([{ topic, partitions: 8 }]),
        ]);
        await producer.send(
          topic,
          Array.from({ length: 64 }, (_, i) => ({ key: `key-${i}`, value: `m-${i}` })),
        );
      }
    } finally {
      await producer.disconnect();
      await Promise.all([first.disconnect(), second.disconnect()]);
    }
  });

  it('tells request listeners each request it sends, by API, until they stop', async () => {
    const topic = await newTopic();
    const counts = new Map<string, number>();
    const stop = onKafkaRequest((api) => counts.set(api, (counts.get(api) ?? 0) + 1));
    try {
      await produce(topic, ['a', 'b']);
      const { received } = await consume({ topics: [topic], fromBeginning: true });
      await waitForCount(received, 2);
    } finally {
      stop();
    }
    expect(counts.get('Produce')).toBeGreaterThanOrEqual(1);
    expect(counts.get('Fetch')).toBeGreaterThanOrEqual(1);
    expect(counts.get('JoinGroup')).toBeGreaterThanOrEqual(1);
    expect([...counts.keys()].filter((api) => api.startsWith('api-'))).toEqual([]);
    const total = () => [...counts.values()].reduce((sum, n) => sum + n, 0);
    const stopped = total();
    await produce(topic, ['c']);
    expect(total()).toBe(stopped);
  });

  it('sends what was sent in one turn of the event loop as one produce request', async () => {
    const [first, second] = [await newTopic(), await newTopic()];
    const producer = await kafka.producer();
    const produces: string[] = [];
    const stop = onKafkaRequest((api) => {
      if (api === 'Produce') produces.push(api);
    });
    try {
      await Promise.all([
        producer.send(first, [{ key: 'k1', value: 'a' }]),
        producer.send(second, [{ key: 'k2', value: 'b' }]),
        producer.send(first, [{ key: 'k3', value: 'c' }]),
      ]);
    } finally {
      stop();
      await producer.disconnect();
    }
    expect(produces).toHaveLength(1);
    const { received } = await consume({ topics: [first, second], fromBeginning: true });
    await waitForCount(received, 3);
    expect(received.map((message) => message.value.toString()).sort()).toEqual(['a', 'b', 'c']);
  });

  it('ensures topics idempotently and describes groups, the cluster and its topics', async () => {
    const topic = uniqueName('topic');
    await admin.ensureTopics([{ topic, partitions: 3, config: { 'retention.ms': '3600000' } }]);
    // Already there: left as it is, not re-created with one partition.
    await admin.ensureTopics([{ topic }, { topic: `${topic}-b` }]);
    // kafkajs lists from metadata it refreshes on its own schedule: a new topic shows up soon.
    await waitFor('both topics listed', async () => {
      const listed = await admin.listTopics();
      return listed.includes(topic) && listed.includes(`${topic}-b`) ? true : undefined;
    });

    const groupId = uniqueName('group');
    const { received } = await consume({ groupId, topics: [topic], fromBeginning: true });
    await produce(
      topic,
      Array.from({ length: 6 }, (_, i) => `m-${i}`),
    );
    await waitForCount(received, 6);
    expect(new Set(received.map((message) => message.partition)).size).toBeGreaterThan(1);
    expect(Math.max(...received.map((message) => message.partition))).toBeLessThanOrEqual(2);

    expect(await admin.describeGroups([groupId])).toEqual([
      { groupId, state: 'Stable', members: 1 },
    ]);
    const cluster = await admin.describeCluster();
    expect(cluster.clusterId).toEqual(expect.any(String));
    expect(cluster.brokers.length).toBeGreaterThan(0);

    await admin.deleteTopics([`${topic}-b`]);
    await waitFor('the deleted topic to go', async () =>
      (await admin.listTopics()).includes(`${topic}-b`) ? undefined : true,
    );
  });

  it('writes and delivers tombstones on a compacted topic, and says where each partition begins and ends', async () => {
    const topic = uniqueName('topic');
    await admin.ensureTopics([{ topic, partitions: 2, config: { 'cleanup.policy': 'compact' } }]);
    await waitFor(`${topic} to be listed`, async () =>
      (await admin.listTopics()).includes(topic) ? true : undefined,
    );
    expect(await admin.topicOffsets(topic)).toEqual([
      { partition: 0, earliest: '0', latest: '0' },
      { partition: 1, earliest: '0', latest: '0' },
    ]);

    const producer = await kafka.producer();
    await producer.send(topic, [
      { key: 'a', value: 'first' },
      { key: 'b', value: Buffer.from('kept') },
      { key: 'a', value: null },
    ]);
    await producer.disconnect();
    const { received } = await consume({ topics: [topic], fromBeginning: true });
    await waitForCount(received, 3);
    const seen = (key: string) =>
      received
        .filter((message) => message.key === key)
        .map((message) => ({ value: text(message), tombstone: message.tombstone }));
    expect(seen('a')).toEqual([
      { value: 'first', tombstone: false },
      { value: '', tombstone: true },
    ]);
    expect(seen('b')).toEqual([{ value: 'kept', tombstone: false }]);

    // A reader is caught up once it has read the offset before `latest` of every partition.
    const offsets = await admin.topicOffsets(topic);
    expect(offsets.map((entry) => entry.partition)).toEqual([0, 1]);
    for (const { partition, earliest, latest } of offsets) {
      const read = received.filter((message) => message.partition === partition);
      expect(Number(latest) - Number(earliest)).toBe(read.length);
      if (read.length > 0) {
        expect(String(Math.max(...read.map((message) => Number(message.offset))) + 1)).toBe(latest);
      }
    }
  });

  it('sends with acksAll false, and disconnects promptly with a fetch waiting on the broker', async () => {
    const topic = await newTopic(1);
    const { consumer, received } = await consume({ topics: [topic], fromBeginning: true });
    const producer = await kafka.producer({ acksAll: false });
    await producer.send(topic, [{ key: 'k', value: 'leader-acked' }]);
    await producer.disconnect();
    await waitForCount(received, 1);
    expect(text(received[0] as ConsumedMessage)).toBe('leader-acked');

    await sleep(300);
    const started = Date.now();
    await consumer.disconnect();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('both clients together', () => {
  const namespace = uniqueName('contract-mixed');
  const [kafkajs, platformatic] = [
    clientOf('kafkajs', namespace),
    clientOf('platformatic', namespace),
  ];
  const consumers: KafkaConsumer[] = [];
  let admin: KafkaAdmin;

  beforeAll(async () => {
    admin = await kafkajs.admin();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    const topics = await admin.listTopics();
    if (topics.length > 0) await admin.deleteTopics(topics);
    await admin.disconnect();
  });

  it("read each other's tombstones, so a registry one writes the other reads", async () => {
    const topic = uniqueName('topic');
    await createTopic(admin, topic, 1);
    for (const [writer, reader] of [
      [kafkajs, platformatic],
      [platformatic, kafkajs],
    ] as const) {
      const key = randomUUID();
      const producer = await writer.producer();
      await producer.send(topic, [{ key, value: null }]);
      await producer.disconnect();
      const consumer = await reader.consumer({
        groupId: uniqueName('group'),
        topics: [topic],
        fromBeginning: true,
      });
      consumers.push(consumer);
      const read: { key: string | null; tombstone: boolean; bytes: number }[] = [];
      await consumer.run(async (message) => {
        read.push({ key: message.key, tombstone: message.tombstone, bytes: message.value.length });
      });
      await waitFor('the tombstone', async () =>
        read.some((message) => message.key === key) ? true : undefined,
      );
      expect(read.find((message) => message.key === key)).toEqual({
        key,
        tombstone: true,
        bytes: 0,
      });
    }
  });

  it('put a key on the same partition, so one run stays in order whichever client produced it', async () => {
    const topic = uniqueName('topic');
    await createTopic(admin, topic, 7);
    const partitions = new Map<string, Set<number>>();
    const consumer = await kafkajs.consumer({
      groupId: uniqueName('group'),
      topics: [topic],
      fromBeginning: true,
    });
    consumers.push(consumer);
    let count = 0;
    await consumer.run(async (message) => {
      const key = message.key ?? '';
      partitions.set(key, (partitions.get(key) ?? new Set()).add(message.partition));
      count++;
    });
    // runIds are UUIDs; a few hundred of them cover keys whose hash has its top bit set.
    const keys = Array.from({ length: 200 }, () => randomUUID());
    for (const client of [kafkajs, platformatic]) {
      const producer = await client.producer();
      await producer.send(
        topic,
        keys.map((key) => ({ key, value: 'x' })),
      );
      await producer.disconnect();
    }
    await waitFor('both copies of every key', async () => (count >= 400 ? true : undefined));
    expect([...partitions.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('share one consumer group, so a deployment can move from one to the other', async () => {
    const topic = uniqueName('topic');
    await createTopic(admin, topic, 4);
    const groupId = uniqueName('group');
    const received = new Map<KafkaImplementation, string[]>([
      ['kafkajs', []],
      ['platformatic', []],
    ]);
    for (const [implementation, client] of [
      ['kafkajs', kafkajs],
      ['platformatic', platformatic],
    ] as const) {
      const consumer = await client.consumer({ groupId, topics: [topic], fromBeginning: true });
      consumers.push(consumer);
      await consumer.run(async (message) => {
        received.get(implementation)?.push(message.value.toString());
      });
    }
    const producer = await kafkajs.producer();
    const values = Array.from({ length: 40 }, (_, i) => `m-${i}`);
    await producer.send(
      topic,
      values.map((value, i) => ({ key: `key-${i}`, value })),
    );
    await producer.disconnect();
    const all = () => new Set([...received.values()].flat());
    await waitFor('every message, by one member or the other', async () =>
      values.every((value) => all().has(value)) ? true : undefined,
    );
    expect(received.get('kafkajs')?.length).toBeGreaterThan(0);
    expect(received.get('platformatic')?.length).toBeGreaterThan(0);
  });
});
