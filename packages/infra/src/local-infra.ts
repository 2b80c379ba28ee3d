import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  chooseDatabase,
  ferretdbVersion,
  mongoJavaServerVersion,
  startDatabase,
  waitForDatabase,
  type DatabaseKind,
} from './database';
import { dockerCompose, dockerEngineAnswers } from './docker-engine';
import { readState, writeState, type InfraState } from './infra-state';
import {
  ensureKafkaJars,
  kafkaVersion,
  newClusterId,
  replicationOf,
  startKafka,
  waitForKafka,
  type KafkaPorts,
} from './kafka-broker';
import { choosePort } from './ports';
import { isRunning, stopProcess } from './processes';

/** Where the services find the broker and the database. */
export interface Infrastructure {
  /** Comma-separated `host:port` list, as `KAFKA_BROKERS` takes it. */
  kafkaBrokers: string;
  /** As `MONGODB_URI` takes it. */
  mongoUri: string;
}

/** How a resource came to be available. */
export type ResourceSource = 'environment' | 'started' | 'already running' | 'docker';

export interface ResourceReport {
  name: 'kafka' | 'database';
  /** e.g. `Apache Kafka 4.1.1`, `FerretDB v1.24.0 (SQLite)`. */
  product: string;
  address: string;
  source: ResourceSource;
  pid?: number;
  logFile?: string;
}

export interface InfraOptions {
  /** Data, logs and the state file. */
  stateDir: string;
  /** `KAFKA_BROKERS` and `MONGODB_URI` here mean: start nothing, use these. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a person watching. Default: none. */
  log?: (line: string) => void;
  /** Ports tried first. Default: Kafka 9092 (controller 9093), database 27017. */
  preferredPorts?: { kafka: number; controller: number; database: number };
  /** `local` processes, `docker` compose services, or `auto`: docker when an engine answers. */
  mode?: 'local' | 'docker' | 'auto';
}

const DEFAULT_PORTS = { kafka: 9092, controller: 9093, database: 27017 };

/**
 * Makes the broker and the database available, starting what is not running yet; idempotent.
 * Values in the environment win; otherwise what a previous `up` started is reused.
 */
export async function up(
  options: InfraOptions,
): Promise<{ infrastructure: Infrastructure; resources: ResourceReport[] }> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  mkdirSync(join(options.stateDir, 'logs'), { recursive: true });
  const state = readState(options.stateDir);

  const useDocker =
    !(env.KAFKA_BROKERS && env.MONGODB_URI) &&
    (options.mode === 'docker' ||
      (options.mode !== 'local' && (state.docker !== undefined || dockerEngineAnswers())));
  if (useDocker) return upWithDocker(options, state, log);

  const [kafka, database] = await Promise.allSettled([
    provideKafka(options, state, env, log),
    provideDatabase(options, state, env, log),
  ]);
  // Record whatever did start before reporting a failure, so `down` can still stop it.
  writeState(options.stateDir, state);
  if (kafka.status === 'rejected') throw kafka.reason;
  if (database.status === 'rejected') throw database.reason;
  return {
    infrastructure: { kafkaBrokers: kafka.value.address, mongoUri: database.value.address },
    resources: [kafka.value, database.value],
  };
}

/** `WEFT_KAFKA_BROKERS_LOCAL`: one broker (default), or a replicated cluster of three. */
export function localBrokerCount(env: NodeJS.ProcessEnv): 1 | 3 {
  const raw = env.WEFT_KAFKA_BROKERS_LOCAL?.trim();
  if (!raw || raw === '1') return 1;
  if (raw === '3') return 3;
  throw new Error(`WEFT_KAFKA_BROKERS_LOCAL must be 1 or 3, not "${raw}"`);
}

async function provideKafka(
  options: InfraOptions,
  state: InfraState,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<ResourceReport> {
  const product = `Apache Kafka ${kafkaVersion()}`;
  if (env.KAFKA_BROKERS) {
    return { name: 'kafka', product, address: env.KAFKA_BROKERS, source: 'environment' };
  }
  const size = localBrokerCount(env);
  const logFile = join(options.stateDir, 'logs', 'kafka.log');
  if (state.kafka && isRunning(state.kafka)) {
    const running = [state.kafka, ...(state.kafka.others ?? [])];
    if (running.length !== size) {
      throw new Error(
        `a ${running.length}-broker Kafka already runs here, and WEFT_KAFKA_BROKERS_LOCAL asks for ${size}: run \`npm run infra:down\` first`,
      );
    }
    const address = brokerList(running);
    await waitForKafka(address, 90_000, size);
    return {
      name: 'kafka',
      product: productOf(product, size),
      address,
      source: 'already running',
      pid: state.kafka.pid,
      logFile,
    };
  }
  log(`Kafka: gathering ${product} jars (from Maven Central on first use)`);
  const libs = await ensureKafkaJars(logFile);
  const preferred = options.preferredPorts ?? DEFAULT_PORTS;
  const previous = [state.kafka, ...(state.kafka?.others ?? [])];
  const ports: KafkaPorts[] = [];
  for (let i = 0; i < size; i++) {
    const used = new Set(ports.flatMap((each) => [each.broker, each.controller]));
    const pick = async (remembered: number | undefined, wanted: number) => {
      let port = await choosePort(remembered, wanted);
      while (used.has(port)) port = await choosePort();
      used.add(port);
      return port;
    };
    const broker = await pick(previous[i]?.ports.broker, preferred.kafka + 2 * i);
    const controller = await pick(previous[i]?.ports.controller, preferred.controller + 2 * i);
    ports.push({ broker, controller });
  }
  const clusterId = newClusterId();
  const voters = ports.map((each, i) => ({ nodeId: i + 1, controllerPort: each.controller }));
  log(
    `Kafka: starting ${size === 1 ? 'one broker' : `${size} brokers`} on ${brokerList(ports.map((each) => ({ ports: each })))}`,
  );
  const started = await Promise.all(
    ports.map((memberPorts, i) =>
      startKafka({
        // A cluster keeps its data apart from a single broker's: they cannot share it.
        dir: join(options.stateDir, size === 1 ? 'kafka' : `kafka-${i + 1}-of-${size}`),
        libs,
        ports: memberPorts,
        logFile,
        member: { nodeId: i + 1, voters, clusterId },
      }),
    ),
  );
  const [first, ...others] = started.map((process, i) => ({ ...process, ports: ports[i]! }));
  if (!first) throw new Error('no broker started');
  state.kafka = {
    ...first,
    version: kafkaVersion(),
    ...(others.length === 0 ? {} : { others }),
  };
  const address = brokerList([first, ...others]);
  await waitForKafka(address, 90_000, size).catch((error: Error) => {
    throw new Error(
      `${error.message}\nKafka's logs: ${logFile}, ${join(options.stateDir, 'kafka*', 'server.log')}`,
      {
        cause: error,
      },
    );
  });
  return {
    name: 'kafka',
    product: productOf(product, size),
    address,
    source: 'started',
    pid: first.pid,
    logFile,
  };
}

function brokerList(members: readonly { ports: KafkaPorts }[]): string {
  return members.map((member) => `127.0.0.1:${member.ports.broker}`).join(',');
}

function productOf(product: string, size: number): string {
  if (size === 1) return product;
  const { factor, minInsync } = replicationOf(size);
  return `${product}, ${size} brokers (replication ${factor}, min.insync.replicas ${minInsync})`;
}

function databaseProduct(kind: DatabaseKind): string {
  switch (kind) {
    case 'mongodb':
      return 'MongoDB';
    case 'mongo-java-server':
      return `mongo-java-server ${mongoJavaServerVersion()} (H2)`;
    case 'ferretdb':
      return `FerretDB ${ferretdbVersion()} (SQLite; not isolated under concurrent writes)`;
  }
}

async function provideDatabase(
  options: InfraOptions,
  state: InfraState,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<ResourceReport> {
  if (env.MONGODB_URI) {
    return {
      name: 'database',
      product: 'MongoDB-compatible',
      address: env.MONGODB_URI,
      source: 'environment',
    };
  }
  const logFile = join(options.stateDir, 'logs', 'database.log');
  if (state.database && isRunning(state.database)) {
    const address = mongoUri(state.database.port);
    await waitForDatabase(address);
    return {
      name: 'database',
      product: databaseProduct(state.database.kind),
      address,
      source: 'already running',
      pid: state.database.pid,
      logFile,
    };
  }
  const kind = chooseDatabase(env);
  if (kind === 'ferretdb') log(`Database: building FerretDB with Go (on first use)`);
  if (kind === 'mongo-java-server')
    log('Database: gathering mongo-java-server (from Maven Central on first use)');
  const preferred = options.preferredPorts ?? DEFAULT_PORTS;
  const port = await choosePort(state.database?.port, preferred.database);
  const dir = join(options.stateDir, kind);
  const started = await startDatabase({ kind, dir, port, logFile });
  state.database = { ...started, port, kind };
  log(`Database: starting ${databaseProduct(kind)} on 127.0.0.1:${port}`);
  const address = mongoUri(port);
  await waitForDatabase(address).catch((error: Error) => {
    throw new Error(`${error.message}\nThe database's log: ${logFile}`, { cause: error });
  });
  return {
    name: 'database',
    product: databaseProduct(kind),
    address,
    source: 'started',
    pid: started.pid,
    logFile,
  };
}

function mongoUri(port: number): string {
  return `mongodb://127.0.0.1:${port}/weft`;
}

async function upWithDocker(
  options: InfraOptions,
  state: InfraState,
  log: (line: string) => void,
): Promise<{ infrastructure: Infrastructure; resources: ResourceReport[] }> {
  log('Docker engine found: starting Kafka and MongoDB with docker compose');
  dockerCompose(['up', '-d', 'kafka', 'mongo']);
  state.docker = { kafkaPort: 9092, databasePort: 27017 };
  writeState(options.stateDir, state);
  const infrastructure = { kafkaBrokers: '127.0.0.1:9092', mongoUri: mongoUri(27017) };
  await waitForKafka(infrastructure.kafkaBrokers);
  await waitForDatabase(infrastructure.mongoUri);
  return {
    infrastructure,
    resources: [
      {
        name: 'kafka',
        product: 'Apache Kafka (apache/kafka)',
        address: infrastructure.kafkaBrokers,
        source: 'docker',
      },
      {
        name: 'database',
        product: 'MongoDB (mongo)',
        address: infrastructure.mongoUri,
        source: 'docker',
      },
    ],
  };
}

/**
 * Stops what `up` started in `stateDir`, and only that (`only` narrows it further); returns what
 * it stopped.
 */
export async function down(options: {
  stateDir: string;
  only?: ResourceReport['name'][];
}): Promise<string[]> {
  const state = readState(options.stateDir);
  const wanted = (name: ResourceReport['name']) => !options.only || options.only.includes(name);
  const stopped: string[] = [];
  await Promise.all([
    (async () => {
      if (!state.kafka || !wanted('kafka')) return;
      const brokers = [state.kafka, ...(state.kafka.others ?? [])];
      await Promise.all(
        brokers.map(async (broker) => {
          if (!isRunning(broker)) return;
          await stopProcess(broker, 30_000);
          stopped.push(`kafka (pid ${broker.pid})`);
        }),
      );
      delete state.kafka;
    })(),
    (async () => {
      if (!state.database || !wanted('database')) return;
      if (isRunning(state.database)) {
        await stopProcess(state.database);
        stopped.push(`${state.database.kind} (pid ${state.database.pid})`);
      }
      delete state.database;
    })(),
  ]);
  if (state.docker && !options.only) {
    dockerCompose(['stop', 'kafka', 'mongo']);
    stopped.push('docker compose services kafka, mongo');
    delete state.docker;
  }
  writeState(options.stateDir, state);
  return stopped;
}

export interface StatusLine {
  name: 'kafka' | 'database';
  state: 'running' | 'stopped' | 'not started' | 'from environment' | 'docker';
  detail: string;
}

/** What `up` started in `stateDir` and whether it still runs. */
export function status(options: Pick<InfraOptions, 'stateDir' | 'env'>): StatusLine[] {
  const env = options.env ?? process.env;
  const state = readState(options.stateDir);
  const kafka: StatusLine = env.KAFKA_BROKERS
    ? { name: 'kafka', state: 'from environment', detail: env.KAFKA_BROKERS }
    : state.docker
      ? { name: 'kafka', state: 'docker', detail: `127.0.0.1:${state.docker.kafkaPort}` }
      : !state.kafka
        ? { name: 'kafka', state: 'not started', detail: '' }
        : {
            name: 'kafka',
            state: isRunning(state.kafka) ? 'running' : 'stopped',
            detail: [state.kafka, ...(state.kafka.others ?? [])]
              .map((broker) => `127.0.0.1:${broker.ports.broker} pid ${broker.pid}`)
              .join(', '),
          };
  const database: StatusLine = env.MONGODB_URI
    ? { name: 'database', state: 'from environment', detail: env.MONGODB_URI }
    : state.docker
      ? { name: 'database', state: 'docker', detail: mongoUri(state.docker.databasePort) }
      : !state.database
        ? { name: 'database', state: 'not started', detail: '' }
        : {
            name: 'database',
            state: isRunning(state.database) ? 'running' : 'stopped',
            detail: `${mongoUri(state.database.port)} (${state.database.kind}) pid ${state.database.pid}`,
          };
  return [kafka, database];
}
