// A worker for a user's own task types, in the user's own process: Kafka only, no database.

import { integer, readKafkaConfig, readLogLevel, type LogLevel } from '@weft/config';
import type { Region, TopicPartitionCounts } from '@weft/core';
import { createKafkaClient, kafkaClientConfig, type KafkaClientConfig } from '@weft/kafka';
import { createLogger, startHealthServer, WeftMetrics, type Logger } from '@weft/observability';
import { gatewayArtifacts, type GatewayAccess } from './gateway-artifacts';
import { registerTaskTypes } from './registration';
import { WorkerRuntime } from './runtime';
import {
  defaultWorkerId,
  readRuntimeOptions,
  RUNTIME_DEFAULTS,
  type RuntimeOptions,
} from './runtime-options';
import type { TaskType } from './task-type';

/** What `createWorker` takes. Only `brokers` and `taskTypes` are required. */
export interface WorkerSettings extends Partial<GatewayAccess> {
  /** `host:port` of the Kafka brokers. */
  brokers: string | readonly string[];
  /** TLS, SASL, a namespace or the client library, as the services take them. */
  kafka?: Omit<KafkaClientConfig, 'brokers'>;
  /** What this worker serves, made with `defineTaskType`. */
  taskTypes: readonly TaskType[];
  /** Steps run at once. Default: 32. */
  concurrency?: number;
  /** `us` or `eu` serve their region's workflows and global ones. Default: global. */
  region?: Region;
  /** This worker in logs and metrics. Default: `<hostname>-<pid>`. */
  workerId?: string;
  /** See RuntimeOptions. */
  leaseMs?: number;
  sessionTimeoutMs?: number;
  shutdownGraceMs?: number;
  commitIntervalMs?: number;
  topicPartitions?: Partial<TopicPartitionCounts>;
  /** Default: a JSON-lines logger on stderr at `logLevel` (default info). */
  logger?: Logger;
  logLevel?: LogLevel;
  /** Serves `/healthz`, `/readyz` and `/metrics` there (0: a free port). Default: none. */
  healthPort?: number;
}

/** A running (or runnable) worker. */
export interface Worker {
  /** Registers its task types, joins its pools and starts taking steps. */
  start(): Promise<void>;
  /**
   * Stops taking steps, lets those running finish within the grace period and hands back the
   * rest (they run again elsewhere at once), then disconnects.
   */
  stop(): Promise<void>;
  /** True from joining its pools until it starts stopping. */
  readonly ready: boolean;
  /** Steps running now. */
  readonly inFlight: number;
  /** Where `/healthz`, `/readyz`, `/metrics` are served, once started with a `healthPort`. */
  readonly healthPort: number | undefined;
}

/**
 * A worker serving `taskTypes`. It needs the Kafka brokers only; to store artifacts
 * (`context.storeArtifact`), the gateway's URL and an API key (one app) or the admin token (any).
 */
export function createWorker(settings: WorkerSettings): Worker {
  const workerId = settings.workerId ?? defaultWorkerId();
  const options: RuntimeOptions = {
    ...RUNTIME_DEFAULTS,
    workerId,
    ...pick(settings, [
      'concurrency',
      'region',
      'leaseMs',
      'sessionTimeoutMs',
      'shutdownGraceMs',
      'commitIntervalMs',
    ]),
    topicPartitions: settings.topicPartitions ?? RUNTIME_DEFAULTS.topicPartitions,
  };
  const taskTypes = new Map(settings.taskTypes.map((type) => [type.name, type]));
  if (taskTypes.size !== settings.taskTypes.length) {
    throw new Error('createWorker: two task types have the same name');
  }
  const log =
    settings.logger ??
    createLogger('worker', { level: settings.logLevel ?? 'info', base: { workerId } });
  const kafka = createKafkaClient({
    clientId: `weft-worker-${workerId}`,
    ...settings.kafka,
    brokers: brokerList(settings.brokers),
  });
  const metrics = new WeftMetrics('worker');
  const artifacts = settings.gatewayUrl ? gatewayArtifacts(settings as GatewayAccess) : undefined;
  const runtime = new WorkerRuntime(kafka, taskTypes, options, log, metrics, artifacts);
  let health: { port: number; close(): Promise<void> } | undefined;
  let started = false;

  return {
    async start() {
      if (started) throw new Error('this worker was started already');
      started = true;
      await registerTaskTypes(kafka, settings.taskTypes, options.topicPartitions, log);
      await runtime.start();
      if (settings.healthPort !== undefined) {
        health = await startHealthServer({
          port: settings.healthPort,
          metrics,
          checks: {
            consumers: () =>
              runtime.ready ? Promise.resolve() : Promise.reject(new Error('not consuming')),
          },
        });
      }
    },
    async stop() {
      await runtime.stop();
      await health?.close();
    },
    get ready() {
      return runtime.ready;
    },
    get inFlight() {
      return runtime.inFlight;
    },
    get healthPort() {
      return health?.port;
    },
  };
}

/**
 * The settings a worker process reads from its environment, as the services do: `KAFKA_BROKERS`
 * and the Kafka variables beside it (TLS, SASL, namespace), the runtime's (`WORKER_CONCURRENCY`,
 * `REGION`, … see readRuntimeOptions), `LOG_LEVEL`, `HEALTH_PORT`, and for artifacts
 * `WEFT_GATEWAY_URL` with `WEFT_API_KEY` or `WEFT_ADMIN_TOKEN`. Throws ConfigError naming what to
 * fix. Spread it and add `taskTypes`.
 */
export function workerSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Omit<WorkerSettings, 'taskTypes'> {
  const kafka = readKafkaConfig(env);
  const { brokers, ...kafkaRest } = kafkaClientConfig(kafka);
  const runtime = readRuntimeOptions(env, kafka.topicPartitions);
  return {
    brokers,
    kafka: kafkaRest,
    ...runtime,
    logLevel: readLogLevel(env),
    ...(env.HEALTH_PORT?.trim()
      ? { healthPort: integer(env, 'HEALTH_PORT', 0, { min: 0, max: 65535 }) }
      : {}),
    ...given('gatewayUrl', env.WEFT_GATEWAY_URL),
    ...given('apiKey', env.WEFT_API_KEY),
    ...given('adminToken', env.WEFT_ADMIN_TOKEN),
  };
}

function brokerList(brokers: string | readonly string[]): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : brokers;
  return list.map((broker) => broker.trim()).filter(Boolean);
}

function given<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  const trimmed = value?.trim();
  return (trimmed ? { [key]: trimmed } : {}) as { [P in K]?: string };
}

function pick<T extends object, K extends keyof T>(
  from: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) picked[key] = from[key];
  return picked;
}
