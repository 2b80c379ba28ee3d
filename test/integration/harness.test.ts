import type { Connection } from 'mongoose';
import { Schema } from 'mongoose';
import type { ConsumedMessage, KafkaClient } from '@weft/kafka';
import {
  connectDatabase,
  connectKafka,
  dropDatabase,
  uniqueName,
  waitFor,
} from '../support/test-infrastructure';

describe('the test harness', () => {
  let kafka: KafkaClient;
  let database: Connection;

  beforeAll(async () => {
    [kafka, database] = await Promise.all([connectKafka(), connectDatabase()]);
  });

  afterAll(async () => {
    await dropDatabase(database);
  });

  it('produces to and consumes from the real broker, keys and headers intact', async () => {
    const topic = uniqueName('harness');
    const admin = await kafka.admin();
    await admin.ensureTopics([{ topic, partitions: 3 }]);

    const received: ConsumedMessage[] = [];
    const consumer = await kafka.consumer({
      groupId: uniqueName('harness-group'),
      topics: [topic],
      fromBeginning: true,
    });
    await consumer.run(async (message) => {
      received.push(message);
    });

    const producer = await kafka.producer();
    const sent = Array.from({ length: 10 }, (_, i) => ({
      key: `run-${i % 3}`,
      value: JSON.stringify({ n: i }),
      headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    }));
    await producer.send(topic, sent);

    await waitFor('all ten messages', async () => (received.length === 10 ? true : undefined));
    const numbers = received.map((m) => (JSON.parse(m.value.toString()) as { n: number }).n);
    expect(numbers.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(received.every((m) => m.headers.traceparent?.startsWith('00-'))).toBe(true);
    // One key, one partition: messages of a run stay in order.
    for (const key of ['run-0', 'run-1', 'run-2']) {
      const ofKey = received.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      const order = ofKey.map((m) => (JSON.parse(m.value.toString()) as { n: number }).n);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }

    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteTopics([topic]);
    await admin.disconnect();
  });

  it('writes and reads documents through mongoose on the real database', async () => {
    const Thing = database.model(
      'Thing',
      new Schema({ name: String, version: Number, nodes: Schema.Types.Mixed }),
    );
    const created = await Thing.create({ name: 'first', version: 1, nodes: { a: 'pending' } });

    // The engine's pattern: a conditional single-document update guarded by a version field.
    const updated = await Thing.findOneAndUpdate(
      { _id: created._id, version: 1 },
      { $set: { 'nodes.a': 'completed' }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    ).lean();
    expect(updated).toMatchObject({ name: 'first', version: 2, nodes: { a: 'completed' } });

    const stale = await Thing.findOneAndUpdate(
      { _id: created._id, version: 1 },
      { $set: { 'nodes.a': 'failed' } },
    );
    expect(stale).toBeNull();
    expect(await Thing.countDocuments()).toBe(1);
  });
});
