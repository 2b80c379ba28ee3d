import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaClient } from '@weft/kafka';
import { down, freePort, readState, up } from '@weft/infra';
import { requiredEnv } from '../../support/test-infrastructure';

const TOPIC = 'replicated-cluster-test';

describe('the local infrastructure as a three-broker cluster', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-cluster-'));

  afterAll(async () => {
    await down({ stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('replicates every topic three times, and loses nothing when a leader dies', async () => {
    const { infrastructure, resources } = await up({
      stateDir,
      mode: 'local',
      // The database is the suite's: only the brokers are started here.
      env: { WEFT_KAFKA_BROKERS_LOCAL: '3', MONGODB_URI: requiredEnv('MONGODB_URI') },
      preferredPorts: { kafka: await freePort(), controller: await freePort(), database: 0 },
    });
    const brokers = infrastructure.kafkaBrokers.split(',');
    expect(brokers).toHaveLength(3);
    expect(resources[0]?.product).toMatch(/3 brokers \(replication 3, min\.insync\.replicas 2\)/);

    // Topics made as the services make them (replicas: the brokers' default).
    const client = createKafkaClient({ brokers, clientId: 'cluster-test', logLevel: 'nothing' });
    const admin = await client.admin();
    await admin.ensureTopics([{ topic: TOPIC, partitions: 3 }]);
    await admin.disconnect();
    const inspector = new Kafka({ brokers, clientId: 'inspector', logLevel: logLevel.NOTHING });
    const inspect = inspector.admin();
    await inspect.connect();
    const [metadata] = (await inspect.fetchTopicMetadata({ topics: [TOPIC] })).topics;
    expect(metadata?.partitions.map((partition) => partition.replicas.length)).toEqual([3, 3, 3]);
    const config = await inspect.describeConfigs({
      resources: [{ type: 2, name: TOPIC, configNames: ['min.insync.replicas'] }],
      includeSynonyms: false,
    });
    expect(config.resources[0]?.configEntries[0]?.configValue).toBe('2');

    // Half the messages, the leader of partition 0 killed, the other half: all are there.
    const producer = await client.producer();
    const send = (from: number) =>
      producer.send(
        TOPIC,
        Array.from({ length: 50 }, (_, i) => ({ key: `k${from + i}`, value: `m${from + i}` })),
      );
    await send(0);
    const leader = metadata?.partitions.find((partition) => partition.partitionId === 0)?.leader;
    // Brokers are recorded in node id order: node 1 first.
    const state = readState(stateDir).kafka;
    const victim = [state, ...(state?.others ?? [])][(leader ?? 0) - 1];
    if (!victim) throw new Error(`no broker of node id ${String(leader)} in the state`);
    process.kill(victim.pid, 'SIGKILL');
    await send(50);
    await producer.disconnect();

    const consumer = inspector.consumer({ groupId: 'cluster-test' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen = new Set<string>();
    let all: () => void = () => undefined;
    const complete = new Promise<void>((resolve) => (all = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(String(message.value));
        if (seen.size === 100) all();
      },
    });
    // A message lost stays lost: waiting longer would not bring it.
    await Promise.race([complete, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    await consumer.disconnect();
    await inspect.disconnect();
    expect(seen.size).toBe(100);
  });
});
