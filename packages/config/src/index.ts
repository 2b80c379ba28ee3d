import {
  readKafkaSasl,
  readKafkaTls,
  type KafkaSaslConfig,
  type KafkaTlsConfig,
} from './kafka-security';
import { ConfigError, integer, oneOf, required } from './variable-readers';

export { ConfigError, flag, integer, oneOf, required } from './variable-readers';
export {
  KAFKA_SASL_MECHANISMS,
  readKafkaSasl,
  readKafkaTls,
  type KafkaSaslConfig,
  type KafkaSaslMechanism,
  type KafkaTlsConfig,
} from './kafka-security';

/** How to reach Kafka: what every service shares with a custom worker, which has no database. */
export interface KafkaConfig {
  /** `KAFKA_BROKERS`: comma-separated `host:port` list. Required. */
  kafkaBrokers: readonly string[];
  /**
   * `WEFT_KAFKA_NAMESPACE`: prefixed to every topic and consumer group, so deployments sharing a
   * cluster stay apart. Default: none.
   */
  kafkaNamespace?: string;
  /**
   * `WEFT_KAFKA_CLIENT`: the Kafka client library, `platformatic` or `kafkajs`; checked when the
   * client is created, so another name stops the service at start. Default: @weft/kafka's
   * (`platformatic`).
   */
  kafkaClient?: string;
  /** `KAFKA_SSL=1` and the variables beside it: TLS to the brokers. Default: none, plaintext. */
  kafkaTls?: KafkaTlsConfig;
  /** `KAFKA_SASL_MECHANISM` and its credentials: SASL to the brokers. Default: none. */
  kafkaSasl?: KafkaSaslConfig;
  /**
   * Partitions of the topics this process creates: `WEFT_STEP_PARTITIONS` for each step topic
   * (the ceiling of one pool's parallelism across processes; default 8) and
   * `WEFT_RESULT_PARTITIONS` for step results and run events (default 8).
   */
  topicPartitions: { steps: number; results: number };
}

/** Settings every service shares. */
export interface BaseConfig extends KafkaConfig {
  /** `MONGODB_URI`. Required. */
  mongoUri: string;
  /** `LOG_LEVEL`: debug, info, warn or error. Default: info. */
  logLevel: LogLevel;
  /**
   * `HEALTH_PORT`: where a service without an API (orchestrator, worker, webhooks) serves
   * `/healthz`, `/readyz` and `/metrics`; 0 picks a free port. Default: 9090. The gateway serves
   * them on its own port.
   */
  healthPort: number;
  /**
   * `METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer <token>`. Metrics
   * belong on an internal port; the token is for when they cannot be. Default: none (open).
   */
  metricsToken?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Parses how to reach Kafka (see KafkaConfig), reading the files the variables name. */
export function readKafkaConfig(env: NodeJS.ProcessEnv): KafkaConfig {
  const kafkaTls = readKafkaTls(env);
  const kafkaSasl = readKafkaSasl(env);
  return Object.freeze({
    kafkaBrokers: Object.freeze(
      required(env, 'KAFKA_BROKERS')
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    ),
    topicPartitions: Object.freeze({
      steps: integer(env, 'WEFT_STEP_PARTITIONS', 8, { min: 1, max: 1000 }),
      results: integer(env, 'WEFT_RESULT_PARTITIONS', 8, { min: 1, max: 1000 }),
    }),
    ...(env.WEFT_KAFKA_NAMESPACE?.trim()
      ? { kafkaNamespace: env.WEFT_KAFKA_NAMESPACE.trim() }
      : {}),
    ...(env.WEFT_KAFKA_CLIENT?.trim() ? { kafkaClient: env.WEFT_KAFKA_CLIENT.trim() } : {}),
    ...(kafkaTls ? { kafkaTls } : {}),
    ...(kafkaSasl ? { kafkaSasl } : {}),
  });
}

/** Parses the settings every service shares, reading the files they name. */
export function readBaseConfig(env: NodeJS.ProcessEnv): BaseConfig {
  return Object.freeze({
    ...readKafkaConfig(env),
    mongoUri: required(env, 'MONGODB_URI'),
    logLevel: readLogLevel(env),
    healthPort: integer(env, 'HEALTH_PORT', 9090, { min: 0, max: 65535 }),
    ...(env.METRICS_TOKEN?.trim() ? { metricsToken: env.METRICS_TOKEN.trim() } : {}),
  });
}

/** `LOG_LEVEL` (see BaseConfig.logLevel). */
export function readLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  return oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info');
}

/** Checks and normalizes `PUBLIC_URL`: an http(s) URL without query or fragment, no trailing `/`. */
export function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, not "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError(
      `PUBLIC_URL must be an http(s) URL without query or fragment, not "${raw}"`,
    );
  }
  return url.href.replace(/\/+$/, '');
}
