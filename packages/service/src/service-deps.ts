import type { Connection } from 'mongoose';
import type { BaseConfig } from '@weft/config';
import {
  brokerAnswers,
  createKafkaClient,
  kafkaClientConfig,
  onKafkaRequest,
  type KafkaClient,
} from '@weft/kafka';
import {
  createLogger,
  type Logger,
  type ReadinessCheck,
  type WeftMetrics,
} from '@weft/observability';
import {
  connectDatabase,
  databaseAnswers,
  DefinitionStore,
  OutboxPublisher,
  RunEngine,
  RunStore,
} from '@weft/store';
import { StartedParts } from './started-parts';

/**
 * What a service's composition function may be handed instead of making it itself: runService
 * hands over the logger, metrics, parts and health server; a test its own Kafka client and database.
 */
export interface ServiceDeps {
  /** Default: a logger named for the service, at `config.logLevel`. */
  log?: Logger;
  /** Where the service counts what it does; runService gives the process's. Default: nothing counted. */
  metrics?: WeftMetrics;
  /**
   * Where each part is recorded as it starts. Default: a list of the service's own, stopped by the
   * handle it returns, or at once if starting fails.
   */
  parts?: StartedParts;
  /** Default: the client `config` describes (kafkaClientConfig), requests counted in `metrics`. */
  kafka?: KafkaClient;
  /** Default: a connection to `config.mongoUri`, its commands counted in `metrics`, closed on stop. */
  connection?: Connection;
  /**
   * Serves `/healthz`, `/readyz` (the checks given) and `/metrics`; runService's serves them on
   * `HEALTH_PORT`. Default: none, for a service in a test, which watches its parts directly.
   */
  serveHealth?: (checks: Record<string, ReadinessCheck>) => Promise<void>;
}

/** A service's shared plumbing, each part given or made. */
export interface ServiceIo {
  log: Logger;
  metrics: WeftMetrics | undefined;
  parts: StartedParts;
  kafka: KafkaClient;
  connection: Connection;
  /** The readiness checks every service has: its database and its broker answer. */
  readiness: Record<'database' | 'kafka', ReadinessCheck>;
  serveHealth: (checks: Record<string, ReadinessCheck>) => Promise<void>;
  /**
   * Creates the stores' indexes when the database is the service's own. A database handed in is
   * prepared by whoever handed it: two services creating one index at once race, and
   * mongo-java-server refuses the loser.
   */
  ensureIndexes(...stores: { ensureIndexes(): Promise<unknown> }[]): Promise<void>;
}

/** A started service: `stop` stops its parts, the last started first. */
export type Running<T> = T & { stop(): Promise<void> };

/**
 * Makes what `deps` does not give (logger, Kafka client, database) and hands it all to `start`.
 * When the parts are the service's own, a failing start stops what had started before the error
 * is thrown, and the result's `stop` stops them all.
 */
export async function composeService<T extends object>(
  service: { name: string; kafkaClientId: string },
  config: BaseConfig,
  deps: ServiceDeps,
  start: (io: ServiceIo) => Promise<T>,
): Promise<Running<T>> {
  const parts = deps.parts ?? new StartedParts();
  const log = deps.log ?? createLogger(service.name, { level: config.logLevel });
  const { metrics } = deps;
  const stop = async () => {
    if (!(await parts.stopAll(log))) throw new Error(`${service.name}: a part failed to stop`);
  };
  try {
    const kafka = deps.kafka ?? serviceKafkaClient(service.kafkaClientId, config, metrics, parts);
    const connection = deps.connection ?? (await serviceDatabase(config, metrics, parts));
    const io: ServiceIo = {
      log,
      metrics,
      parts,
      kafka,
      connection,
      readiness: {
        database: () => databaseAnswers(connection),
        kafka: () => brokerAnswers(kafka),
      },
      serveHealth: deps.serveHealth ?? (async () => undefined),
      ensureIndexes: async (...stores) => {
        if (!deps.connection) await Promise.all(stores.map((store) => store.ensureIndexes()));
      },
    };
    return Object.assign(await start(io), { stop });
  } catch (error) {
    if (!deps.parts) await parts.stopAll(log);
    throw error;
  }
}

function serviceKafkaClient(
  clientId: string,
  config: BaseConfig,
  metrics: WeftMetrics | undefined,
  parts: StartedParts,
): KafkaClient {
  if (metrics) {
    const stopCounting = onKafkaRequest((api) => metrics.kafkaRequests.inc({ api }));
    parts.add('kafka request counts', async () => stopCounting());
  }
  return createKafkaClient({ ...kafkaClientConfig(config), clientId });
}

async function serviceDatabase(
  config: BaseConfig,
  metrics: WeftMetrics | undefined,
  parts: StartedParts,
): Promise<Connection> {
  const connection = await connectDatabase(
    config.mongoUri,
    metrics ? { onCommand: (command) => metrics.databaseCommands.inc({ command }) } : {},
  );
  parts.add('database', () => connection.close());
  return connection;
}

/** A service's runs: the store that reads and writes them, and the engine that moves them on. */
export interface ServiceRuns {
  store: RunStore;
  engine: RunEngine;
}

/**
 * The runs on the service's database, the engine publishing their outbox through a producer of
 * its own, which stops with the other parts.
 */
export async function serviceRuns(
  io: ServiceIo,
  definitions = new DefinitionStore(io.connection),
): Promise<ServiceRuns> {
  const producer = await io.kafka.producer();
  io.parts.add('producer', () => producer.disconnect());
  const store = new RunStore(io.connection);
  const publisher = new OutboxPublisher(io.connection, producer);
  return { store, engine: new RunEngine(store, definitions, publisher) };
}

/** What a service consumes with: ready once it has joined its consumer groups. */
export interface ConsumingPart {
  readonly ready: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Serves the health endpoints, then starts `part`, the service's consumers, which stop first.
 * Health is up before they join: `/healthz` answers at once, `/readyz` (whose `check` fails with
 * `unready` until then) once everything does.
 */
export async function startConsuming(
  io: ServiceIo,
  name: string,
  part: ConsumingPart,
  check: { name: string; unready: string },
): Promise<void> {
  await io.serveHealth({
    ...io.readiness,
    [check.name]: async () => {
      if (!part.ready) throw new Error(check.unready);
    },
  });
  io.parts.add(name, () => part.stop());
  await part.start();
}
