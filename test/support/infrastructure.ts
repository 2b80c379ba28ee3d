import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultStateDir,
  dockerEngineAnswers,
  down,
  freePort,
  status,
  up,
  waitFor,
  type Infrastructure,
} from '@weft/infra';
import { createKafkaClient } from '@weft/kafka';

/** The broker and database for one test run, and how to let go of them afterwards. */
export interface ProvidedInfrastructure extends Infrastructure {
  /** Where they came from, printed once so a reader of the test output knows what was tested. */
  description: string;
  release(): Promise<void>;
}

/**
 * Provides Kafka and the database for a test run, in this order: `KAFKA_BROKERS` and
 * `MONGODB_URI` from the environment; testcontainers when a Docker engine answers; otherwise local
 * processes — the ones `npm run infra:up` started if they run, else a private pair for this run.
 */
export async function provideInfrastructure(): Promise<ProvidedInfrastructure> {
  const env = process.env;
  if (env.KAFKA_BROKERS && env.MONGODB_URI) {
    return {
      kafkaBrokers: env.KAFKA_BROKERS,
      mongoUri: env.MONGODB_URI,
      description: 'from KAFKA_BROKERS and MONGODB_URI',
      release: async () => undefined,
    };
  }
  if (env.WEFT_INFRA !== 'local' && dockerEngineAnswers()) return startContainers();

  const devStateDir = defaultStateDir();
  if (status({ stateDir: devStateDir }).every((line) => line.state === 'running')) {
    const { infrastructure } = await up({ stateDir: devStateDir, mode: 'local' });
    return {
      ...infrastructure,
      description: 'reusing the broker and database of `npm run infra:up`',
      release: async () => undefined,
    };
  }

  const stateDir = mkdtempSync(join(tmpdir(), 'weft-test-infra-'));
  const { infrastructure, resources } = await up({
    stateDir,
    mode: 'local',
    env: { ...env, KAFKA_BROKERS: '', MONGODB_URI: '' },
    log: (line) => console.error(`[test infra] ${line}`),
    preferredPorts: {
      kafka: await freePort(),
      controller: await freePort(),
      database: await freePort(),
    },
  });
  await warmUp(infrastructure.kafkaBrokers);
  return {
    ...infrastructure,
    description: `private ${resources.map((r) => r.product).join(' and ')} in ${stateDir}`,
    release: async () => {
      await down({ stateDir });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh broker creates its group-offsets topic on the first group-coordinator lookup, which takes
 * seconds: one lookup here keeps that out of the first test that consumes.
 */
async function warmUp(brokers: string): Promise<void> {
  const client = createKafkaClient({
    brokers: brokers.split(','),
    clientId: 'warm-up',
    logLevel: 'nothing',
  });
  const admin = await client.admin();
  try {
    await waitFor("the broker's group coordinator", async () => {
      await admin.describeGroups(['weft-warm-up']);
      return true;
    });
  } finally {
    await admin.disconnect();
  }
}

async function startContainers(): Promise<ProvidedInfrastructure> {
  // Loaded only when Docker answers: testcontainers probes for an engine as it loads.
  const { GenericContainer, Wait } = await import('testcontainers');
  const kafkaPort = await freePort();
  const [kafka, mongo] = await Promise.all([
    new GenericContainer('apache/kafka:4.1.1')
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new GenericContainer('mongo:8')
      .withExposedPorts(27017)
      .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
      .start(),
  ]);
  return {
    kafkaBrokers: `127.0.0.1:${kafkaPort}`,
    mongoUri: `mongodb://127.0.0.1:${mongo.getMappedPort(27017)}/weft`,
    description: 'testcontainers: apache/kafka:4.1.1 and mongo:8',
    release: async () => {
      await Promise.all([kafka.stop(), mongo.stop()]);
    },
  };
}
